"""Cognito's failures, translated at the boundary into the API's errors (the cause kept)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

import errors

log = logging.getLogger(__name__)

# Cognito error code -> our error. Operations may override entries (see `login`).
ERRORS: dict[str, type[errors.ApiError]] = {
    "UsernameExistsException": errors.UsernameExists,
    "AliasExistsException": errors.UsernameExists,
    "InvalidPasswordException": errors.InvalidPassword,
    "InvalidParameterException": errors.InvalidRequest,
    "CodeMismatchException": errors.CodeMismatch,
    "ExpiredCodeException": errors.ExpiredCode,
    "NotAuthorizedException": errors.NotAuthorized,
    "UserNotConfirmedException": errors.UserNotConfirmed,
    "UserNotFoundException": errors.NotFound,
    "PasswordResetRequiredException": errors.PasswordResetRequired,
    "TooManyRequestsException": errors.TooManyRequests,
    "LimitExceededException": errors.TooManyRequests,
    "TooManyFailedAttemptsException": errors.TooManyRequests,
}
# Calls Cognito authorizes with the user's access token: its refusal means the token, not a password.
BEARER_CALL = {"NotAuthorizedException": errors.RevokedToken, "UserNotFoundException": errors.RevokedToken}
# Errors whose Cognito message is meant for the user (a password policy's reason, a field's constraint).
PASS_MESSAGE = (errors.InvalidPassword, errors.InvalidRequest)


@contextmanager
def translated(
    operation: str, overrides: Mapping[str, type[errors.ApiError]] | None = None, *, keep_message: bool = True
) -> Iterator[None]:
    """Turn a Cognito or network failure into an ApiError, keeping the cause."""
    try:
        yield
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
        error = {**ERRORS, **(overrides or {})}.get(code)
        if error is None and status >= 500:
            log.warning("Cognito %s failed: %s (HTTP %s)", operation, code, status)
            raise errors.ServiceUnavailable() from err
        if error is None:
            log.error("Cognito %s answered an unexpected %s (HTTP %s)", operation, code, status)
            raise errors.ApiError() from err
        message = err.response["Error"].get("Message") if keep_message and error in PASS_MESSAGE else None
        raise error(message) from err
    except ParamValidationError as err:
        raise errors.InvalidRequest(str(err).replace("\n", " ")) from err
    except (BotoConnectionError, HTTPClientError) as err:
        log.warning("Cognito %s unreachable: %s", operation, type(err).__name__)
        raise errors.ServiceUnavailable() from err
    except BotoCoreError as err:
        log.error("Cognito %s failed: %s", operation, type(err).__name__)
        raise errors.ApiError() from err


@contextmanager
def unless_user_unknown(operation: str) -> Iterator[None]:
    """Translate errors, but swallow the ones that would tell an unknown (or unverifiable) user apart."""
    try:
        with translated(operation):
            yield
    except (errors.NotFound, errors.NotAuthorized, errors.InvalidRequest) as err:
        log.info("%s for an unknown or unverifiable user: %s", operation, err.error)
