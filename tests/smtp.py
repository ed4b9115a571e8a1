"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: object  # email.message.EmailMessage


class CollectingHandler:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.received: list[Received] = []
        self.arrived = threading.Event()
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        with self._changed:
            self.received.append(
                Received(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message_from_bytes(envelope.content, policy=policy.default),
                )
            )
            self.arrived.set()
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for_mail_to(self, address: str, timeout: float) -> list[Received]:
        """The messages for ``address``, waiting up to ``timeout`` seconds for the first one."""
        with self._changed:
            self._changed.wait_for(lambda: any(address in m.rcpt_tos for m in self.received), timeout=timeout)
            return [m for m in self.received if address in m.rcpt_tos]


@dataclass
class SmtpServer:
    """A real SMTP server on a loopback port that can be stopped and started again on the same port."""

    port: int
    handler: CollectingHandler = field(default_factory=CollectingHandler)
    controller: Controller | None = None

    @property
    def settings(self) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "username": None,
            "password": None,
            "starttls": False,
            "sender": "MSC <no-reply@msc.test>",
        }

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


