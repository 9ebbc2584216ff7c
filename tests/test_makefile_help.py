"""`make help` lists every .PHONY target of the Makefile with its one line (its `## ` comment)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.subprocess]
MAKE = shutil.which("make") or "/usr/bin/make"  # the Makefile is the project's way in: make is required


def phony_targets(makefile: str) -> set[str]:
    """The targets a Makefile declares .PHONY (continued lines included)."""
    text = makefile.replace("\\\n", " ")
    return {name for line in re.findall(r"^\.PHONY:(.*)$", text, re.MULTILINE) for name in line.split()}


def help_lines(directory: Path) -> dict[str, str]:
    """What `make help` prints in `directory`: each target and its line."""
    result = subprocess.run([MAKE, "-s", "help"], cwd=directory, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    lines = [line.split(None, 1) for line in result.stdout.splitlines() if line.strip()]
    return {parts[0]: parts[1] if len(parts) > 1 else "" for parts in lines}


def without_help(directory: Path) -> set[str]:
    """The .PHONY targets of the Makefile in `directory` that `make help` gives no line."""
    shown = help_lines(directory)
    return {target for target in phony_targets((directory / "Makefile").read_text()) if not shown.get(target)}


def test_every_phony_target_has_a_help_line():
    assert "help" in phony_targets((ROOT / "Makefile").read_text())
    assert not without_help(ROOT)


def test_the_check_catches_a_target_without_a_help_line(tmp_path):
    """The rule can fail: a .PHONY target with no `## ` line is missing from `make help`'s list."""
    makefile = (ROOT / "Makefile").read_text()
    (tmp_path / "Makefile").write_text(
        makefile.replace(".PHONY: help ", ".PHONY: help undocumented ", 1) + "\nundocumented:\n\ttrue\n"
    )
    assert without_help(tmp_path) == {"undocumented"}
