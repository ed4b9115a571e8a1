"""Run the Alembic migrations programmatically (serve command, demo loader, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from msc_app.settings import PROJECT_ROOT, database_url


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def upgrade_to_head(url: str | None = None) -> None:
    command.upgrade(alembic_config(url), "head")
    _encrypt_plain_secrets(url)


def _encrypt_plain_secrets(url: str | None) -> None:
    """Two-factor secrets written in clear by an earlier version are encrypted once the schema is current
    (a data step in Python, not in a migration: it needs the installation's key, see services/two_factor)."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from msc_app.db import normalise_url
    from msc_app.services import two_factor

    engine = sa.create_engine(normalise_url(url or database_url()))  # private: disposed, not cached
    try:
        with Session(engine) as session:
            if two_factor.encrypt_plain_secrets(session):
                session.commit()
    finally:
        engine.dispose()


if __name__ == "__main__":
    upgrade_to_head()
    print("database is at the latest migration")
