"""Cognito's failures, translated at the boundary into the API's errors (the cause kept)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import errors

log = logging.getLogger(__name__)
_PARAMETER = re.compile(r"parameter ([A-Za-z0-9_.\[\]]+)")

# Cognito error code -> our error. Operations may override entries (see `login`).
ERRORS: dict[str, type[errors.ApiError]] = {
    "UsernameExistsException": errors.UsernameExists,
    "AliasExistsException": errors.UsernameExists,
    "InvalidPasswordException": errors.InvalidPassword,
    "InvalidParameterException": errors.InvalidParameter,
    "CodeMismatchException": errors.CodeMismatch,
    "ExpiredCodeException": errors.ExpiredCode,
    # VerifySoftwareToken's answer to a wrong code from the authenticator app.
    "EnableSoftwareTokenMFAException": errors.CodeMismatch,
    "NotAuthorizedException": errors.NotAuthorized,
    "UserNotConfirmedException": errors.UserNotConfirmed,
    "UserNotFoundException": errors.UserNotFound,
    "PasswordResetRequiredException": errors.PasswordResetRequired,
    "TooManyRequestsException": errors.TooManyRequests,
    "LimitExceededException": errors.TooManyRequests,
    "TooManyFailedAttemptsException": errors.TooManyRequests,
    # The app client's configuration does not allow the call (RevokeToken with revocation disabled, say).
    "UnsupportedOperationException": errors.InvalidParameter,
    # Passwordless sign-in and passkeys: the pool's plan or settings, and the WebAuthn checks.
    "FeatureUnavailableInTierException": errors.FeatureUnavailable,
    "OperationNotEnabledException": errors.FeatureUnavailable,
    "WebAuthnNotEnabledException": errors.WebAuthnNotEnabled,
    "WebAuthnConfigurationMissingException": errors.WebAuthnConfigurationMissing,
    "WebAuthnChallengeNotFoundException": errors.WebAuthnChallengeNotFound,
    "WebAuthnRelyingPartyMismatchException": errors.WebAuthnRelyingPartyMismatch,
    "WebAuthnClientMismatchException": errors.WebAuthnClientMismatch,
    "WebAuthnOriginNotAllowedException": errors.WebAuthnOriginNotAllowed,
    "WebAuthnCredentialNotSupportedException": errors.WebAuthnCredentialNotSupported,
}
# Calls Cognito authorizes with the user's access token: its refusal means the token, not a password.
BEARER_CALL = {"NotAuthorizedException": errors.RevokedToken, "UserNotFoundException": errors.RevokedToken}
# Errors whose Cognito message is meant for the user (a password policy's reason, a field's constraint).
PASS_MESSAGE = (errors.InvalidPassword, errors.InvalidRequest)
# Cognito's reason for an InvalidParameter is the fix (e.g. "USER_PASSWORD_AUTH flow not enabled for this
# client"), and it never depends on whether the user exists: always passed through, and logged.
ALWAYS_PASS_MESSAGE = (errors.InvalidParameter,)
# The caller's IAM identity may not make the call: the operator must grant it, the client can do nothing.
ACCESS_DENIED = frozenset({"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException"})


@contextmanager
def translated(
    operation: str, overrides: Mapping[str, type[errors.ApiError]] | None = None, *, keep_message: bool = True
) -> Iterator[None]:
    """Turn a Cognito or network failure into an ApiError, keeping the cause."""
    # Imported here, around the call that loads botocore anyway (see services/cognito/client.py): not at a cold start.
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        HTTPClientError,
        NoCredentialsError,
        ParamValidationError,
    )
    from botocore.exceptions import ConnectionError as BotoConnectionError

    try:
        yield
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
        error = {**ERRORS, **(overrides or {})}.get(code)
        if code in ACCESS_DENIED:
            log.error("Cognito %s refused: %s; grant the server cognito-idp:%s", operation, code, operation)
            raise errors.ApiError() from err
        if error is None and status >= 500:
            log.warning("Cognito %s failed: %s (HTTP %s)", operation, code, status)
            raise errors.ServiceUnavailable() from err
        if error is None:
            log.error("Cognito %s answered an unexpected %s (HTTP %s)", operation, code, status)
            raise errors.ApiError() from err
        message = err.response["Error"].get("Message") or None
        if error in ALWAYS_PASS_MESSAGE:
            log.warning("Cognito %s refused a parameter: %s", operation, message)
        elif not (keep_message and error in PASS_MESSAGE):
            message = None
        raise error(message) from err
    except ParamValidationError as err:
        # The controllers check every field first; botocore's own wording is never shown to a client.
        # Its report can quote a value (a password): name the parameters only.
        names = ", ".join(sorted(set(_PARAMETER.findall(str(err))))) or "?"
        log.warning("Cognito %s not called: botocore refused parameter(s) %s", operation, names)
        raise errors.InvalidRequest() from err
    except NoCredentialsError as err:
        log.error("Cognito %s needs AWS credentials and none were found (boto3's credential chain)", operation)
        raise errors.ApiError() from err
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
    except (errors.UserNotFound, errors.NotAuthorized, errors.InvalidRequest, errors.InvalidParameter) as err:
        log.info("%s for an unknown or unverifiable user: %s", operation, err.error)
