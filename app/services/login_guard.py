"""Failed-login limits per account and per client address (SPEC 9.7), with the `limits` library.

- Per account (LOGIN_FAILURES_PER_ACCOUNT): every attempt on an e-mail takes a
  hit before its password is checked, so concurrent guesses cannot overshoot;
  a successful login clears that e-mail's counter (the limit counts failures
  in a row).
- Per client address (LOGIN_FAILURES_PER_ADDRESS): only failures count, so a
  classroom behind one NAT can sign in any number of accounts. A burst of
  concurrent guesses can overshoot it by the requests already in flight.

The key is the e-mail as typed (normalised), whether or not an account has it,
so a 429 tells nothing about which e-mails exist. The address is whatever the
route passes (request.remote_addr): behind a reverse proxy, configure
werkzeug's ProxyFix so that it is the client's; X-Forwarded-For is not trusted
by default, since any client can write it.

Counters live in RATE_LIMIT_STORAGE_URL: memory:// for one process, redis://…
to share them between web processes.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import TooManyRequests

EXTENSION_KEY = "sqlarena.login_guard"


class LoginGuard:
    """Flask extension: `init_app` gives each app its own counters; methods act on the current app's."""

    def init_app(self, app: Flask) -> None:
        storage = storage_from_string(app.config["RATE_LIMIT_STORAGE_URL"])
        app.extensions[EXTENSION_KEY] = MovingWindowRateLimiter(storage)

    def before_attempt(self, email: str, address: str) -> None:
        """Raises TooManyRequests when this address or this e-mail has failed too often; counts the attempt."""
        limiter = self._limiter()
        address_limit = _limit("LOGIN_FAILURES_PER_ADDRESS")
        if not limiter.test(address_limit, "login-address", address):
            raise TooManyRequests(_message("from this address", limiter, address_limit, "login-address", address))
        account_limit = _limit("LOGIN_FAILURES_PER_ACCOUNT")
        if not limiter.hit(account_limit, "login-account", email):
            raise TooManyRequests(_message("for this account", limiter, account_limit, "login-account", email))

    def failed(self, address: str) -> None:
        self._limiter().hit(_limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", address)

    def succeeded(self, email: str) -> None:
        self._limiter().clear(_limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", email)

    def reset(self) -> None:
        """Forgets every counter of the current app (tests, and an operator's escape hatch)."""
        self._limiter().storage.reset()

    @staticmethod
    def _limiter() -> MovingWindowRateLimiter:
        return current_app.extensions[EXTENSION_KEY]


def _limit(setting: str) -> RateLimitItemPerSecond:
    count, window_s = current_app.config[setting]
    return RateLimitItemPerSecond(count, window_s)


def _message(scope: str, limiter: MovingWindowRateLimiter, limit, *key: str) -> str:
    wait_s = max(1, math.ceil(limiter.get_window_stats(limit, *key).reset_time - time.time()))
    return f"too many failed logins {scope}; try again in {wait_s} s"


login_guard = LoginGuard()
