"""Settings read from the environment, shared by rxconfig, services and scripts.

Nothing here imports Reflex, so services and scripts can use it without the UI.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = f"sqlite:///{PROJECT_ROOT / 'msc.db'}"


def database_url() -> str:
    """The database URL: ``REFLEX_DB_URL`` (Reflex's own variable) or the SQLite default."""
    return os.environ.get("REFLEX_DB_URL") or DEFAULT_DB_URL


def redis_url() -> str | None:
    return os.environ.get("REFLEX_REDIS_URL") or None


def smtp_settings() -> dict[str, str | int | bool | None]:
    """SMTP delivery settings for the email outbox (EMAIL-1)."""
    return {
        "host": os.environ.get("MSC_SMTP_HOST", "127.0.0.1"),
        "port": int(os.environ.get("MSC_SMTP_PORT", "1025")),
        "username": os.environ.get("MSC_SMTP_USERNAME") or None,
        "password": os.environ.get("MSC_SMTP_PASSWORD") or None,
        "starttls": os.environ.get("MSC_SMTP_STARTTLS", "0") == "1",
        "sender": os.environ.get("MSC_SMTP_FROM", "MSC <no-reply@msc.local>"),
    }


def public_url() -> str | None:
    """``MSC_PUBLIC_URL``: the address users reach the app at (for links in emails), e.g. ``https://msc.example.com``.

    Unset, links are built from the address the admin's browser used.
    """
    value = (os.environ.get("MSC_PUBLIC_URL") or "").strip().rstrip("/")
    return value or None


SECRET_KEY_FILE = PROJECT_ROOT / ".msc-secret-key"


def secret_key() -> str:
    """The key that encrypts secrets at rest (TOTP secrets): ``MSC_SECRET_KEY``, else a random key kept in
    ``.msc-secret-key`` beside the project (created on first use, readable by its owner only).

    Every worker of one installation must use the same key: set ``MSC_SECRET_KEY`` when they run on
    several machines. Losing the key means users must enrol two-factor sign-in again.
    """
    value = (os.environ.get("MSC_SECRET_KEY") or "").strip()
    if value:
        return value
    try:
        return SECRET_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        pass
    import secrets
    import tempfile

    # Written whole to a private temporary file, then linked into place: a concurrent worker either
    # wins the link (and both read its key) or finds the complete file, never a half-written one.
    fd, temp = tempfile.mkstemp(dir=SECRET_KEY_FILE.parent, prefix=".msc-secret-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
        try:
            os.link(temp, SECRET_KEY_FILE)
        except FileExistsError:
            pass
    finally:
        os.unlink(temp)
    return SECRET_KEY_FILE.read_text().strip()
