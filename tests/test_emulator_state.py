"""The emulator's state file (state.py, snapshot.py): complete, our own format, and never misread.

Restores go into a separate moto backend object, so the session's emulator is never touched.
"""

from __future__ import annotations

import json
import os
import pickle
import stat

import pytest

from cognito_emulator import snapshot
from cognito_emulator.state import SavedState, StateError
from tests.support.helpers import PASSWORD
from tests.support.restarts import new_backend, populated_backend, write_legacy

ACCOUNT, REGION = "123456789012", "us-east-1"


def test_everything_survives_a_dump_and_restore(tmp_path):
    backend, ids = populated_backend()
    saved = SavedState(str(tmp_path / "state.json"))
    saved.keep(backend, ids)
    document = json.loads((tmp_path / "state.json").read_text())
    assert document["format"] == "cognito-emulator-state" and document["version"] == 1
    restored = new_backend()
    assert SavedState(str(tmp_path / "state.json")).load(restored) == ids
    assert snapshot.dump(restored.user_pools, restored.user_pool_domains, ids) == document
    pool = restored.user_pools[ids["user_pool_id"]]
    alice = pool.users["alice"]
    assert (
        alice.password == PASSWORD and alice.status == "CONFIRMED" and [g.group_name for g in alice.groups] == ["staff"]
    )
    assert pool.groups["staff"].users == {alice} and alice.token_verified and alice.software_token_mfa_enabled
    assert pool.users["bob"].status == "UNCONFIRMED" and not pool.users["carol"].enabled
    assert pool.mfa_config == "OPTIONAL" and pool.token_mfa_config == {"Enabled": True}
    assert (
        pool.clients[ids["client_id"]].secret
        == backend.user_pools[ids["user_pool_id"]].clients[ids["client_id"]].secret
    )
    assert pool.refresh_tokens and pool.access_tokens and pool.id_tokens
    assert restored.user_pool_domains["local-domain"].user_pool_id == pool.id
    # Tokens it issued before still verify: every pool signs with moto's one fixed key.
    assert pool.json_web_key.as_dict(private=True) == backend.user_pools[pool.id].json_web_key.as_dict(private=True)


def test_the_file_is_private_and_rewritten_only_on_a_change(tmp_path):
    backend, ids = populated_backend()
    path = tmp_path / "state.json"
    saved = SavedState(str(path))
    saved.keep(backend, ids)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    before = path.stat().st_ino
    saved.save()
    assert path.stat().st_ino == before  # nothing changed: not rewritten
    backend.admin_delete_user(ids["user_pool_id"], "bob")
    saved.save()
    assert path.stat().st_ino != before and "bob" not in path.read_text()
    assert sorted(os.listdir(tmp_path)) == ["state.json"]  # no temporary file left behind


def test_fields_a_later_version_adds_are_ignored(tmp_path):
    backend, ids = populated_backend()
    document = snapshot.dump(backend.user_pools, backend.user_pool_domains, ids)
    document["someday"] = {"x": 1}
    document["pools"][0]["someday"] = [1, 2]
    document["pools"][0]["users"][0]["someday"] = "yes"
    document["pools"][0]["clients"][0]["someday"] = None
    (tmp_path / "state.json").write_text(json.dumps(document))
    restored = new_backend()
    assert SavedState(str(tmp_path / "state.json")).load(restored) == ids
    assert set(restored.user_pools[ids["user_pool_id"]].users) == {"alice", "bob", "carol"}


def refused(path, backend=None) -> str:
    with pytest.raises(StateError) as raised:
        SavedState(str(path)).load(backend or new_backend())
    message = str(raised.value)
    assert str(path) in message and "make run-fresh" in message and "\n" not in message
    return message


def test_a_truncated_file_is_refused_and_kept(tmp_path):
    backend, ids = populated_backend()
    SavedState(str(tmp_path / "state.json")).keep(backend, ids)
    whole = (tmp_path / "state.json").read_bytes()
    (tmp_path / "state.json").write_bytes(whole[: len(whole) // 2])
    assert "truncated" in refused(tmp_path / "state.json")
    assert (tmp_path / "state.json").read_bytes() == whole[: len(whole) // 2]


WRONG_SHAPES = [
    [],
    {"pools": []},
    {"format": "cognito-emulator-state", "version": 2, "ids": {}, "pools": []},
    {"format": "cognito-emulator-state", "version": 1, "ids": [], "pools": []},
    {"format": "cognito-emulator-state", "version": 1, "ids": {}, "pools": {}},
    {"format": "cognito-emulator-state", "version": 1, "ids": {}, "pools": [{"id": "x"}]},
    {"format": "cognito-emulator-state", "version": 1, "ids": {}, "pools": ["x"]},
]


@pytest.mark.parametrize("document", WRONG_SHAPES, ids=range(len(WRONG_SHAPES)))
def test_a_wrong_shaped_file_is_refused_and_nothing_restored(tmp_path, document):
    (tmp_path / "state.json").write_text(json.dumps(document))
    backend = new_backend()
    refused(tmp_path / "state.json", backend)
    assert not backend.user_pools


def test_a_damaged_user_fails_the_whole_restore(tmp_path):
    backend, ids = populated_backend()
    document = snapshot.dump(backend.user_pools, backend.user_pool_domains, ids)
    del document["pools"][0]["users"][1]["username"]
    (tmp_path / "state.json").write_text(json.dumps(document))
    fresh = new_backend()
    assert "wrong shape" in refused(tmp_path / "state.json", fresh)
    assert not fresh.user_pools


def test_a_symlinked_state_file_is_refused_and_its_target_never_written(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours")
    (tmp_path / "state.json").symlink_to(target)
    assert "symbolic link" in refused(tmp_path / "state.json")
    assert target.read_text() == "not yours"


def test_a_symlink_planted_at_the_temporary_name_is_never_written_through(tmp_path, monkeypatch):
    backend, ids = populated_backend()
    target = tmp_path / "elsewhere.txt"
    target.write_text("not yours")
    monkeypatch.setattr("cognito_emulator.state._random_suffix", lambda: "guessed")
    (tmp_path / ".state.json.guessed.tmp").symlink_to(target)
    with pytest.raises(FileExistsError):
        SavedState(str(tmp_path / "state.json")).keep(backend, ids)
    assert target.read_text() == "not yours" and not (tmp_path / "state.json").exists()


def test_a_directory_where_the_file_should_be_is_refused(tmp_path):
    (tmp_path / "state.json").mkdir()
    assert "plain file" in refused(tmp_path / "state.json")


def test_an_old_pickle_is_converted_once_with_every_user(tmp_path):
    backend, ids = populated_backend()
    write_legacy(tmp_path / "state.pickle", backend, ids)
    restored = new_backend()
    assert SavedState(str(tmp_path / "state.json")).load(restored) == ids
    assert set(restored.user_pools[ids["user_pool_id"]].users) == {"alice", "bob", "carol"}
    assert restored.user_pools[ids["user_pool_id"]].users["alice"].password == PASSWORD
    assert sorted(os.listdir(tmp_path)) == ["state.json", "state.pickle.converted"]
    assert json.loads((tmp_path / "state.json").read_text())["format"] == "cognito-emulator-state"


def test_a_pickle_named_by_local_cognito_state_becomes_the_json_next_to_it(tmp_path):
    backend, ids = populated_backend()
    write_legacy(tmp_path / "mine.pickle", backend, ids)
    saved = SavedState(str(tmp_path / "mine.pickle"))
    assert saved.path == str(tmp_path / "mine.json")
    assert saved.load(new_backend()) == ids
    assert sorted(os.listdir(tmp_path)) == ["mine.json", "mine.pickle.converted"]


class Evil:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_a_pickle_naming_anything_else_is_refused_unrun(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "state.pickle").write_bytes(pickle.dumps({"ids": {}, "pools": {"x": Evil()}, "domains": {}}))
    assert "cannot be converted" in refused(tmp_path / "state.pickle").replace(str(tmp_path / "state.pickle"), "")
    assert not (tmp_path / "pwned").exists() and (tmp_path / "state.pickle").exists()
