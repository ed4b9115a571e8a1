"""list tree indexes: one (parent_id, column, id) index per list sort column (LIST-6)

The customers list is a tree (LIST-6): a distributor's resellers and direct
customers are sorted together, each reseller's customers under it. Every
order the list needs is therefore the order of one sibling group (the
children of one parent) by the sort column, then the id. An index on
(parent_id, column, id) gives that order, its ranges and its counts from the
index alone; the single-column indexes on those columns served the flat list
and are dropped (kept: name_sort and created_at, which other queries use).
``ix_account_parent_name`` (parent_id, name_sort) is replaced by
``ix_account_parent_name_sort`` (parent_id, name_sort, id, customer_name_sort):
the search box reads both names, so a search is answered from that index.

No data changes; the table is analysed afterwards when it holds rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:12:40.118305

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# A frozen copy of models.accounts.LIST_SORT_COLUMNS, as of this revision.
SORT_COLUMNS = (
    'name_sort',
    'customer_name_sort',
    'organization',
    'products_summary',
    'service_plan_summary',
    'tenant_type_summary',
    'storage_regions_summary',
    'license_expiry',
    'created_at',
    'edition_summary',
    'tenant_admin_summary',
    'admin_name',
    'onboarding_progress',
    'source_data_rank',
    'contracts_total',
    'credit_quota_total',
    'quota_effective_date',
    'quota_end_date',
    'consumption_90d',
)
# Single-column indexes only the flat list's sort used.
DROPPED_SINGLE = tuple(c for c in SORT_COLUMNS if c not in ('name_sort', 'created_at'))


def upgrade() -> None:
    """Upgrade schema."""
    op.drop_index('ix_account_parent_name', table_name='account')
    for column in DROPPED_SINGLE:
        op.drop_index(f'ix_account_{column}', table_name='account')
    for column in SORT_COLUMNS:
        op.create_index(f'ix_account_parent_{column}', 'account', _columns(column), unique=False)
    # Statistics for the new indexes, so that the planner picks them at once.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM account LIMIT 1")).first():
        bind.execute(sa.text("ANALYZE account"))


def _columns(column: str) -> list[str]:
    """(parent_id, column, id); the name's index also covers the search's other column."""
    return ['parent_id', column, 'id', *(['customer_name_sort'] if column == 'name_sort' else [])]


def downgrade() -> None:
    """Downgrade schema."""
    for column in SORT_COLUMNS:
        op.drop_index(f'ix_account_parent_{column}', table_name='account')
    for column in DROPPED_SINGLE:
        op.create_index(f'ix_account_{column}', 'account', [column], unique=False)
    op.create_index('ix_account_parent_name', 'account', ['parent_id', 'name_sort'], unique=False)
