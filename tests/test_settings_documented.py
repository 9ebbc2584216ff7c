"""The configuration table names exactly the environment variables of `config.Settings`: none missing, none extra."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from config import Settings
from tests.support.helpers import ROOT

NAME = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def configuration_table() -> tuple[str, set[str]]:
    """Where the table is (docs/configuration.md, else README.md's Configuration section) and the variables it names."""
    docs = Path(ROOT) / "docs" / "configuration.md"
    if docs.exists():
        # The page's own section: everything before its first `## ` heading ("Other environment variables").
        where, section = "docs/configuration.md", re.split(r"^## ", docs.read_text(), flags=re.MULTILINE)[0]
    else:
        readme = (Path(ROOT) / "README.md").read_text()
        found = re.search(r"^## Configuration\n(.*?)(?=^## |\Z)", readme, flags=re.MULTILINE | re.DOTALL)
        assert found, "README.md has no '## Configuration' section and docs/configuration.md does not exist"
        where, section = "README.md's Configuration section", found.group(1)
    names: set[str] = set()
    rows = [line for line in section.splitlines() if line.startswith("|")]
    for row in rows:
        first = row.split("|")[1]
        if set(first.strip()) <= set("-: "):  # the |---| line
            continue
        names.update(NAME.findall(first))
    assert names, f"no configuration table found in {where}"
    return where, names


def test_every_setting_is_documented_and_the_table_names_no_other():
    where, documented = configuration_table()
    settings = {spec.metadata["env"] for spec in fields(Settings) if spec.metadata.get("env")}
    missing, extra = sorted(settings - documented), sorted(documented - settings)
    if missing:
        print(f"settings missing from {where}: {', '.join(missing)}")
    if extra:
        print(f"variables in {where} that are not settings: {', '.join(extra)}")
    assert not missing, f"settings missing from {where}: {', '.join(missing)}"
    assert not extra, f"variables in {where} that are not settings: {', '.join(extra)}"
