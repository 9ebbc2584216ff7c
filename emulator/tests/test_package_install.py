"""`pip install ./emulator` in a fresh virtual environment: the package alone, its command, its pytest plugin.

No network is guaranteed in tests, so nothing is fetched: the package is built with the venv's own setuptools
(`--no-build-isolation`; Python 3.11's venv brings setuptools 65, and `wheel` comes with the dependencies), and
its dependencies are the project venv's, put on the fresh venv's path by a .pth file. `pip check` then holds the
package's pins to exactly the versions the project runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

import boto3
import pytest

PACKAGE = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).resolve().parent / "test_sample_project.py"


def fresh_venv(tmp_path: Path) -> Path:
    """A new venv with the package installed from a copy of emulator/ (so the build writes nothing here)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(purelib.decode().strip()) / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    source = tmp_path / "source"
    shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("node_modules", "__pycache__", "tests"))
    pip = [python, "-m", "pip", "--disable-pip-version-check", "install", "--quiet", "--no-index"]
    subprocess.run([*pip, "--no-deps", "--no-build-isolation", str(source)], check=True, timeout=300, cwd=tmp_path)
    return venv


@pytest.mark.subprocess
@pytest.mark.slow
def test_a_fresh_venv_installs_the_package_alone_and_serves_it(tmp_path):
    venv = fresh_venv(tmp_path)
    python = venv / "bin" / "python"
    checked = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout  # the package's pins are the project's versions
    # No file of the server: the distribution holds the package and its metadata only, and nothing else imports.
    files = subprocess.check_output(
        [
            python,
            "-c",
            "from importlib.metadata import files; print('\\n'.join(str(f) for f in files('cognito-emulator')))",
        ],
        cwd=tmp_path,
        text=True,
    ).split()
    assert files and all(
        f.split("/")[0] in ("cognito_emulator", "cognito_emulator-0.1.0.dist-info")
        or f.startswith("../../../bin/cognito-emulator")
        for f in files
    ), files
    modules = "('config', 'server', 'app', 'local', 'services')"
    probe = f"import importlib.util as u; print([m for m in {modules} if u.find_spec(m)])"
    assert subprocess.check_output([python, "-c", probe], cwd=tmp_path, text=True).strip() == "[]"

    config = tmp_path / "pools.json"
    config.write_text(json.dumps({"pools": [{"pool": {"PoolName": "shop"}, "clients": [{"ClientName": "web"}]}]}))
    command = subprocess.Popen(  # the console script, as a user runs it
        [venv / "bin" / "cognito-emulator", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        started = json.loads(command.stdout.readline())
        assert set(started) == {"endpoint", "region", "user_pool_id", "client_id", "domain"}
        cognito = boto3.client(
            "cognito-idp",
            region_name=started["region"],
            endpoint_url=started["endpoint"],
            aws_access_key_id="any",
            aws_secret_access_key="any",
        )
        pool = cognito.describe_user_pool(UserPoolId=started["user_pool_id"])["UserPool"]
        assert pool["Name"] == "shop"
        app = cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=started["client_id"])
        assert app["UserPoolClient"]["ClientName"] == "web"
    finally:
        command.send_signal(signal.SIGTERM)
        assert command.wait(timeout=30) == 0

    # The plugin through its entry point: the sample project's tests, alone in a folder with no conftest.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(SAMPLE, project / SAMPLE.name)
    run = subprocess.run(
        [python, "-m", "pytest", "-p", "no:cacheprovider", "-q", SAMPLE.name],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
