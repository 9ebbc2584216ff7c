"""Imports flow one way: routes -> views -> controllers -> middleware -> services, never back; the root holds only the
entry points and app-wide definitions, and those definitions (config, errors) import no layer. Production code
never imports the emulator, the tests or the benchmarks, and a controller never imports another controller.
Read from the source (ast), so an import inside a function counts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# errors.py gathers the error classes of api_error.py (their root) and of each family's module.
ERRORS = {
    "errors",
    "api_error",
    "token_errors",
    "managed_login_errors",
    "passkey_errors",
    "account_errors",
    "request_errors",
}
ROOT_MODULES = {
    "server",
    "app",
    "routes",
    "config",
    "config_areas",
    "config_gateway",
    "config_state",
    "pool_settings",
    "extensions",
    "lambda_function",
} | ERRORS
LAYERS = {"views", "controllers", "middleware", "services", "schemas"}
ENTRY_POINTS = {"server", "app", "routes", "lambda_function"}
# Never imported by production code: the embedded emulator (emulator/cognito_emulator; `local` was its old
# name), the tests and the benchmarks. Production is everything outside tests/, bench/, emulator/ and scripts/.
NOT_PRODUCTION = {"local", "cognito_emulator", "tests", "bench"}
# What each layer or root module may not import. The app-wide definitions (errors, config and its
# pool_settings) serve every layer, so they import none; extensions builds the services, so it imports
# services and config only.
FORBIDDEN = {
    "services": {"views", "controllers", "middleware", "routes", "app", "server", "extensions", "flask", "werkzeug"},
    "middleware": {"views", "controllers", "routes", "app", "server"},
    "controllers": {"views", "routes", "app", "server"},
    "schemas": {"views", "controllers", "middleware", "services", "routes", "app", "server", "extensions"},
    "views": {"routes", "app", "server", "lambda_function", "extensions"},
    "errors": LAYERS | ROOT_MODULES - ERRORS,
    # a family imports only the root (importing errors.py would be a cycle: errors.py imports the families)
    "api_error": LAYERS | ROOT_MODULES - {"api_error"},
    "token_errors": LAYERS | ROOT_MODULES - {"token_errors", "api_error"},
    "managed_login_errors": LAYERS | ROOT_MODULES - {"managed_login_errors", "api_error"},
    "passkey_errors": LAYERS | ROOT_MODULES - {"passkey_errors", "api_error"},
    "account_errors": LAYERS | ROOT_MODULES - {"account_errors", "api_error"},
    "request_errors": LAYERS | ROOT_MODULES - {"request_errors", "api_error"},
    "config": LAYERS
    | ROOT_MODULES - {"config", "config_areas", "config_gateway", "config_state", "pool_settings", "errors"},
    "config_gateway": LAYERS | ROOT_MODULES - {"config_gateway", "config_areas", "pool_settings", "errors"},
    "config_state": LAYERS | ROOT_MODULES - {"config_state", "config_areas", "pool_settings", "errors"},
    "config_areas": LAYERS | ROOT_MODULES - {"config_areas", "pool_settings", "errors"},
    "pool_settings": LAYERS | ROOT_MODULES - {"pool_settings", "errors"},
    "extensions": {"views", "controllers", "middleware", "schemas"} | ENTRY_POINTS,
    "routes": {"app", "server", "lambda_function"},
    "app": {"controllers", "server", "lambda_function"},
    "lambda_function": {"server"},
    "server": {"lambda_function"},
}
# `python server.py` (make run) starts the emulator when no pool is set: server.py may import cognito_emulator
# inside that function only, so gunicorn's `server:app` (and Lambda, whose package has no server.py) never loads it.
LOCAL_RUN = ("server", "main", {"cognito_emulator"})


def imported(source: str, *, skip_function: str | None = None) -> set[str]:
    """The top-level package of every module `source` imports (relative imports count as their package);
    with `skip_function`, not the imports inside the top-level function of that name."""
    tree = ast.parse(source)
    if skip_function:
        tree.body = [
            node
            for node in tree.body
            if not (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == skip_function)
        ]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.partition(".")[0])
    return names


def controllers_imported(source: str) -> set[str]:
    """The controller modules `source` imports (`from controllers import x` and `controllers.x` alike)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names if alias.name.startswith("controllers.")}
        elif isinstance(node, ast.ImportFrom) and node.module == "controllers" and not node.level:
            names |= {f"controllers.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("controllers."):
            names.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            names.add(f"controllers.{node.module or '?'}")
    return names


def violations(module: str, source: str) -> set[str]:
    """What `source`, the layer or root module `module`, imports against the rules."""
    if module == LOCAL_RUN[0]:
        found = imported(source, skip_function=LOCAL_RUN[1]) | (imported(source) - LOCAL_RUN[2])
    else:
        found = imported(source)
    broken = found & (FORBIDDEN[module] | NOT_PRODUCTION)
    if module == "controllers":
        broken |= controllers_imported(source)
    return broken


def production_modules() -> list[str]:
    """Every module the rules hold: the root's and each layer's (subpackages included)."""
    paths = [p for layer in sorted(LAYERS) for p in (ROOT / layer).rglob("*.py")]
    paths += [ROOT / f"{name}.py" for name in sorted(ROOT_MODULES)]
    return sorted(str(p.relative_to(ROOT)) for p in paths)


def rule_of(path: str) -> str:
    """The rule a module is held to: its layer's, or at the root its own."""
    layer, _, rest = path.partition("/")
    return layer if rest else layer.removesuffix(".py")


@pytest.mark.parametrize("path", production_modules(), ids=str)
def test_no_module_imports_against_the_flow(path):
    found = violations(rule_of(path), (ROOT / path).read_text())
    assert not found, f"{path} imports {found}"


def test_every_root_module_and_layer_has_a_rule():
    assert ROOT_MODULES | LAYERS <= FORBIDDEN.keys()


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("middleware", "from controllers.api_sign_in import signed_in\n"),
        ("services", "def later():\n    import controllers.hello\n"),
        ("services", "from flask import g\n"),
        ("middleware", "import routes\n"),
        # the root: the app-wide definitions import no layer (config <-> services was a cycle)
        ("config", "from services.pool_settings import read_pools\n"),
        ("config", "def later():\n    from extensions import services\n"),
        ("errors", "from config import Settings\n"),
        ("token_errors", "from errors import ApiError\n"),
        ("passkey_errors", "from token_errors import InvalidToken\n"),
        ("api_error", "from errors import InvalidRequest\n"),
        ("config_areas", "from config import ConfigError\n"),
        ("config_areas", "import services.common.metrics\n"),
        ("pool_settings", "import services.tokens.jwks\n"),
        ("extensions", "from middleware.authentication import current_claims\n"),
        ("routes", "from app import create_app\n"),
        # the views sit between routes and controllers: they declare, routes.py registers
        ("views", "import routes\n"),
        ("views", "def later():\n    from app import create_app\n"),
        ("controllers", "from views import bp\n"),
        ("middleware", "import views.site\n"),
        ("app", "from controllers import hello\n"),
        # production code never imports the emulator, the tests or the benchmarks
        ("services", "from cognito_emulator.emulator import LocalCognito\n"),
        ("controllers", "import cognito_emulator\n"),
        ("middleware", "def later():\n    from tests.support.helpers import ROOT\n"),
        ("extensions", "import bench.run\n"),
        ("lambda_function", "from cognito_emulator.state import SavedState\n"),
        ("server", "from cognito_emulator.emulator import LocalCognito\n"),
        ("server", "def serve():\n    from cognito_emulator.emulator import LocalCognito\n"),
        ("server", "def main():\n    from tests.support.helpers import ROOT\n"),
        # a controller never imports another controller
        ("controllers", "from controllers.api_sign_in import signed_in\n"),
        ("controllers", "from controllers import sessions\n"),
        ("controllers", "def later():\n    import controllers.account\n"),
        ("controllers", "from .auth import signed_in\n"),
    ],
)
def test_the_check_catches_an_import_against_the_flow(module, source):
    """The rules can fail: each forbidden import, at module level or in a function, is caught."""
    assert violations(module, source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("server", "def main():\n    from cognito_emulator.emulator import LocalCognito\n"),
        ("controllers", "from services.flows.sign_in import signed_in\n"),
        ("views", "from controllers import account\n"),
        ("routes", "from views import bp\n"),
        ("config", "from pool_settings import read_pools\n"),
        ("config", "from config_areas import Pool\n"),
        ("managed_login_errors", "from api_error import ApiError\n"),
        ("errors", "from token_errors import TokenError\n"),
        ("services", "from config import Settings\n"),
    ],
)
def test_the_check_allows_what_the_rules_allow(module, source):
    """The rules are not blanket refusals: make run's emulator in server.main, a service from a controller,
    config's own module, config from a service."""
    assert not violations(module, source)


EMULATOR = ROOT / "emulator"


@pytest.mark.parametrize(
    "path", sorted(str(p.relative_to(ROOT)) for p in EMULATOR.rglob("*.py") if "node_modules" not in p.parts), ids=str
)
def test_the_emulator_imports_nothing_of_the_server(path):
    """The emulator is a package of its own (`pip install ./emulator` carries no file of the server): none of
    its modules, its tests included, imports the server's modules, layers, tests or benchmarks."""
    found = imported((ROOT / path).read_text()) & (ROOT_MODULES | LAYERS | {"tests", "bench", "local"})
    assert not found, f"{path} imports {found}"


def test_the_root_holds_only_the_entry_points_and_app_wide_definitions():
    assert {path.stem for path in ROOT.glob("*.py")} == ROOT_MODULES


# Tests: a test module imports no other test module; what two share lives in tests/support (fixtures through
# tests/conftest.py), so running, moving or deleting one test file never changes another.
TESTS = ROOT / "tests"


def imported_test_modules(source: str) -> set[str]:
    """The test modules (`tests.test_*`, or `test_*` beside it) that `source` imports, in a function too."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        modules = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.ImportFrom) and node.level:  # from . import test_x
            modules = [alias.name for alias in node.names]
        names |= {m for m in modules if m.split(".")[-1].startswith("test_") and m.split(".")[0] in ("tests", m)}
    return names


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in TESTS.rglob("*.py")), ids=str)
def test_no_test_module_imports_another(path):
    found = imported_test_modules((ROOT / path).read_text())
    assert not found, f"{path} imports the test module(s) {sorted(found)}: move what they share to tests/support"


@pytest.mark.parametrize(
    "source",
    [
        "from tests.test_lambda import event\n",
        "import tests.test_alb_tokens\n",
        "def later():\n    from tests.test_paths import AMBIGUOUS\n",
        "from tests import test_sessions_end\n",
        "from . import test_redirects\n",
        "from .test_redirects import OAUTH2_PROXY_PAYLOADS\n",
    ],
)
def test_the_check_catches_a_test_module_importing_another(source):
    """The rule can fail: each way of importing a test module is caught."""
    assert imported_test_modules(source)


def test_the_check_allows_tests_support():
    assert not imported_test_modules("from tests.support.lambda_events import event\nimport tests.support.alb\n")
