"""State kept between requests, shared by every worker of a host (the SQLite host store, `hoststore.py`) and,
with REDIS_URL, by every instance: sign-outs and revoked families (`revocations.py`), attempt counters and the
names a user goes by (`attempts.py`), browser sessions (`session_store.py`, the store; `session_record.py`, the
record and its JSON; `session_leases.py`, one refresher at a time; `session_checks.py`, Cognito asked about a
session's user now and then) and managed-login sign-ins under way (`pending_sign_ins.py`)."""
