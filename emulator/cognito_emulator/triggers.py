"""Cognito's Lambda triggers as Python functions: a trigger module per pool, called as Lambda calls a handler.

A trigger module is any Python module whose functions are named after Cognito's triggers (`TRIGGERS`); each is
called `(event, context) -> event` with Cognito's event for it (trigger_events.py builds them), so the same
function runs unchanged on AWS Lambda. `configure(pool_id, module)` assigns one (a module object, a dotted name or
a file path; pool id "*" for every pool without one of its own); LocalCognito.set_triggers does the same.

What Cognito does with the function's answer ([DG] "User pool Lambda trigger common parameters", "Important
considerations"; ../shared/PROTOCOLS-2.md section 3): a function that raises refuses the operation with
UserLambdaValidationException "<Trigger> failed with error <message>." (a period appended); one that answers
no event (None, a string) InvalidLambdaResponseException "Unrecognizable lambda output"; one that has not
answered after 5 s (Cognito's limit) UnexpectedLambdaException "<Trigger> invocation failed due to error Socket
timeout while invoking Lambda function." (the message clients quote: aws-amplify users, sst issue #1815). Cognito
retries a failed invocation; a Python function here runs once (a side effect would repeat there, not here).

The hooks that call the triggers are in trigger_events.py (sign-up, confirmation, sign-in),
trigger_migration.py (user migration), trigger_tokens.py (pre token generation),
trigger_messages.py (custom message) and custom_auth.py (CUSTOM_AUTH and CUSTOM_WITH_SRP); `teach()`
installs them all, once.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import os
import threading
import time
import uuid
from types import ModuleType
from typing import Any

from cognito_emulator.webauthn_ops import error

# The trigger module's function names and the names Cognito gives each trigger in its error messages.
TRIGGERS = {
    "pre_sign_up": "PreSignUp",
    "post_confirmation": "PostConfirmation",
    "pre_authentication": "PreAuthentication",
    "post_authentication": "PostAuthentication",
    "pre_token_generation": "PreTokenGeneration",
    "custom_message": "CustomMessage",
    "user_migration": "UserMigration",
    "define_auth_challenge": "DefineAuthChallenge",
    "create_auth_challenge": "CreateAuthChallenge",
    "verify_auth_challenge_response": "VerifyAuthChallengeResponse",
}
TIMEOUT_SECONDS = 5.0  # Cognito waits 5 s for a trigger ([DG] "Important considerations")
UNRECOGNIZABLE = "Unrecognizable lambda output"
ANY_POOL = "*"

_modules: dict[str, tuple[Any, float]] = {}  # pool id (or ANY_POOL) -> (trigger module, time limit in seconds)
_current = threading.local()  # the Cognito API request this thread is answering (moto's response object)


def load(module: Any) -> Any:
    """The trigger module `module` names: itself (a module or any object with the functions), a file path, or a
    dotted module name."""
    if not isinstance(module, str):
        return module
    if module.endswith(".py") or os.path.sep in module:
        path = os.path.abspath(module)
        name = "cognito_triggers_" + os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load a trigger module from {path}")
        loaded: ModuleType = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        return loaded
    return importlib.import_module(module)


def configure(pool_id: str, module: Any, *, timeout: float = TIMEOUT_SECONDS) -> None:
    """Call `module`'s trigger functions for the pool `pool_id` (ANY_POOL: every pool without its own); None
    removes them. `timeout`: seconds a function may take before the operation is refused (Cognito's 5 s)."""
    if module is None:
        _modules.pop(pool_id, None)
        return
    _modules[pool_id] = (load(module), float(timeout))


def configured() -> bool:
    """Whether any pool has a trigger module."""
    return bool(_modules)


def _assigned(pool: Any) -> tuple[Any, float] | None:
    pool_id = pool if isinstance(pool, str) else getattr(pool, "id", None)
    return _modules.get(str(pool_id)) or _modules.get(ANY_POOL)


def function(pool: Any, name: str) -> Any:
    """The pool's function for trigger `name` (a key of TRIGGERS), or None when none is assigned."""
    assigned = _assigned(pool)
    found = getattr(assigned[0], name, None) if assigned else None
    return found if callable(found) else None


class LambdaContext:
    """What Lambda passes a Python handler as `context` (the attributes handlers read)."""

    def __init__(self, name: str, timeout: float) -> None:
        self.function_name = f"local-{name.replace('_', '-')}"
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def invoke(pool: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run the pool's trigger `name` on `event` as Lambda would, within its time limit; return the `response` of
    the event it answers, or raise Cognito's error for a function that failed, timed out or answered nonsense."""
    handler, assigned = function(pool, name), _assigned(pool)
    if handler is None or assigned is None:
        raise LookupError(f"no {name} trigger for {pool}")
    prefix, timeout = TRIGGERS[name], assigned[1]
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["event"] = handler(copy.deepcopy(event), LambdaContext(name, timeout))
        except BaseException as failure:  # whatever the function raises refuses the operation
            outcome["error"] = failure

    worker = threading.Thread(target=run, name=f"trigger-{name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():  # left to finish on its own: a thread cannot be stopped
        raise error(
            "UnexpectedLambdaException",
            f"{prefix} invocation failed due to error Socket timeout while invoking Lambda function.",
        )
    if "error" in outcome:
        raise error("UserLambdaValidationException", f"{prefix} failed with error {outcome['error']}.")
    try:  # what Lambda would carry back: JSON only
        answered = json.loads(json.dumps(outcome.get("event")))
    except (TypeError, ValueError):
        raise error("InvalidLambdaResponseException", UNRECOGNIZABLE) from None
    if not isinstance(answered, dict) or not isinstance(answered.get("response"), dict):
        raise error("InvalidLambdaResponseException", UNRECOGNIZABLE)
    return answered["response"]  # type: ignore[no-any-return]


def request() -> Any:
    """The Cognito API request this thread is answering (moto's response object), or None (OAuth, tests)."""
    return getattr(_current, "response", None)


def param(name: str, default: Any = None) -> Any:
    """A parameter of the current request, else `default`."""
    current = request()
    value = current._get_param(name) if current is not None else None
    return default if value is None else value


def action() -> str | None:
    """The current request's operation, as moto's method name (sign_up, initiate_auth, ...)."""
    from moto.core.utils import camelcase_to_underscores

    current = request()
    return camelcase_to_underscores(current._get_action()) if current is not None else None


def teach() -> None:
    """Remember each request in its thread, and teach moto to call the triggers (once per process)."""
    from moto.cognitoidp.responses import CognitoIdpResponse

    from cognito_emulator import custom_auth, trigger_events, trigger_messages, trigger_migration, trigger_tokens

    if not getattr(CognitoIdpResponse.call_action, "remembers_request", False):
        call_action = CognitoIdpResponse.call_action

        def call_action_remembered(self: Any) -> Any:
            previous, _current.response = request(), self
            try:
                return call_action(self)
            finally:
                _current.response = previous

        call_action_remembered.remembers_request = True  # type: ignore[attr-defined]
        CognitoIdpResponse.call_action = call_action_remembered
    trigger_events.teach()
    trigger_migration.teach()
    trigger_tokens.teach()
    trigger_messages.teach()
    custom_auth.teach()
