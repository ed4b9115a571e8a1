"""LIST-7: ``GET /api/export/customers.csv`` streams the customers list as CSV.

A 100,000-row file does not belong on the event websocket (``rx.download``
would hold it in memory and send it in one message), so it is an HTTP route
that streams it batch by batch. It is authenticated like events: the session
cookie's token is looked up on the server, and the rows are those the actor
(in its tenant perspective) may see. The list's view comes from the query
string (``ListQuery.from_params``), the columns from ``columns=a,b,c``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from msc_app.db import session_scope
from msc_app.services import auth, customer_export
from msc_app.services.customers import ListQuery

EXPORT_PATH = "/api/export/customers.csv"


def _actor(request: Request):
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    if not token:
        return None
    with session_scope() as session:
        return auth.actor_for_token(session=session, token=token)


def _rows(actor, query: ListQuery, columns: list[str]) -> Iterator[bytes]:
    """The file, read in batches inside one transaction (a consistent snapshot on PostgreSQL)."""
    with session_scope() as session:
        yield from customer_export.iter_csv(session=session, actor=actor, query=query, columns=columns)


def export_customers(request: Request):
    actor = _actor(request)
    if actor is None:
        return PlainTextResponse("Sign in to export customers.", status_code=401)
    query = ListQuery.from_params(request.query_params)
    columns = [c for c in request.query_params.get("columns", "").split(",") if c]
    with session_scope() as session:
        total = customer_export.count_matching(session=session, actor=actor, query=query)
    filename = customer_export.export_filename(date.today())
    return StreamingResponse(
        _rows(actor, query, customer_export.selected_columns(columns)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
            "X-Total-Rows": str(total),
            "Cache-Control": "no-store",
        },
    )


routes = [Route(EXPORT_PATH, export_customers, methods=["GET"])]
