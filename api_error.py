"""The root of the API's errors: each knows its status, code, message and headers (errors.py has them all).

No framework here: services raise these, and `handlers.py` (with the app) renders them as JSON.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error the API answers with `{"error": code, "message": sentence}` and `status_code`."""

    status_code = 500
    error = "internal_error"
    message = "The server could not complete the request."
    headers: dict[str, str] = {}

    def __init__(
        self, message: str | None = None, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.extra = extra or {}
        self.headers = {**type(self).headers, **(headers or {})}

    def body(self) -> dict[str, Any]:
        return {**self.extra, "error": self.error, "message": self.message}
