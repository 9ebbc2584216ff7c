"""The emulator's own tests: a sample project using the `cognito_emulator` fixture, the command, and CORS.

Installed (`pip install ./emulator`), the package's entry point loads the plugin. In the project's venv the
package is on the path only (the root pyproject.toml's pythonpath), so it is named here too; it is the entry
point's own name, so pytest registers it once either way.
"""

pytest_plugins = ["cognito_emulator.pytest_plugin"]
