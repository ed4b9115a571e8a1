"""Issue 8: API fuzzing. Schemathesis generates requests from ``/api/v1/openapi.json`` for every operation
(valid and invalid input) and sends them in-process to the API with a reseller admin's token.

Checks on every response: no 5xx, the body matches the documented schema, the status is documented, the
content type is the documented one, and no 2xx answer reaches outside the token's scope (AUTH-4): no
customer, contact, contract or product of another tenant by id or name, and no success on an id that
belongs to another tenant.

Bounded (``MAX_EXAMPLES`` per operation, plus schemathesis's deterministic coverage cases) and
deterministic (fixed seed, derandomized Hypothesis, no example database), so CI gets the same run every
time. The number of cases is printed (``-s`` or ``-n0`` to see it; under xdist it is in the test's
``user_properties``/junit ``schemathesis_cases``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select
from starlette.applications import Starlette

from msc_app.api import v1
from msc_app.models import Account, Contact, Contract, Product
from msc_app.services.permissions import visible_accounts
from tests.api.conftest import add_extras, bearer, make_token

MAX_EXAMPLES = int(os.environ.get("MSC_SCHEMATHESIS_EXAMPLES", "120"))
SEED = 20261123
TOKEN_USER = "r1_admin"


@dataclass
class Scope:
    """What lies outside the token's scope: ids by kind, and names no in-scope answer may carry."""

    accounts: set[int]
    contacts: set[int]
    contracts: set[int]
    products: set[int]
    names: set[str]
    cases: int = 0
    foreign_probes: int = 0  # requests that named a foreign id (each must have failed)
    statuses: dict[int, int] = field(default_factory=dict)


def _foreign_scope(session, world, actor) -> Scope:
    visible = set(session.exec(select(Account.id).where(visible_accounts(actor))))
    foreign = {a.id: a for a in session.exec(select(Account)) if a.id not in visible}
    contacts = [c for c in session.exec(select(Contact)) if c.account_id in foreign]
    contracts = [c for c in session.exec(select(Contract)) if c.account_id in foreign]
    products = [p.id for p in session.exec(select(Product)) if p.account_id in foreign]
    names = {a.name for a in foreign.values()} | {a.customer_name for a in foreign.values() if a.customer_name}
    names |= {c.name for c in contacts} | {c.email for c in contacts}
    names |= {c.number for c in contracts} | {c.title for c in contracts}
    assert "Peak Bakery" in names and "Northwind Distribution" in names and "Harbor Dental" not in names
    return Scope(
        accounts=set(foreign), contacts={c.id for c in contacts}, contracts={c.id for c in contracts},
        products=set(products), names=names,
    )


@pytest.fixture
def fuzz(session, world, client) -> tuple[Scope, str]:
    """The world with contacts, contracts and consumption, a token of ``TOKEN_USER``, and what is foreign to it."""
    add_extras(session, world)
    token = make_token(session, world, TOKEN_USER, name="schemathesis")
    return _foreign_scope(session, world, world.actor(TOKEN_USER)), token


CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
})
# The document as the app serves it; each test points the app at its database (the ``client`` fixture).
schema = schemathesis.openapi.from_asgi(v1.OPENAPI_PATH, Starlette(routes=v1.routes), config=CONFIG)

# The world's rows have small ids (accounts 1-9, products 1-3, contacts and contracts 1-6, then what the run
# creates). Ids drawn from all of 1..2**31-1 would almost never name one: half the generated ids are
# redrawn from the small ones, so the run reads and changes real rows, its own and other tenants'.
WORLD_IDS = st.integers(min_value=1, max_value=14)


def _with_world_ids(values: dict, names) -> st.SearchStrategy:
    ints = {name: WORLD_IDS for name in names if isinstance(values.get(name), int)}
    if not ints:
        return st.just(values)
    return st.one_of(st.just(values), st.fixed_dictionaries({**{k: st.just(v) for k, v in values.items()}, **ints}))


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _with_world_ids(path_parameters or {}, list(path_parameters or {}))


@schema.hook
def flatmap_query(context, query):
    return _with_world_ids(query or {}, ["account"])


@schema.hook
def flatmap_body(context, body):
    if isinstance(body, dict):
        return _with_world_ids(body, ["parent_account_id"])
    return st.just(body)


# ---------------------------------------------------------------- the cross-tenant check


def _walk(value):
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _ids_of(obj: dict, scope: Scope) -> list[tuple[str, int, set[int]]]:
    """(what, id, foreign ids of that kind) for the ids this object carries."""
    found = []
    for key in ("account_id", "parent_id"):
        if isinstance(obj.get(key), int):
            found.append((key, obj[key], scope.accounts))
    if isinstance(obj.get("id"), int):
        if "kind" in obj:
            found.append(("customer id", obj["id"], scope.accounts))
        elif "number" in obj and "title" in obj:
            found.append(("contract id", obj["id"], scope.contracts))
        elif "product_type" in obj:
            found.append(("product id", obj["id"], scope.products))
        elif "email" in obj and "account_id" in obj:
            found.append(("contact id", obj["id"], scope.contacts))
    return found


_PATH_KINDS = {"customer_id": "accounts", "product_id": "products", "contact_id": "contacts",
               "contract_id": "contracts"}


def cross_tenant_problems(scope: Scope, case, status: int, body) -> list[str]:
    """Why this answer reaches outside the token's scope (empty when it does not)."""
    problems = []
    named = [(name, value, getattr(scope, kind)) for name, kind in _PATH_KINDS.items()
             for value in [(case.path_parameters or {}).get(name)] if isinstance(value, int)]
    account_param = (case.query or {}).get("account")
    if isinstance(account_param, int):
        named.append(("account", account_param, scope.accounts))
    if isinstance(case.body, dict) and isinstance(case.body.get("parent_account_id"), int):
        named.append(("parent_account_id", case.body["parent_account_id"], scope.accounts))
    probes = [(name, value) for name, value, foreign in named if value in foreign]
    if probes:
        scope.foreign_probes += 1
    if not 200 <= status < 300:
        return problems
    problems += [f"{status} for another tenant's {name} {value}" for name, value in probes]
    for obj in _walk(body):
        problems += [f"{what} {value} of another tenant in the answer" for what, value, foreign in _ids_of(obj, scope)
                     if value in foreign]
    for text in _strings(body):
        problems += [f"another tenant's {name!r} in the answer" for name in scope.names if name in text]
    return problems


# ---------------------------------------------------------------- the run


@dataclass
class Totals:
    cases: int = 0
    operations: int = 0
    foreign_probes: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def totals(backend, request):
    """The run's numbers on one backend, printed when its last operation is done."""
    found = Totals()
    yield found
    line = (f"schemathesis [{backend}]: {found.cases} cases over {found.operations} operations in "
            f"{found.seconds:.0f}s; {found.foreign_probes} named another tenant's ids; "
            f"statuses {json.dumps(dict(sorted(found.statuses.items())))}")
    # Past pytest's capture, on the process's stderr: an xdist worker's stderr is the run's own.
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        sys.stderr.write("\n" + line + "\n")
        sys.stderr.flush()


@pytest.fixture
def stats(fuzz, totals, record_property):
    scope, _token = fuzz
    started = time.monotonic()
    yield scope
    totals.operations += 1
    totals.cases += scope.cases
    totals.foreign_probes += scope.foreign_probes
    totals.seconds += time.monotonic() - started
    for status, count in scope.statuses.items():
        totals.statuses[status] = totals.statuses.get(status, 0) + count
    record_property("schemathesis_cases", scope.cases)
    assert scope.cases >= 1, "the operation was never called"


@schema.parametrize()
# One database transaction per operation, shared by its cases (they see one another's writes, as
# clients would); "too slow" depends on the machine, so it must not decide a deterministic run.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_fuzzing_finds_no_server_error_schema_violation_or_cross_tenant_read(case, fuzz, stats):
    scope, token = fuzz
    response = case.call(headers=bearer(token))
    scope.cases += 1
    scope.statuses[response.status_code] = scope.statuses.get(response.status_code, 0) + 1
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance],
    )
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    problems = cross_tenant_problems(scope, case, response.status_code, body)
    assert not problems, f"{case.method} {case.formatted_path}: {problems}"
