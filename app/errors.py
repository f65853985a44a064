"""One error path: domain exceptions and their mapping to the `{"status": "error"}` envelope.

Routes and socket handlers raise these; `error_envelope` turns any exception
into (body, HTTP code) for REST responses and Socket.IO acks alike.
"""
from __future__ import annotations

import logging

from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("sqlarena.errors")


class ApiError(Exception):
    code = 500
    default_message = "internal error"

    def __init__(self, message: str | None = None, **details):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details = details   # extra envelope fields, e.g. `errors` of a problem-set import


class BadRequest(ApiError):
    code = 400
    default_message = "malformed request"


class PayloadTooLarge(ApiError):
    code = 413
    default_message = "request body too large"


class Unauthorized(ApiError):
    code = 401
    default_message = "authentication required"


class Forbidden(ApiError):
    code = 403
    default_message = "you are not allowed to do this"


class NotFound(ApiError):
    code = 404
    default_message = "not found"


class Conflict(ApiError):
    code = 409
    default_message = "conflict"


class Invalid(ApiError):
    code = 422
    default_message = "invalid value"


class TooManyRequests(ApiError):
    code = 429
    default_message = "too many requests"


class ServiceUnavailable(ApiError):
    code = 503
    default_message = "service unavailable"


_HTTP_MESSAGES = {
    400: "malformed request",
    404: "not found",
    405: "method not allowed",
    413: "request body too large",
    415: "unsupported media type",
}


def envelope(message: str) -> dict:
    return {"status": "error", "message": message}


def error_envelope(exc: BaseException) -> tuple[dict, int]:
    """Maps any exception to the API's error envelope and HTTP code, never leaking internals."""
    if isinstance(exc, ApiError):
        return {**envelope(exc.message), **exc.details}, exc.code
    if isinstance(exc, (JWTExtendedException, PyJWTError)):
        return envelope(_token_message(exc)), 401
    if isinstance(exc, HTTPException):
        code = exc.code or 500
        if code == 400 and "JSON" in (exc.description or ""):
            return envelope("malformed JSON body"), 400
        return envelope(_HTTP_MESSAGES.get(code, exc.name.lower())), code
    log.exception("unhandled error", exc_info=exc)
    return envelope("internal error"), 500


def _token_message(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "ExpiredSignatureError":
        return "token has expired"
    if name == "RevokedTokenError":
        return "token has been revoked"
    if name == "WrongTokenError":
        return "wrong token type"
    if name == "NoAuthorizationError":
        return "missing Authorization header with a Bearer token"
    if name == "UserLookupError":
        return "token user no longer exists"
    return "invalid token"
