"""The per-route policy file (POLICY_FILE) of /auth/check: its model (`model.py`), read and checked with lines
(`parse.py`), the original request made canonical (`target.py`), who is signed in as the rules read it
(`identity.py`), the evaluation (`evaluate.py`), the step-up to a fresh sign-in (`step_up.py`) and the dry run's
commands (`cli.py`)."""
