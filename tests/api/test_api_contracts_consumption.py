"""Issue 8: contracts (CONTRACT-2) and a customer's consumption (DETAIL-3) through the API, scoped (AUTH-4)."""

from __future__ import annotations

from datetime import date

import pytest

from msc_app.models import Product
from msc_app.services import contracts
from tests.api.conftest import bearer, problem

CONTRACTS = "/api/v1/contracts"


@pytest.mark.parametrize(("user", "expected"), [
    ("dist_admin", {"r1_cust1", "r1_cust2", "r2_cust1", "r2_cust2", "dist_cust1", "sandbox"}),
    ("r1_viewer", {"r1_cust1", "r1_cust2"}),
    ("r2_admin", {"r2_cust1", "r2_cust2"}),
    ("tenant_admin", {"r1_cust1"}),
])
def test_contract_2_the_list_is_scoped(client, world, tokens, extras, user, expected):
    body = client.get(CONTRACTS, headers=bearer(tokens[user])).json()
    assert world.names({row["account_id"] for row in body["items"]}) == expected
    assert body["total"] == len(expected)
    assert {row["id"] for row in body["items"]} == {extras.contracts[key] for key in expected}


def test_contract_2_search_sort_page_and_customer_filter_as_the_service(client, session, world, tokens, extras):
    params = {"q": "c-r", "sort": "value", "desc": "1", "page": "2", "size": "2"}
    body = client.get(CONTRACTS, headers=bearer(tokens["dist_admin"]), params=params).json()
    expected = contracts.list_contracts(session=session, actor=world.actor("dist_admin"), search="c-r",
                                        sort="value", descending=True, page=2, page_size=2)
    assert [row["id"] for row in body["items"]] == [row.id for row in expected.rows]
    assert (body["total"], body["page"], body["page_count"], body["sort"], body["descending"]) == (
        expected.total, 2, expected.page_count, "value", True,
    )
    one = client.get(CONTRACTS, headers=bearer(tokens["r1_admin"]),
                     params={"account": world.accounts["r1_cust2"], "status": "Active"}).json()
    assert [row["id"] for row in one["items"]] == [extras.contracts["r1_cust2"]]
    assert one["account_id"] == world.accounts["r1_cust2"] and one["status"] == "Active"


@pytest.mark.parametrize("account", ["r2_cust1", "dist"])
def test_contract_2_a_foreign_customer_filter_looks_like_a_missing_customer(client, world, tokens, extras, account):
    foreign = problem(client.get(CONTRACTS, headers=bearer(tokens["r1_admin"]),
                                 params={"account": world.accounts[account]}), 404)
    missing = problem(client.get(CONTRACTS, headers=bearer(tokens["r1_admin"]), params={"account": "999999"}), 404)
    garbage = problem(client.get(CONTRACTS, headers=bearer(tokens["r1_admin"]), params={"account": "x1"}), 404)
    assert foreign == missing == garbage and foreign["detail"] == "Customer not found."


def test_contract_2_get_a_contract_and_a_foreign_one_looks_missing(client, world, tokens, extras):
    response = client.get(f"{CONTRACTS}/{extras.contracts['r1_cust1']}", headers=bearer(tokens["tenant_admin"]))
    assert response.status_code == 200
    assert (response.json()["number"], response.json()["customer_name"]) == ("C-R1_CUST1", "Harbor Dental")
    foreign = problem(client.get(f"{CONTRACTS}/{extras.contracts['r1_cust2']}",
                                 headers=bearer(tokens["tenant_admin"])), 404)
    missing = problem(client.get(f"{CONTRACTS}/999999", headers=bearer(tokens["tenant_admin"])), 404)
    assert foreign == missing and foreign["detail"] == "Contract not found."


# ---------------------------------------------------------------- consumption (DETAIL-3)


def test_detail_3_consumption_of_a_customer(client, world, tokens, extras):
    response = client.get(f"/api/v1/customers/{world.accounts['r1_cust1']}/consumption",
                          headers=bearer(tokens["tenant_admin"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["days"]) == 90 and body["days"][-1]["day"] == date.today().isoformat()
    assert body["products"] == ["Microsoft 365"]
    assert body["window_total"] == 5 + 6 + 7
    assert body["days"][-1]["by_product"] == {"Microsoft 365": 5}


@pytest.mark.parametrize(("user", "target"), [("r1_admin", "r2_cust1"), ("tenant_admin", "r1_cust2")])
def test_auth_4_foreign_consumption_is_not_found(client, world, tokens, extras, user, target):
    body = problem(client.get(f"/api/v1/customers/{world.accounts[target]}/consumption",
                              headers=bearer(tokens[user])), 404)
    assert body["detail"] == "Customer not found."


def test_detail_3_a_forecast_beyond_the_calendar_is_no_forecast_not_an_error(client, session, world, tokens, extras):
    """A big quota used slowly puts the service's burn-down forecast past year 9999 (OverflowError there)."""
    product = session.get(Product, extras.products["r1_cust1"])
    product.credit_quota = 2_000_000_000  # 18 units in the last 30 days: ~3e9 days to use it up
    session.add(product)
    session.commit()
    response = client.get(f"/api/v1/customers/{world.accounts['r1_cust1']}/consumption",
                          headers=bearer(tokens["r1_admin"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["quota"] == 2_000_000_000 and body["runs_out_on"] is None and body["runs_out_early"] is False
