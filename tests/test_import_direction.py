"""Imports flow one way: routes -> controllers -> middleware -> services, never back; the root holds only the
entry points and app-wide definitions. Read from the source (ast), so an import inside a function counts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROOT_MODULES = {"server", "app", "routes", "config", "pool_settings", "errors", "extensions", "lambda_function"}
# What each layer may not import (app-wide definitions, errors, config and extensions, serve every layer).
FORBIDDEN = {
    "services": {"controllers", "middleware", "routes", "app", "server", "extensions", "flask", "werkzeug"},
    "middleware": {"controllers", "routes", "app", "server"},
    "controllers": {"routes", "app", "server"},
    "schemas": {"controllers", "middleware", "services", "routes", "app", "server", "extensions"},
}


def imported(source: str) -> set[str]:
    """The top-level package of every module `source` imports (relative imports count as their package)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.partition(".")[0])
    return names


def violations(layer: str, source: str) -> set[str]:
    """The packages `source`, a module of `layer`, imports against the rule."""
    return imported(source) & FORBIDDEN[layer]


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(ROOT)) for layer in FORBIDDEN for p in (ROOT / layer).glob("*.py")), ids=str
)
def test_no_module_imports_against_the_flow(path):
    layer = path.partition("/")[0]
    assert not violations(layer, (ROOT / path).read_text()), (
        f"{path} imports {violations(layer, (ROOT / path).read_text())}"
    )


@pytest.mark.parametrize(
    ("layer", "source"),
    [
        ("middleware", "from controllers.auth import signed_in\n"),
        ("services", "def later():\n    import controllers.hello\n"),
        ("services", "from flask import g\n"),
        ("middleware", "import routes\n"),
    ],
)
def test_the_check_catches_an_import_against_the_flow(layer, source):
    """The rule can fail: a middleware or services module importing a controller (or Flask) is caught."""
    assert violations(layer, source)


def test_the_root_holds_only_the_entry_points_and_app_wide_definitions():
    assert {path.stem for path in ROOT.glob("*.py")} == ROOT_MODULES
