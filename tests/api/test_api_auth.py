"""Issue 8: the REST API authenticates with personal API tokens, scoped exactly like their user
(AUTH-4) and to the tenant perspective chosen when the token was made (TENANT-1/2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from msc_app.models import Account, ApiToken, User, UserStatus
from msc_app.services import api_tokens
from tests.api.conftest import bearer, make_token, problem

CUSTOMERS = "/api/v1/customers"


def _listed(client, token) -> set[int]:
    response = client.get(CUSTOMERS, headers=bearer(token), params={"size": 100})
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()["items"]}


def test_auth_a_request_without_a_token_is_401_with_a_bearer_challenge(client):
    response = client.get(CUSTOMERS)
    body = problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="MSC API"'
    assert body["detail"] == "Send a personal API token in the Authorization header: Bearer <token>."


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "msc_abc", "Token msc_abc"])
def test_auth_a_malformed_authorization_header_is_401(client, header):
    problem(client.get(CUSTOMERS, headers={"Authorization": header}), 401)


@pytest.mark.parametrize("token", ["msc_unknown", "not-a-token", "msc_" + "x" * 500])
def test_auth_an_unknown_token_is_401_invalid_token(client, tokens, token):
    response = client.get(CUSTOMERS, headers=bearer(token))
    body = problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="MSC API", error="invalid_token"'
    assert body["detail"] == "The API token is invalid, expired or revoked."


def test_auth_the_scheme_is_case_insensitive(client, tokens):
    response = client.get(CUSTOMERS, headers={"Authorization": f"bearer {tokens['r1_admin']}"})
    assert response.status_code == 200


def test_auth_a_revoked_token_stops_working_at_once(client, session, world, tokens):
    token = tokens["r1_admin"]
    assert client.get(CUSTOMERS, headers=bearer(token)).status_code == 200
    token_id = session.exec(select(ApiToken.id).where(ApiToken.token_hash == api_tokens.token_hash(token))).one()
    api_tokens.revoke_token(session=session, actor=world.actor("r1_admin"), token_id=token_id)
    session.commit()
    problem(client.get(CUSTOMERS, headers=bearer(token)), 401)


def test_auth_an_expired_token_is_401(client, session, world):
    token = make_token(session, world, "r1_admin", expires_days=30, now=datetime.now(UTC) - timedelta(days=31))
    problem(client.get(CUSTOMERS, headers=bearer(token)), 401)


def test_auth_the_token_of_a_deactivated_user_is_401(client, session, world, tokens):
    user = session.get(User, world.users["r1_admin"])
    user.status = UserStatus.DEACTIVATED
    session.add(user)
    session.commit()
    problem(client.get(CUSTOMERS, headers=bearer(tokens["r1_admin"])), 401)


def test_auth_401_comes_before_any_look_at_the_input(client):
    """An unauthenticated caller learns nothing: not whether an id exists, nor what a body lacks."""
    problem(client.post(CUSTOMERS, content=b"{not json"), 401)
    problem(client.get(CUSTOMERS + "/999999"), 401)
    problem(client.patch("/api/v1/products/1", json={"nope": 1}), 401)


def test_auth_a_request_notes_when_the_token_was_last_used(client, session, tokens):
    token = tokens["r1_viewer"]
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == api_tokens.token_hash(token))).one()
    assert record.last_used_at is None
    client.get(CUSTOMERS, headers=bearer(token))
    session.expire_all()
    assert session.get(ApiToken, record.id).last_used_at is not None


def test_auth_a_refused_change_still_notes_the_use(client, session, world, tokens):
    """The token is resolved in its own transaction: a rolled-back change does not undo last_used_at."""
    token = tokens["r1_viewer"]
    response = client.post(CUSTOMERS, headers=bearer(token), json={"customer_name": "Nope"})
    problem(response, 403)
    session.expire_all()
    record = session.exec(select(ApiToken).where(ApiToken.token_hash == api_tokens.token_hash(token))).one()
    assert record.last_used_at is not None


# ---------------------------------------------------------------- scope (AUTH-4) and perspective (TENANT-1)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("dist_admin", {"r1", "r1_cust1", "r1_cust2", "r2", "r2_cust1", "r2_cust2", "dist_cust1", "sandbox"}),
        ("dist_viewer", {"r1", "r1_cust1", "r1_cust2", "r2", "r2_cust1", "r2_cust2", "dist_cust1", "sandbox"}),
        ("r1_admin", {"r1", "r1_cust1", "r1_cust2"}),
        ("r1_viewer", {"r1", "r1_cust1", "r1_cust2"}),
        ("r2_admin", {"r2", "r2_cust1", "r2_cust2"}),
        ("tenant_admin", {"r1_cust1"}),
    ],
)
def test_auth_4_a_token_sees_exactly_what_its_user_sees(client, world, tokens, user, expected):
    assert world.names(_listed(client, tokens[user])) == expected


def test_tenant_1_a_token_made_in_a_perspective_sees_that_tenant_only(client, session, world):
    token = make_token(session, world, "dist_admin", perspective="r2")
    assert world.names(_listed(client, token)) == {"r2", "r2_cust1", "r2_cust2"}
    problem(client.get(f"{CUSTOMERS}/{world.accounts['r1_cust1']}", headers=bearer(token)), 404)


def test_tenant_1_a_customer_perspective_token_acts_as_that_customers_admin(client, session, world):
    token = make_token(session, world, "r1_admin", perspective="r1_cust1")
    assert world.names(_listed(client, token)) == {"r1_cust1"}
    # A customer's native admin manages its contacts, but creates no customers.
    created = client.post(f"{CUSTOMERS}/{world.accounts['r1_cust1']}/contacts", headers=bearer(token),
                          json={"name": "Pat", "email": "pat@example.com"})
    assert created.status_code == 201, created.text
    body = problem(client.post(CUSTOMERS, headers=bearer(token), json={"customer_name": "X"}), 403)
    assert body["detail"] == "You do not have permission to do this."


def test_tenant_2_a_token_whose_perspective_left_the_users_scope_stops_working(client, session, world):
    token = make_token(session, world, "r1_admin", perspective="r1_cust2")
    assert client.get(CUSTOMERS, headers=bearer(token)).status_code == 200
    customer = session.get(Account, world.accounts["r1_cust2"])
    customer.parent_id = world.accounts["r2"]
    session.add(customer)
    session.commit()
    problem(client.get(CUSTOMERS, headers=bearer(token)), 401)


def test_a_viewers_token_is_read_only(client, world, tokens):
    token = tokens["r1_viewer"]
    assert client.get(f"{CUSTOMERS}/{world.accounts['r1_cust1']}", headers=bearer(token)).status_code == 200
    body = problem(client.patch(f"{CUSTOMERS}/{world.accounts['r1_cust1']}", headers=bearer(token),
                                json={"version": 1, "organization": "X"}), 403)
    assert body["detail"] == "You do not have permission to do this."
    problem(client.delete(f"{CUSTOMERS}/{world.accounts['r1_cust2']}", headers=bearer(token)), 403)
