"""Alembic environment: migrates the database the app uses (REFLEX_DB_URL or SQLite).

A caller may pass a connection in ``config.attributes["connection"]`` (tests do).
"""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import msc_app.models  # noqa: F401  (registers every table)
from msc_app.db import get_engine
from msc_app.models.search_index import include_object

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or None
    with get_engine(url).connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
