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

Counters live in RATE_LIMIT_STORAGE_URL (app/services/rate_limits.py): memory:// for one
process, redis://… to share them between web processes.
"""
from __future__ import annotations

from app.errors import TooManyRequests
from app.services import rate_limits
from app.services.rate_limits import limit as _limit


class LoginGuard:
    """The login rules on the shared counters (app/services/rate_limits.py)."""

    def before_attempt(self, email: str, address: str) -> None:
        """Raises TooManyRequests when this address or this e-mail has failed too often; counts the attempt."""
        limiter = rate_limits.limiter()
        address_limit = _limit("LOGIN_FAILURES_PER_ADDRESS")
        if not limiter.test(address_limit, "login-address", address):
            raise TooManyRequests(_message("from this address", address_limit, "login-address", address))
        account_limit = _limit("LOGIN_FAILURES_PER_ACCOUNT")
        if not limiter.hit(account_limit, "login-account", email):
            raise TooManyRequests(_message("for this account", account_limit, "login-account", email))

    def failed(self, address: str) -> None:
        rate_limits.limiter().hit(_limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", address)

    def succeeded(self, email: str) -> None:
        rate_limits.limiter().clear(_limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", email)

    def reset(self) -> None:
        """Forgets every counter of the current app (tests, and an operator's escape hatch)."""
        rate_limits.reset()


def _message(scope: str, item, *key: str) -> str:
    return f"too many failed logins {scope}; try again in {rate_limits.retry_after_s(item, *key)} s"


login_guard = LoginGuard()
