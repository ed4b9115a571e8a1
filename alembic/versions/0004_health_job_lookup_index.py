"""health job lookup index: a data source's latest job of a kind and status in one seek (HEALTH-2)

The Health tab shows, per data source, its latest backup (the later of the
latest successful and the latest failed one) and its latest successful
restore. With ``ix_backup_job_source_started`` (data_source_id, started_at)
the database walks a source's jobs backwards until one matches: quick for the
nightly backup, but the whole history for a source that was never (or long
ago) restored. ``ix_backup_job_source_kind_status`` (data_source_id, kind,
status, started_at, id) answers each lookup with one descending seek, ties on
the start time broken by id, and its data_source_id prefix serves everything
the old index did (the foreign key, deleting a customer's jobs), so that one
is dropped.

No data changes; the table is analysed afterwards when it holds rows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:07:45.219128

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index(
        'ix_backup_job_source_kind_status',
        'backup_job',
        ['data_source_id', 'kind', 'status', 'started_at', 'id'],
        unique=False,
    )
    op.drop_index('ix_backup_job_source_started', table_name='backup_job')
    # Statistics for the new index, so that the planner picks it at once.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM backup_job LIMIT 1")).first():
        bind.execute(sa.text("ANALYZE backup_job"))


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index('ix_backup_job_source_started', 'backup_job', ['data_source_id', 'started_at'], unique=False)
    op.drop_index('ix_backup_job_source_kind_status', table_name='backup_job')
