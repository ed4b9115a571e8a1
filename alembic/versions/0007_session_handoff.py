"""session handoff: the session token moves to an HttpOnly cookie (issue 6)

A sign-in event cannot set an HttpOnly cookie, so it swaps the new session's token for a
one-time ticket and the browser redeems it at ``/api/session/start``, which sets the cookie.
``user_session.handoff_until`` marks a session waiting for that redemption (its ``token_hash``
then holds the ticket's hash, and it is not live). Nullable, so existing sessions stay live.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch rebuild of the table; see 0006).
    op.add_column('user_session', sa.Column('handoff_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_column('handoff_until')
