"""The session cookie's two HTTP routes: the browser receives and loses its session token here.

Events travel over the websocket and cannot set an HttpOnly cookie, so a sign-in event hands the
browser a one-time ticket and sends it to ``START_PATH`` (see ``auth.begin_handoff``). This route
redeems the ticket for the session token and sets it as an HttpOnly, SameSite=Strict cookie, which
JavaScript cannot read; the page it redirects to opens a new websocket whose handshake carries the
cookie, and the state reads it from there (``router.headers.cookie``, which Reflex never sends back
to the browser). ``END_PATH`` removes the cookie after a sign-out ended the session.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from msc_app.db import session_scope
from msc_app.services import auth

START_PATH = "/api/session/start"
END_PATH = "/api/session/end"


def safe_next(target: str | None, default: str = "/customers") -> str:
    """Only same-site paths: never redirect to another origin."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def start_url(ticket: str, next_path: str) -> str:
    return f"{START_PATH}?{urlencode({'ticket': ticket, 'next': safe_next(next_path)})}"


def end_url(next_path: str = "/signin") -> str:
    return f"{END_PATH}?{urlencode({'next': safe_next(next_path, '/signin')})}"


def _secure(request: Request) -> bool:
    """Mark the cookie Secure when the browser reached us over HTTPS (directly or through a proxy)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _no_store(response: RedirectResponse) -> RedirectResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def start_session(request: Request) -> RedirectResponse:
    ticket = request.query_params.get("ticket", "")
    with session_scope() as session:
        token = auth.redeem_handoff(session=session, ticket=ticket)
    if token is None:
        # Used, expired or forged: nothing is set; sign in again.
        return _no_store(RedirectResponse("/signin?expired=1", status_code=303))
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return _no_store(response)


def end_session(request: Request) -> RedirectResponse:
    response = RedirectResponse(safe_next(request.query_params.get("next"), "/signin"), status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return _no_store(response)


routes = [
    Route(START_PATH, start_session, methods=["GET"]),
    Route(END_PATH, end_session, methods=["GET"]),
]
