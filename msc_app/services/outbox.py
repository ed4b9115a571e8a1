"""Email through an outbox table, delivered over SMTP with retries (EMAIL-1).

A change that sends mail calls ``queue_email`` in its own transaction: the
mail exists exactly when the change does, and an SMTP outage never undoes
(or loses) the change. ``deliver_due`` is the sender: it claims due mails,
sends them with ``smtplib`` and records the outcome; failures are retried
with exponential back-off until ``MAX_ATTEMPTS``.

Claiming is safe with several senders. A claim is one UPDATE that moves the
mails' ``next_attempt_at`` a lease ahead (on PostgreSQL choosing the rows with
``FOR UPDATE SKIP LOCKED``, so senders never wait on each other). No database
lock is held while talking to the SMTP server; a sender that dies mid-send
leaves its mails to be retried when the lease runs out, so delivery is "at
least once" (each message carries a stable Message-ID for de-duplication).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import sqlalchemy as sa
from sqlmodel import Session, select

from msc_app.models import EmailStatus, OutboxEmail
from msc_app.services.errors import ValidationError
from msc_app.services.validation import email_error, normalise_email
from msc_app.settings import smtp_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
# How long a claimed mail is reserved for the sender that claimed it.
LEASE = timedelta(minutes=10)
SMTP_TIMEOUT = 20  # seconds, per SMTP operation
SUBJECT_MAX = 300
ERROR_MAX = 1000


def queue_email(*, session: Session, to: str, subject: str, body: str) -> OutboxEmail:
    """Add a mail to the outbox in the caller's transaction; it is sent after the commit."""
    problem = email_error(to)
    if problem:
        raise ValidationError({"to": problem})
    mail = OutboxEmail(
        to_address=normalise_email(to),
        # A header is one line: a newline in a subject is a header-injection attempt.
        subject=" ".join(subject.split())[:SUBJECT_MAX],
        body=body,
        status=EmailStatus.QUEUED,
    )
    session.add(mail)
    return mail


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 30 s, 1 min, 2 min, ... at most 1 h."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


def deliver_due(
    *,
    engine: sa.Engine | None = None,
    smtp: dict | None = None,
    now: datetime | None = None,
    batch: int = 20,
) -> int:
    """Send up to ``batch`` due mails; returns how many were sent.

    ``engine`` defaults to the app's database, ``smtp`` to ``settings.smtp_settings()``,
    ``now`` to the current time (tests pass a later one to skip a back-off).
    """
    if engine is None:
        from msc_app.db import get_engine

        engine = get_engine()
    settings = smtp or smtp_settings()
    now = now or datetime.now(UTC)
    mails = _with_lock_retry(engine, lambda: _claim(engine, now=now, batch=batch))
    if not mails:
        return 0
    outcomes = _send(mails, settings)
    _with_lock_retry(engine, lambda: _record(engine, mails, outcomes, now=now))
    return sum(1 for error in outcomes.values() if error is None)


def _claim(engine: sa.Engine, *, now: datetime, batch: int) -> list[_Claimed]:
    """Reserve due mails for this sender (one statement, so it is also the first write on SQLite)."""
    due = (
        select(OutboxEmail.id)
        .where(OutboxEmail.status == EmailStatus.QUEUED, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(batch)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers anyway
    )
    claim = (
        sa.update(OutboxEmail)
        .where(
            OutboxEmail.id.in_(due.scalar_subquery()),
            OutboxEmail.status == EmailStatus.QUEUED,
            OutboxEmail.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
        .returning(
            OutboxEmail.id,
            OutboxEmail.to_address,
            OutboxEmail.subject,
            OutboxEmail.body,
            OutboxEmail.attempts,
        )
    )
    with Session(engine) as session:
        rows = session.execute(claim).all()
        session.commit()
    return sorted((_Claimed(*row) for row in rows), key=lambda m: m.id)


def _message(mail: _Claimed, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(idstring=f"msc-outbox-{mail.id}")
    message.set_content(mail.body)
    return message


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_MAX]


def _send(mails: list[_Claimed], settings: dict) -> dict[int, str | None]:
    """Send over one SMTP connection; maps each mail id to None (sent) or the error."""
    outcomes: dict[int, str | None] = {}
    try:
        with smtplib.SMTP(str(settings["host"]), int(settings["port"]), timeout=SMTP_TIMEOUT) as smtp:
            if settings.get("starttls"):
                smtp.starttls(context=ssl.create_default_context())
            if settings.get("username"):
                smtp.login(str(settings["username"]), str(settings.get("password") or ""))
            for mail in mails:
                try:
                    smtp.send_message(_message(mail, str(settings["sender"])))
                    outcomes[mail.id] = None
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                    outcomes[mail.id] = _describe(exc)  # this mail only; the connection is fine
    except (OSError, smtplib.SMTPException) as exc:
        # No connection, or it broke: every mail not yet sent failed this time.
        for mail in mails:
            outcomes.setdefault(mail.id, _describe(exc))
    return outcomes


def _record(engine: sa.Engine, mails: list[_Claimed], outcomes: dict[int, str | None], *, now: datetime) -> None:
    with Session(engine) as session:
        for mail in mails:
            error = outcomes[mail.id]
            if error is None:
                values = {"status": EmailStatus.SENT, "sent_at": now, "last_error": ""}
            else:
                attempts = mail.attempts + 1
                values = {"attempts": attempts, "last_error": error}
                if attempts >= MAX_ATTEMPTS:
                    values["status"] = EmailStatus.FAILED
                else:
                    values["next_attempt_at"] = now + retry_delay(attempts)
            session.execute(sa.update(OutboxEmail).where(OutboxEmail.id == mail.id).values(**values))
            if error is not None:
                log.warning("Mail %s to %s not sent (attempt %s): %s", mail.id, mail.to_address, mail.attempts + 1, error)
        session.commit()


def _with_lock_retry(engine: sa.Engine, step: Callable, *, tries: int = 50, pause: float = 0.1):
    """Run a write step; on SQLite, which has one writer at a time, retry while the file is locked."""
    for attempt in range(tries):
        try:
            return step()
        except sa.exc.OperationalError as exc:
            locked = engine.dialect.name == "sqlite" and "locked" in str(exc.orig).lower()
            if not locked or attempt == tries - 1:
                raise
            time.sleep(pause)
    raise AssertionError("unreachable")


def run_sender_forever(
    stop_event: threading.Event,
    interval: float = 2.0,
    *,
    engine: sa.Engine | None = None,
    smtp: dict | None = None,
    batch: int = 20,
) -> None:
    """Deliver due mail until ``stop_event`` is set (for a background thread of the app)."""
    while not stop_event.is_set():
        sent = 0
        try:
            sent = deliver_due(engine=engine, smtp=smtp, batch=batch)
        except Exception:  # the sender must outlive a database hiccup
            log.exception("Email outbox: delivery round failed")
        if sent < batch:  # a full batch means more may be waiting: go again at once
            stop_event.wait(interval)
