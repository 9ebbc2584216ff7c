"""Layers: services/ (and the error hierarchy it raises) import no web framework."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import pytest

import services
from tests.support.helpers import ROOT

pytestmark = [pytest.mark.subprocess]

SERVICES = sorted(module.name for module in pkgutil.walk_packages(services.__path__, "services."))
# Started in a fresh interpreter, so nothing imported by the test suite can hide an import.
BLOCKER = textwrap.dedent(
    """
    import importlib, importlib.abc, sys

    class NoFramework(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("flask", "werkzeug", "flask_limiter", "flask_cors"):
                raise ImportError(f"{{name}} imported by a module that must not use the web framework")

    sys.meta_path.insert(0, NoFramework())
    importlib.import_module({module!r})
    """
)


@pytest.mark.parametrize(
    "module",
    [
        *SERVICES,
        "errors",
        "api_error",
        "token_errors",
        "managed_login_errors",
        "passkey_errors",
        "config",
        "config_areas",
        "pool_settings",
    ],
)
def test_imports_no_web_framework(module):
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(module=module)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_blocker_would_notice():
    """The check can fail: a module that does import Flask is caught."""
    result = subprocess.run(
        [sys.executable, "-c", BLOCKER.format(module="middleware.handlers")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "must not use the web framework" in result.stderr
