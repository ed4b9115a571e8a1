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


if __name__ == "__main__":
    upgrade_to_head()
    print("database is at the latest migration")
