"""Runs the email outbox's sender beside the backend for as long as the app lives (EMAIL-1).

A thread, since delivery uses blocking SMTP; set ``MSC_OUTBOX_SENDER=0`` to run
the sender elsewhere. Several workers may each run one: mail is claimed row
by row (``services.outbox``), so each message goes out once.
"""

from __future__ import annotations

import contextlib
import os
import threading

from msc_app.services import outbox


@contextlib.asynccontextmanager
async def outbox_sender():
    if os.environ.get("MSC_OUTBOX_SENDER", "1") == "0":
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=outbox.run_sender_forever, args=(stop,), name="msc-outbox-sender", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
