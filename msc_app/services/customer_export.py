"""LIST-7: the customers list as a CSV file.

The file holds every row matching the list's search and filters in the
actor's scope (its perspective included), not one page: the list's own rows
and tree order (LIST-6), without context rows. It is streamed: rows are read
``batch_size`` at a time from one ordered query (a server-side cursor on
PostgreSQL), each batch's contracts by status in one grouped query, and each
batch is yielded as CSV bytes, so memory stays flat for 100,000 rows.

Safe to open in a spreadsheet: UTF-8 with a byte-order mark (Excel), the
``csv`` module's quoting, and any cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading ``'`` so that it is read as
text, never as a formula (except the Status column's own ``---``, which no
user can write).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from msc_app.services import customers
from msc_app.services.customers import ListQuery, _by_status_order
from msc_app.services.permissions import Actor
from msc_app.services.preferences import CUSTOMER_COLUMNS
from msc_app.services.summaries import contract_counts, source_data_status

# (key, label) of every exportable column, in the list's display order.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = tuple((c.key, c.label) for c in CUSTOMER_COLUMNS)
_LABELS = dict(EXPORT_COLUMNS)
BOM = "\ufeff"
BATCH_SIZE = 1000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_filename(now: date | datetime) -> str:
    """e.g. ``customers-2026-11-23.csv``."""
    return f"customers-{now:%Y-%m-%d}.csv"


def selected_columns(columns: Iterable[str] | None) -> list[str]:
    """The known column keys among ``columns``, in the order given, once each; none given means all."""
    chosen: list[str] = []
    for key in columns or ():
        if isinstance(key, str) and key in _LABELS and key not in chosen:
            chosen.append(key)
    return chosen or [key for key, _label in EXPORT_COLUMNS]


def count_matching(*, session: Session, actor: Actor, query: ListQuery) -> int:
    """How many rows an export of ``query`` holds (for the dialog: "Export 1,234 customers")."""
    return customers.count_matching(session=session, actor=actor, query=query)


def iter_csv(
    *,
    session: Session,
    actor: Actor,
    query: ListQuery,
    columns: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> Iterator[bytes]:
    """The CSV file, as UTF-8 chunks: the BOM and the header, then one chunk per batch of rows.

    ``columns``: column keys (``EXPORT_COLUMNS``) in the wanted order; unknown
    keys are dropped, none means all. ``progress(rows_written)`` is called
    after each batch. ``session`` must stay open while the iterator is read.
    The query's page and page size are ignored: every matching row is written.
    """
    keys = selected_columns(columns)
    getters = [(_VALUES[key], key not in _GENERATED) for key in keys]
    yield (BOM + _csv_lines([[_LABELS[key] for key in keys]])).encode("utf-8")

    stmt = customers.tree_ordered(actor=actor, query=query, plain_rows=True)
    # Core rows from a server-side cursor (PostgreSQL) / a lazily stepped one (SQLite).
    result = session.connection().execute(stmt, execution_options={"stream_results": True})
    written = 0
    try:
        for batch in result.partitions(max(1, batch_size)):
            counts = contract_counts(session=session, account_ids=[row.id for row in batch])
            lines = [_cells(getters, row, counts[row.id]) for row in batch]
            written += len(lines)
            yield _csv_lines(lines).encode("utf-8")
            if progress is not None:
                progress(written)
    finally:
        result.close()


def _csv_lines(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def neutralise(text: str) -> str:
    """A cell a spreadsheet reads as text: a leading ``'`` before anything that could start a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def contracts_text(contracts: dict[str, int]) -> str:
    """CONTRACT-1 counts as text in status order, e.g. ``2 Active; 1 Pending``."""
    return "; ".join(f"{count} {status}" for status, count in _by_status_order(contracts) if count)


def _iso(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def _status(row) -> str:
    """STATUS-2: ``---`` when onboarding is complete (also with nothing to do), else done/total."""
    if row.onboarding_done >= row.onboarding_total:
        return "---"
    return f"{row.onboarding_done}/{row.onboarding_total}"


# The text of each column from an account row (its columns, as ``customers.to_read``
# reads them) and its contracts by status.
_VALUES: dict[str, Callable[[Any, dict[str, int]], object]] = {
    "name": lambda r, _c: r.name,
    "customer_name": lambda r, _c: r.customer_name,
    "organization": lambda r, _c: r.organization,
    "products": lambda r, _c: r.products_summary,
    "service_plan": lambda r, _c: r.service_plan_summary,
    "edition": lambda r, _c: r.edition_summary,
    "storage_regions": lambda r, _c: r.storage_regions_summary,
    "tenant_type": lambda r, _c: r.tenant_type_summary,
    "tenant_admin": lambda r, _c: r.tenant_admin_summary,
    "admin": lambda r, _c: r.admin_name,
    "status": lambda r, _c: _status(r),
    "source_data": lambda r, _c: source_data_status(r.source_data_rank),
    "contracts": lambda _r, c: contracts_text(c),
    "credit_quota": lambda r, _c: r.credit_quota_total,
    "quota_effective": lambda r, _c: _iso(r.quota_effective_date),
    "quota_end": lambda r, _c: _iso(r.quota_end_date),
    "license_expiry": lambda r, _c: _iso(r.license_expiry),
    "consumption": lambda r, _c: r.consumption_90d,
    "created": lambda r, _c: _iso(r.created_at),
}
assert set(_VALUES) == set(_LABELS), "every exportable column has a value"
# Columns whose text the service writes itself, never a user: the Status column's
# "---" (STATUS-2) stays as the list shows it instead of becoming "'---".
_GENERATED = frozenset({"status"})


def _cells(getters, row, contracts: dict[str, int]) -> list[str]:
    """One CSV line: each column's text for an account row and its contracts, neutralised."""
    line = []
    for get, neutralised in getters:
        value = get(row, contracts)
        text = "" if value is None else value if isinstance(value, str) else str(value)
        if neutralised and text.startswith(_FORMULA_STARTS):
            text = "'" + text
        line.append(text)
    return line
