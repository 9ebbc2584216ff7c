"""AuthService: the Cognito user-pool calls the API makes, with Cognito's errors translated to ours."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError, ParamValidationError
from botocore.exceptions import ConnectionError as BotoConnectionError

import errors
from config import Settings

log = logging.getLogger(__name__)

# Cognito error code -> our error. Operations may override entries (see `login`).
_ERRORS: dict[str, type[errors.ApiError]] = {
    "UsernameExistsException": errors.UsernameExists,
    "AliasExistsException": errors.UsernameExists,
    "InvalidPasswordException": errors.InvalidPassword,
    "InvalidParameterException": errors.InvalidRequest,
    "CodeMismatchException": errors.CodeMismatch,
    "ExpiredCodeException": errors.ExpiredCode,
    "NotAuthorizedException": errors.NotAuthorized,
    "UserNotConfirmedException": errors.UserNotConfirmed,
    "TooManyRequestsException": errors.TooManyRequests,
    "LimitExceededException": errors.TooManyRequests,
    "TooManyFailedAttemptsException": errors.TooManyRequests,
}
# Errors whose Cognito message is meant for the user (a password policy's reason, a field's constraint).
_PASS_MESSAGE = (errors.InvalidPassword, errors.InvalidRequest)


def cognito_client(settings: Settings) -> Any:
    """The one boto3 `cognito-idp` client of a process, with bounded timeouts and retries."""
    config = Config(
        connect_timeout=min(settings.cognito_timeout, 2.0),
        read_timeout=settings.cognito_timeout,
        retries={"mode": "standard", "total_max_attempts": 2},
        max_pool_connections=32,
    )
    return boto3.client("cognito-idp", region_name=settings.region, endpoint_url=settings.endpoint_url, config=config)


class AuthService:
    """Sign-up, confirmation and sign-in against one user pool app client."""

    def __init__(self, client: Any, client_id: str) -> None:
        self.client = client
        self.client_id = client_id

    def register(self, username: str, email: str, password: str) -> dict[str, Any]:
        """SignUp; returns the new user's sub, confirmation state and where the code was sent."""
        with _translated("SignUp"):
            result = self.client.sign_up(
                ClientId=self.client_id,
                Username=username,
                Password=password,
                UserAttributes=[{"Name": "email", "Value": email}],
            )
        delivery = result.get("CodeDeliveryDetails")
        return {
            "username": username,
            "user_sub": result["UserSub"],
            "confirmed": result["UserConfirmed"],
            "code_delivery": delivery
            and {
                "destination": delivery.get("Destination"),
                "medium": delivery.get("DeliveryMedium"),
                "attribute": delivery.get("AttributeName"),
            },
        }

    def confirm(self, username: str, code: str) -> None:
        """ConfirmSignUp with the code the user received."""
        with _translated("ConfirmSignUp", {"UserNotFoundException": errors.CodeMismatch}):
            self.client.confirm_sign_up(ClientId=self.client_id, Username=username, ConfirmationCode=code)

    def login(self, username: str, password: str) -> dict[str, Any]:
        """InitiateAuth USER_PASSWORD_AUTH; returns tokens, or the challenge Cognito asks for."""
        # An unknown user answers exactly like a wrong password: no user enumeration.
        with _translated("InitiateAuth", {"UserNotFoundException": errors.NotAuthorized}, keep_message=False):
            result = self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        if "ChallengeName" in result:
            return {
                "challenge": result["ChallengeName"],
                "session": result.get("Session"),
                "parameters": result.get("ChallengeParameters", {}),
            }
        tokens = result["AuthenticationResult"]
        return {
            "access_token": tokens["AccessToken"],
            "id_token": tokens["IdToken"],
            "refresh_token": tokens.get("RefreshToken"),
            "expires_in": tokens["ExpiresIn"],
            "token_type": "Bearer",
        }


@contextmanager
def _translated(
    operation: str, overrides: Mapping[str, type[errors.ApiError]] | None = None, *, keep_message: bool = True
) -> Iterator[None]:
    """Turn a Cognito or network failure into an ApiError, keeping the cause."""
    try:
        yield
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
        error = {**_ERRORS, **(overrides or {})}.get(code)
        if error is None and status >= 500:
            log.warning("Cognito %s failed: %s (HTTP %s)", operation, code, status)
            raise errors.ServiceUnavailable() from err
        if error is None:
            log.error("Cognito %s answered an unexpected %s (HTTP %s)", operation, code, status)
            raise errors.ApiError() from err
        message = err.response["Error"].get("Message") if keep_message and error in _PASS_MESSAGE else None
        raise error(message) from err
    except ParamValidationError as err:
        raise errors.InvalidRequest(str(err).replace("\n", " ")) from err
    except (BotoConnectionError, HTTPClientError) as err:
        log.warning("Cognito %s unreachable: %s", operation, type(err).__name__)
        raise errors.ServiceUnavailable() from err
    except BotoCoreError as err:
        log.error("Cognito %s failed: %s", operation, type(err).__name__)
        raise errors.ApiError() from err
