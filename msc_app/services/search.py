"""Case-insensitive substring search with LIKE, metacharacters taken literally (LIST-4),
narrowed by the trigram index (``models.search_index``) when the term is long enough."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from msc_app.models.search_index import FTS_TABLE, MIN_TRIGRAM_TERM, fts_phrase

ESCAPE = "\\"


def contains_pattern(text: str) -> str:
    """A LIKE pattern (use with ``escape=ESCAPE``) matching ``text`` anywhere, lower-cased."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class _TrigramCandidates(ColumnElement):
    """``account_id`` is among the accounts whose names hold every trigram of the term.

    SQLite: a look-up in the FTS5 trigram table. PostgreSQL needs no extra
    condition (its planner answers the LIKE itself from the pg_trgm GIN
    indexes): there it is TRUE. Always used together with the exact LIKE,
    which decides; this only narrows the rows to test.
    """

    type = sa.Boolean()
    inherit_cache = True
    # A predicate already: no "= 1" around it where booleans are integers (SQLite), which would
    # hide the IN from the planner.
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("account_id", InternalTraversal.dp_clauseelement),
        ("phrase", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, account_id, term: str):
        self.account_id = account_id
        self.phrase = sa.bindparam("fts_phrase", fts_phrase(term), type_=sa.String, unique=True)


@compiles(_TrigramCandidates)
def _candidates_default(element, compiler, **kw):
    return "1 = 1"


@compiles(_TrigramCandidates, "sqlite")
def _candidates_sqlite(element, compiler, **kw):
    return (
        f"{compiler.process(element.account_id, **kw)} IN "
        f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {compiler.process(element.phrase, **kw)})"
    )


def uses_trigram_index(text: str) -> bool:
    """Whether the search for ``text`` is narrowed by the trigram index (few rows to read)."""
    return len(text.lower()) >= MIN_TRIGRAM_TERM


def name_search(entity, text: str):
    """LIST-4: ``entity`` (Account or an alias) has ``text`` in its account name or customer name,
    case-insensitively, every character literal (``%``, ``_`` and ``\\`` included).

    The LIKE decides; for a term of 3 characters or more the trigram index
    first narrows the rows to the few candidates. A shorter term has no
    trigram: it stays a LIKE over the (small) name index, read in one pass.
    """
    pattern = contains_pattern(text)
    like = sa.or_(
        entity.name_sort.like(pattern, escape=ESCAPE),
        # Most customers' two names are one: look at the second only when it differs.
        sa.and_(
            entity.customer_name_sort != entity.name_sort,
            entity.customer_name_sort.like(pattern, escape=ESCAPE),
        ),
    )
    if not uses_trigram_index(text):
        return like
    return sa.and_(_TrigramCandidates(entity.id, text.lower()), like)
