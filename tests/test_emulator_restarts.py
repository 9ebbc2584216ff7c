"""`python server.py` with the embedded emulator, killed every way: no user the server confirmed is ever lost, a
state file it cannot use stops it with a message, and no request is written to its log with its query string."""

from __future__ import annotations

import os
import pickle
import signal

import pytest
import requests
from flask import Flask

from tests.support.helpers import PASSWORD
from tests.support.restarts import Server, populated_backend, write_legacy
from tests.support.servers import free_port

pytestmark = [pytest.mark.subprocess]


def register(server: Server, name: str, confirm: bool = True) -> None:
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    assert server.post("/auth/register", body).status_code == 201
    if confirm:
        assert server.post("/auth/confirm", {"username": name, "code": server.code(name)}).status_code == 200


def signs_in(server: Server, name: str) -> bool:
    return server.post("/auth/login", {"username": name, "password": PASSWORD}).status_code == 200


@pytest.mark.slow
def test_kill_9_of_the_process_group_right_after_a_confirmation_loses_no_user(tmp_path):
    state, port, users = str(tmp_path / "state.json"), free_port(), []
    for round_ in range(21):
        server = Server(state, port)
        try:
            assert all(signs_in(server, name) for name in users[-1:]), server.output()  # the one just before the kill
            if round_ == 20:
                lost = [name for name in users if not signs_in(server, name)]
                assert not lost, f"lost {lost}"
                break
            users.append(f"user{round_}")
            register(server, users[-1])
        finally:
            server.signal(signal.SIGKILL)  # right after the answer: no chance to save anything more
            server.wait()


def test_sigterm_twice_right_after_a_sign_up_loses_nothing(tmp_path):
    state, port = str(tmp_path / "state.json"), free_port()
    server = Server(state, port)
    register(server, "alice", confirm=False)
    server.signal(signal.SIGTERM)
    server.signal(signal.SIGTERM)
    server.wait()
    assert "Traceback" not in server.output()
    again = Server(state, port)
    try:
        answer = again.post("/auth/login", {"username": "alice", "password": PASSWORD})
        assert answer.json()["error"] == "user_not_confirmed"  # there, and still unconfirmed
        assert again.post("/auth/confirm", {"username": "alice", "code": again.code("alice")}).status_code == 200
        assert signs_in(again, "alice")
    finally:
        again.signal(signal.SIGTERM)
        again.wait()


def test_an_old_state_pickle_is_converted_with_every_user(tmp_path):
    backend, ids = populated_backend()
    write_legacy(tmp_path / "state.pickle", backend, ids)
    server = Server(str(tmp_path / "state.json"), free_port())
    try:
        assert requests.get(f"{server.url}/auth/config", timeout=5).json()["user_pool_id"] == ids["user_pool_id"]
        assert signs_in(server, "alice")
        assert (
            server.post("/auth/login", {"username": "bob", "password": PASSWORD}).json()["error"]
            == "user_not_confirmed"
        )
        assert not signs_in(server, "carol")  # disabled, and still so
    finally:
        server.signal(signal.SIGTERM)
        server.wait()
    assert (tmp_path / "state.pickle.converted").exists() and not (tmp_path / "state.pickle").exists()


def _truncated(path) -> None:
    path.write_text('{"format": "cognito-emulator-state", "version": 1, "ids": {"user_pool_id": "us-east-1_x"}, "po')


def _wrong_shape(path) -> None:
    path.write_text('{"format": "cognito-emulator-state", "version": 1, "ids": {}, "pools": [{"name": 3}]}')


def _symlink(path) -> None:
    (path.parent / "elsewhere.json").write_text('{"not": "yours"}')
    path.symlink_to(path.parent / "elsewhere.json")


def _directory(path) -> None:
    path.mkdir()


def _bad_pickle(path) -> None:
    (path.parent / "state.pickle").write_bytes(pickle.dumps({"ids": {}, "pools": {"x": os.system}, "domains": {}}))


@pytest.mark.parametrize("spoil", [_truncated, _wrong_shape, _symlink, _directory, _bad_pickle])
def test_a_state_file_it_cannot_use_stops_the_start_with_a_message(tmp_path, spoil):
    path = tmp_path / "state.json"
    spoil(path)
    before = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path) if (tmp_path / name).is_file()}
    server = Server(str(path), free_port(), wait=False)
    assert server.wait() != 0
    printed = server.output()
    assert "Traceback" not in printed and "make run-fresh" in printed and "Move the file aside" in printed
    assert str(tmp_path) in printed
    after = {name: (tmp_path / name).read_bytes() for name in os.listdir(tmp_path) if (tmp_path / name).is_file()}
    assert after == before  # nothing overwritten, nothing moved, nothing started empty


def test_no_werkzeug_access_log_but_the_apps_own_request_line(tmp_path):
    server = Server(str(tmp_path / "state.json"), free_port())
    try:
        requests.get(f"{server.url}/hello?access_token=SECRETINQUERY", timeout=5)
        requests.post(f"{server.url}/auth/login?password=ALSOSECRET", json={}, timeout=5)
    finally:
        server.signal(signal.SIGTERM)
        server.wait()
    printed = server.output()
    assert "GET /hello" in printed and "POST /auth/login" in printed  # the app's line
    assert "SECRETINQUERY" not in printed and "ALSOSECRET" not in printed and "HTTP/1.1" not in printed


def test_fresh_forgets_the_json_and_an_old_pickle(tmp_path):
    backend, ids = populated_backend()
    write_legacy(tmp_path / "state.pickle", backend, ids)
    server = Server(str(tmp_path / "state.json"), free_port(), "--fresh")
    try:
        assert requests.get(f"{server.url}/auth/config", timeout=5).json()["user_pool_id"] != ids["user_pool_id"]
        assert not signs_in(server, "alice")
    finally:
        server.signal(signal.SIGTERM)
        server.wait()


def test_the_emulators_folder_is_the_servers_shared_state_dir(tmp_path, monkeypatch, pool):
    """Sign-outs the server keeps itself are kept next to the emulator's users, so they survive a restart too."""
    import cognito_emulator.emulator

    for name, value in (("COGNITO_USER_POOL_ID", pool["user_pool_id"]), ("COGNITO_CLIENT_ID", pool["client_id"])):
        monkeypatch.setenv(name, value)  # importing server.py builds its gunicorn app from the environment
    import server

    monkeypatch.delenv("COGNITO_USER_POOL_ID")  # and then: `python server.py` with no pool, the emulator's way

    class Emulator:  # the real one would serve from this test process's moto
        example_idp = None

        def __init__(self, state_file: str, example_idp: bool = False) -> None:
            self.state = type("State", (), {"path": state_file})()

        def local_pool(self) -> dict:
            return pool

        def enable_oauth(self, settings: dict, server_port: int = 5000) -> dict:
            return {}

        def stop(self) -> None:
            pass

        def last_code(self, username: str, medium: str = "EMAIL") -> None:
            return None  # the page's code hint reads it (cognito_emulator/code_hint.py)

        def allow_origins(self, origins) -> None:
            seen["cors_origins"] = list(origins)

    class Serving:
        def serve_forever(self) -> None:
            raise KeyboardInterrupt  # Ctrl-C at once

        def server_close(self) -> None:
            pass

    seen = {}
    monkeypatch.setenv("LOCAL_COGNITO_STATE", str(tmp_path / "kept" / "state.json"))
    monkeypatch.setattr(cognito_emulator.emulator, "LocalCognito", Emulator)
    monkeypatch.setattr(server, "create_app", lambda overrides: seen.update(overrides) or Flask("fake"))
    monkeypatch.setattr(server, "make_server", lambda *args, **kwargs: Serving())
    monkeypatch.setattr(server.signal, "signal", lambda *args: None)
    server.main([])
    assert seen["shared_state_dir"] == str(tmp_path / "kept")
    assert seen["user_pool_id"] == pool["user_pool_id"] and seen["demo_page"] is True
    port = os.environ.get("PORT", "5000")
    assert seen["cors_origins"] == [f"http://localhost:{port}"]  # make run's page, and no other origin
    # make run signs /auth/check's assertions with a key it made there, kept for the next start
    key = tmp_path / "kept" / "assertion-key.pem"
    assert seen["assertion_key_file"] == str(key) and seen["assertion_issuer"] == f"http://localhost:{port}"
    assert key.stat().st_mode & 0o077 == 0 and b"PRIVATE KEY" in key.read_bytes()
    made = key.read_bytes()
    server.main([])
    assert key.read_bytes() == made
