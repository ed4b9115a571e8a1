"""EMAIL-1: the running app's outbox sender delivers queued mail over real SMTP."""

from __future__ import annotations

import time

from sqlmodel import select

from msc_app.db import session_scope
from msc_app.models import EmailStatus, OutboxEmail
from msc_app.services import outbox


def test_email_1_running_app_delivers_queued_mail_over_smtp(app_server, smtp_server):
    """EMAIL-1: a mail queued in the database is picked up by the app's background sender,
    delivered to the SMTP server and marked sent."""
    with session_scope(app_server.db_url) as session:
        mail = outbox.queue_email(
            session=session, to="ops@e2e.example", subject="Customer created: Harbor Client 01", body="Hello"
        )
    delivered = smtp_server.handler.wait_for_mail_to("ops@e2e.example", timeout=30)
    assert len(delivered) == 1, "the app's sender delivered nothing (or more than once)"
    assert delivered[0].message["Subject"] == "Customer created: Harbor Client 01"

    def sent() -> bool:
        with session_scope(app_server.db_url) as session:
            row = session.exec(select(OutboxEmail).where(OutboxEmail.id == mail.id)).one()
            return row.status == EmailStatus.SENT and row.sent_at is not None

    deadline = time.monotonic() + 10
    while not sent():
        assert time.monotonic() < deadline, "the mail was delivered but never marked sent"
        time.sleep(0.1)  # the sender records the outcome right after the SMTP reply
