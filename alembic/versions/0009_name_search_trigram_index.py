"""name search trigram index (issue 14, LIST-4)

The search box read every account with LIKE '%term%'. A trigram index finds
the candidates instead: on SQLite an FTS5 trigram table over the two name
columns (external content from ``account``, kept in step by triggers), on
PostgreSQL pg_trgm GIN indexes. See ``msc_app.models.search_index`` (the one
place of that DDL; create_all runs it too). Autogenerate leaves these objects
alone (``include_object``).

Note for later migrations on SQLite: a batch operation that recreates the
``account`` table drops its triggers; re-run ``create_search_index`` after it.

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

from alembic import op

from msc_app.models.search_index import create_search_index, drop_search_index

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    create_search_index(op.get_bind())


def downgrade() -> None:
    drop_search_index(op.get_bind())
