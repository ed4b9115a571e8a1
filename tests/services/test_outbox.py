"""EMAIL-1: the confirmation mail goes through the outbox to a real SMTP server (aiosmtpd on loopback).

The sender works on committed data in its own transactions, so these tests
use a fresh database per test (``db_url``) with the known world committed in
it, instead of the rolled-back ``session``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, func, select

from msc_app.models import Account, EmailStatus, OutboxEmail
from msc_app.services import outbox
from msc_app.services.customer_changes import CustomerCreate, create_customer
from msc_app.services.errors import ValidationError
from tests.conftest import World, build_world, make_engine
from tests.smtp import SmtpServer, free_port

WAIT = 10  # seconds to wait for a condition before failing


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    server.start()
    yield server
    server.stop()


@dataclass
class Installation:
    engine: sa.Engine
    world: World


@pytest.fixture
def installation(db_url) -> Iterator[Installation]:
    """A fresh database with the known world committed in it."""
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        session.commit()
    yield Installation(engine=engine, world=world)
    engine.dispose()


def _create_committed(inst: Installation, name: str, user: str = "r1_admin") -> int:
    with Session(inst.engine, expire_on_commit=False) as session:
        customer = create_customer(session=session, actor=inst.world.actor(user), data=CustomerCreate(customer_name=name))
        session.commit()
        return customer.id


def _mails(inst: Installation) -> list[OutboxEmail]:
    with Session(inst.engine) as session:
        return list(session.exec(select(OutboxEmail).order_by(OutboxEmail.id)))


def _customer_exists(inst: Installation, customer_id: int) -> bool:
    with Session(inst.engine) as session:
        return session.get(Account, customer_id) is not None


def test_email_1_confirmation_is_delivered_over_smtp(installation, smtp_server):
    """EMAIL-1: the creating admin's registered address receives the confirmation; the mail is marked sent."""
    _create_committed(installation, "Orbit Dental")
    now = datetime.now(UTC)

    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=now) == 1

    assert len(smtp_server.received) == 1
    delivered = smtp_server.received[0]
    assert delivered.rcpt_tos == ["r1_admin@example.com"]
    assert delivered.mail_from == "no-reply@msc.test"
    assert delivered.message["To"] == "r1_admin@example.com"
    assert delivered.message["Subject"] == "Customer created: Orbit Dental"
    body = delivered.message.get_content()
    assert "Hello R1 Admin," in body
    assert "The customer Orbit Dental was created in MSC." in body
    assert "Parent:         Blue Harbor Resellers" in body
    (mail,) = _mails(installation)
    assert (mail.status, mail.attempts, mail.last_error) == (EmailStatus.SENT, 0, "")
    assert mail.sent_at == now
    # nothing left to send
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=now + timedelta(days=1)) == 0
    assert len(smtp_server.received) == 1


def test_email_1_failed_delivery_is_retried_and_never_loses_the_customer(installation, smtp_server):
    """EMAIL-1: with the SMTP server down the customer exists and the mail waits; once the server is back
    the mail is delivered exactly once and marked sent."""
    smtp_server.stop()
    customer_id = _create_committed(installation, "Outage Bakery")
    t0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    with Session(installation.engine) as session:  # due from t0 on
        session.execute(sa.update(OutboxEmail).values(next_attempt_at=t0))
        session.commit()

    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=t0) == 0
    (mail,) = _mails(installation)
    assert (mail.status, mail.attempts, mail.sent_at) == (EmailStatus.QUEUED, 1, None)
    assert mail.next_attempt_at == t0 + outbox.FIRST_RETRY
    assert "refused" in mail.last_error.lower() or "connect" in mail.last_error.lower()
    assert _customer_exists(installation, customer_id)

    smtp_server.start()
    # still backing off: nothing is tried before next_attempt_at
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=t0 + timedelta(seconds=29)) == 0
    assert smtp_server.received == []

    later = t0 + outbox.FIRST_RETRY + timedelta(seconds=1)
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=later) == 1
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=later + timedelta(hours=2)) == 0
    assert [r.message["Subject"] for r in smtp_server.received] == ["Customer created: Outage Bakery"]
    (mail,) = _mails(installation)
    assert (mail.status, mail.attempts, mail.sent_at) == (EmailStatus.SENT, 1, later)
    assert _customer_exists(installation, customer_id)


def test_email_1_back_off_doubles_and_gives_up_after_the_last_attempt(installation, smtp_server):
    """EMAIL-1: retries wait 30 s, 1 min, 2 min, ... (at most an hour); after MAX_ATTEMPTS the mail is failed."""
    smtp_server.stop()
    with Session(installation.engine) as session:
        outbox.queue_email(session=session, to="ops@example.com", subject="Hello", body="Body")
        session.commit()
    now = datetime.now(UTC)
    delays = []
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=now) == 0
        (mail,) = _mails(installation)
        assert mail.attempts == attempt
        if attempt < outbox.MAX_ATTEMPTS:
            assert mail.status == EmailStatus.QUEUED
            delays.append(mail.next_attempt_at - now)
            now = mail.next_attempt_at
    assert delays == [timedelta(seconds=30 * 2**i) for i in range(outbox.MAX_ATTEMPTS - 1)]
    assert mail.status == EmailStatus.FAILED
    assert outbox.retry_delay(20) == outbox.MAX_RETRY
    # a failed mail is not tried again, even with the server back
    smtp_server.start()
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=now + timedelta(days=2)) == 0
    assert smtp_server.received == []


def test_email_1_a_refused_create_queues_nothing_and_a_rolled_back_create_leaves_no_mail(installation):
    """EMAIL-1: the mail lives and dies with the customer's transaction."""
    actor = installation.world.actor("r1_admin")
    with Session(installation.engine) as session:
        with pytest.raises(ValidationError):
            create_customer(session=session, actor=actor, data=CustomerCreate(customer_name=""))
        create_customer(session=session, actor=actor, data=CustomerCreate(customer_name="Never Committed"))
        assert session.exec(select(func.count()).select_from(OutboxEmail)).one() == 1
        session.rollback()
    assert _mails(installation) == []


def test_email_1_two_senders_deliver_each_mail_exactly_once(installation, smtp_server):
    """EMAIL-1: two senders running at once claim disjoint mails: every mail arrives exactly once."""
    total = 24
    with Session(installation.engine) as session:
        for i in range(total):
            outbox.queue_email(session=session, to=f"user{i}@example.com", subject=f"Mail {i}", body="x")
        session.commit()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def sender():
        try:
            start.wait(timeout=WAIT)
            while outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, batch=5):
                pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    subjects = sorted(r.message["Subject"] for r in smtp_server.received)
    assert subjects == sorted(f"Mail {i}" for i in range(total))
    assert {m.status for m in _mails(installation)} == {EmailStatus.SENT}


def test_email_1_a_claimed_mail_is_not_sent_by_another_sender(installation, smtp_server):
    """EMAIL-1: a mail claimed by one sender (leased) is skipped by the next until the lease runs out."""
    with Session(installation.engine) as session:
        outbox.queue_email(session=session, to="lease@example.com", subject="Leased", body="x")
        session.commit()
    now = datetime.now(UTC)
    claimed = outbox._claim(installation.engine, now=now, batch=10)  # a sender that then dies
    assert [m.to_address for m in claimed] == ["lease@example.com"]
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=now) == 0
    assert smtp_server.received == []
    # the lease runs out: at least once delivery
    assert outbox.deliver_due(engine=installation.engine, smtp=smtp_server.settings, now=now + outbox.LEASE) == 1
    assert len(smtp_server.received) == 1


def test_email_1_queue_email_checks_the_address_and_keeps_subjects_on_one_line(installation):
    """EMAIL-1 / CREATE-2: an invalid recipient is a field error; a newline cannot inject a header."""
    with Session(installation.engine) as session:
        with pytest.raises(ValidationError) as excinfo:
            outbox.queue_email(session=session, to="not-an-address", subject="x", body="y")
        assert set(excinfo.value.errors) == {"to"}
        mail = outbox.queue_email(session=session, to="Ops@Example.com", subject="Hi\r\nBcc: evil@example.com", body="y")
        assert (mail.to_address, mail.subject) == ("ops@example.com", "Hi Bcc: evil@example.com")


def test_email_1_background_sender_delivers_until_stopped(installation, smtp_server):
    """EMAIL-1: the runner the app starts in a thread sends queued mail and stops when told."""
    _create_committed(installation, "Threaded Co")
    stop = threading.Event()
    thread = threading.Thread(
        target=outbox.run_sender_forever,
        args=(stop, 0.05),
        kwargs={"engine": installation.engine, "smtp": smtp_server.settings},
    )
    thread.start()
    try:
        assert smtp_server.handler.arrived.wait(WAIT)
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()
    assert [r.message["Subject"] for r in smtp_server.received] == ["Customer created: Threaded Co"]
