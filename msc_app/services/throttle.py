"""AUTH-5: throttling of failed sign-ins, per email and per client address.

Every sign-in attempt whose password was checked is one ``LoginAttempt`` row: the email as typed
(trimmed, lower-cased, so unknown emails are throttled exactly like known ones), the client's IP
address, the time, and whether it succeeded. ``auth.sign_in`` asks ``check`` before it verifies
anything and records the attempt afterwards.

The rules:

- **Per email.** Within ``WINDOW``, after ``EMAIL_FAILURE_LIMIT`` failures for one email, that email
  is locked until ``WINDOW`` after its ``EMAIL_FAILURE_LIMIT``-th latest failure. A successful
  sign-in for an email resets that email's count: only failures after its latest success count.
  That gives an attacker nothing (a success needs the password) and spares a user who mistyped a
  few times yesterday morning and again today.
- **Per client address.** Within ``WINDOW``, after ``CLIENT_FAILURE_LIMIT`` failures from one
  address (whatever the emails), that address is blocked until ``WINDOW`` after its
  ``CLIENT_FAILURE_LIMIT``-th latest failure. Successes never reset it: one valid account must not
  let an address keep guessing other people's passwords. An empty address (a caller that has none,
  e.g. a script) is not throttled per address, since all such callers would share one bucket.
- **While throttled** even the correct password is refused, with ``Throttled``; its message is the
  same for known and unknown emails. A throttled attempt is refused before any password check and
  is *not* recorded: it proves nothing, and recording it would let a bot keep a user locked out
  for ever (and grow the table at the bot's pace).
- **Pruning.** Rows older than ``KEEP_FOR`` are useless to every rule and are deleted on the way,
  cheaply: each attempt looks only at the oldest row (by primary key); the delete runs when that
  row is more than ``PRUNE_SLACK`` past ``KEEP_FOR``, so about once per ``PRUNE_SLACK`` under steady
  use, and the table never holds much more than ``KEEP_FOR + PRUNE_SLACK`` of attempts.

Limits and known gaps: two attempts racing in parallel may both pass ``check``, so a lock may start
one or two failures late; behind a reverse proxy the client address is the proxy's unless Reflex's
``trusted_proxy_hops`` is configured, and then all users share one address bucket.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from msc_app.models import LoginAttempt
from msc_app.services.errors import DomainError

# Failures for one email within WINDOW that lock it.
EMAIL_FAILURE_LIMIT = 5
# Failures from one client address within WINDOW (any emails) that block it.
CLIENT_FAILURE_LIMIT = 20
# The window failures are counted in, and how long a lock lasts after the limit-th latest failure.
WINDOW = timedelta(minutes=15)
# Attempts older than this are pruned; no rule looks back further than WINDOW.
KEEP_FOR = timedelta(days=1)
# Pruning waits until the oldest row is this much past KEEP_FOR, so it deletes in batches.
PRUNE_SLACK = timedelta(hours=1)

# The column sizes of LoginAttempt: longer input is cut, never refused by the database.
_EMAIL_MAX = 254
_CLIENT_MAX = 64


class Throttled(DomainError):
    """Too many failed sign-ins for this email or from this address; the same text for any email (AUTH-5)."""

    def __init__(self, retry_after_minutes: int):
        unit = "minute" if retry_after_minutes == 1 else "minutes"
        super().__init__(f"Too many failed sign-ins. Try again in {retry_after_minutes} {unit}.")
        self.retry_after_minutes = retry_after_minutes


def attempt_email(email: str | None) -> str:
    """The email as the throttle keys it: as typed, trimmed and lower-cased (unknown ones too)."""
    return (email or "").strip().lower()[:_EMAIL_MAX]


def attempt_client(client: str | None) -> str:
    return (client or "").strip()[:_CLIENT_MAX]


def _nth_latest_failure(session: Session, condition, *, since: datetime, n: int) -> datetime | None:
    """The n-th latest failure matching ``condition`` after ``since``, or None when there are fewer."""
    return session.exec(
        select(LoginAttempt.at)
        .where(condition, sa.not_(LoginAttempt.succeeded), LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc())
        .offset(n - 1)
        .limit(1)
    ).first()


def _email_locked_until(session: Session, email: str, now: datetime) -> datetime | None:
    since = now - WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.succeeded)
    ).one()
    if last_success is not None and last_success > since:
        since = last_success
    nth = _nth_latest_failure(session, LoginAttempt.email == email, since=since, n=EMAIL_FAILURE_LIMIT)
    return nth + WINDOW if nth is not None else None


def _client_blocked_until(session: Session, client: str, now: datetime) -> datetime | None:
    if not client:
        return None
    nth = _nth_latest_failure(session, LoginAttempt.client == client, since=now - WINDOW, n=CLIENT_FAILURE_LIMIT)
    return nth + WINDOW if nth is not None else None


def retry_after(*, session: Session, email: str, client: str = "", now: datetime | None = None) -> timedelta | None:
    """How long until this email, from this client, may try again; None when it may try now."""
    now = now or datetime.now(UTC)
    ends = [
        until
        for until in (
            _email_locked_until(session, attempt_email(email), now),
            _client_blocked_until(session, attempt_client(client), now),
        )
        if until is not None and until > now
    ]
    return max(ends) - now if ends else None


def check(*, session: Session, email: str, client: str = "", now: datetime | None = None) -> None:
    """Raise ``Throttled`` (minutes rounded up) while this email or this client address is throttled."""
    wait = retry_after(session=session, email=email, client=client, now=now)
    if wait is not None:
        raise Throttled(max(1, math.ceil(wait.total_seconds() / 60)))


def record_attempt(
    *, session: Session, email: str, client: str = "", succeeded: bool, now: datetime | None = None
) -> LoginAttempt:
    """Store one attempt (and prune old ones on the way)."""
    now = now or datetime.now(UTC)
    attempt = LoginAttempt(email=attempt_email(email), client=attempt_client(client), at=now, succeeded=succeeded)
    session.add(attempt)
    session.flush()
    prune(session=session, now=now)
    return attempt


def prune(*, session: Session, now: datetime | None = None) -> int:
    """Delete attempts older than KEEP_FOR once the oldest is PRUNE_SLACK past it; returns the rows deleted.

    The check reads one row through the primary key; rows are inserted in time order, so the
    lowest id is the oldest attempt.
    """
    now = now or datetime.now(UTC)
    oldest = session.exec(select(LoginAttempt.at).order_by(LoginAttempt.id).limit(1)).first()
    if oldest is None or oldest >= now - KEEP_FOR - PRUNE_SLACK:
        return 0
    result = session.exec(sa.delete(LoginAttempt).where(LoginAttempt.at < now - KEEP_FOR))
    return result.rowcount or 0
