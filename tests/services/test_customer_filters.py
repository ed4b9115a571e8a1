"""LIST-5 filters of the customers list, their URL form (LIST-9) and the filter panel's choices, on the database.

The module's accounts (beside the shared world) and what each filter must find
are written out below by hand, not derived from the service:

| account      | parent | products (type / plan / tenant type / regions)                          | onboarding | source  |
|--------------|--------|--------------------------------------------------------------------------|------------|---------|
| sandbox      | dist   | Hybrid / Default / Evaluation / US East                                  | 5 of 5     | -       |
| r1_cust1     | r1     | M365 / Default / Commercial / EU Frankfurt                               | none       | -       |
| r2_cust1     | r2     | Hybrid / Premium Protect / Evaluation / US West, Canada                  | none       | -       |
| f_multi      | r1     | SaaS / R1 Own Plan / NFR / US East, EU Ireland + M365 / Default / Commercial / UK London | none | - |
| f_bare       | r1     | none                                                                     | 1 of 5     | Failed  |
| f_secret     | r2     | SaaS / R2 Secret Plan / Commercial / APAC Tokyo                          | 5 of 5     | Warning |

Tenant admins: "Tenant Admin" on r1_cust1 (world), "Ta Two" on f_secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlmodel import Session, select

from msc_app.models import (
    Account,
    AccountKind,
    BillingIngestion,
    IngestionStatus,
    OnboardingTask,
    OnboardingTaskKind,
    ProductType,
    Role,
    ServicePlan,
    TaskStatus,
    TenantAdminAssignment,
    TenantType,
)
from msc_app.services import summaries
from msc_app.services.customers import MAX_PAGE_SIZE, ListQuery, SortKey, list_customers
from msc_app.services.list_filters import (
    MAX_VALUES,
    PRODUCT_CHOICES,
    REGION_CHOICES,
    TENANT_TYPE_CHOICES,
    PlanOption,
    filter_options,
    narrow_plans,
)
from tests.conftest import World, add_account, add_product
from tests.services.support import add_user

M365 = ProductType.MICROSOFT_365.value
SAAS = ProductType.SAAS_APPS_ENDPOINTS.value
HYBRID = ProductType.HYBRID_WORKLOADS.value


@dataclass
class FilterWorld:
    world: World
    ids: dict[str, int]  # accounts by name (the world's and this module's)
    plans: dict[str, int]  # plan ids by name
    admins: dict[str, int]  # tenant admin user ids by name

    def names(self, ids) -> set[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id.get(i, f"#{i}") for i in ids}


def _tasks(session: Session, account_id: int, done: int) -> None:
    for n, kind in enumerate(OnboardingTaskKind):
        session.add(
            OnboardingTask(account_id=account_id, kind=kind, status=TaskStatus.DONE if n < done else TaskStatus.NOT_STARTED)
        )
    session.flush()
    summaries.refresh_onboarding(session=session, account_id=account_id)


def _ingestion(session: Session, account_id: int, status: IngestionStatus) -> None:
    session.add(BillingIngestion(account_id=account_id, status=status))
    session.flush()
    summaries.refresh_source_data(session=session, account_id=account_id)


@pytest.fixture(scope="module")
def fw(world, database) -> FilterWorld:
    with Session(database.engine, expire_on_commit=False) as session:
        acc = world.accounts
        plans = {p.name: p.id for p in session.exec(select(ServicePlan))}

        def plan(name, edition, products, workloads, owner) -> int:
            row = ServicePlan(name=name, edition=edition, products=products, workloads=workloads, owner_account_id=acc[owner])
            session.add(row)
            session.flush()
            plans[name] = row.id
            return row.id

        plan("R1 Own Plan", "Enterprise", [SAAS], ["Endpoints", "Google Workspace"], "r1")
        plan("R2 Secret Plan", "Elite", [M365, SAAS], ["Salesforce", "Teams"], "r2")
        plan("Unused Dist Plan", "Business", [HYBRID], ["NAS"], "dist")

        ids = dict(acc)
        for name, parent in (("f_multi", "r1"), ("f_bare", "r1"), ("f_secret", "r2")):
            ids[name] = add_account(session, kind=AccountKind.CUSTOMER, name=f"Filter {name}", parent_id=acc[parent]).id
        add_product(session, account_id=ids["f_multi"], plan_id=plans["R1 Own Plan"], product_type=SAAS,
                    tenant_type=TenantType.NFR, storage_regions=["US East", "EU Ireland"])  # fmt: skip
        add_product(session, account_id=ids["f_multi"], plan_id=plans["Default Service Plan"], product_type=M365,
                    tenant_type=TenantType.COMMERCIAL, storage_regions=["UK London"])  # fmt: skip
        add_product(session, account_id=ids["f_secret"], plan_id=plans["R2 Secret Plan"], product_type=SAAS,
                    tenant_type=TenantType.COMMERCIAL, storage_regions=["APAC Tokyo"])  # fmt: skip
        _tasks(session, ids["f_bare"], done=1)
        _tasks(session, ids["f_secret"], done=5)
        _ingestion(session, ids["f_bare"], IngestionStatus.FAILED)
        _ingestion(session, ids["f_secret"], IngestionStatus.WARNING)

        ta_two = add_user(session, world, "ta_two", role=Role.TENANT_ADMIN, home="r2", name="Ta Two")
        session.add(TenantAdminAssignment(user_id=ta_two.id, account_id=ids["f_secret"]))
        session.flush()
        summaries.refresh_for_user(session=session, user_id=ta_two.id)
        session.commit()
    return FilterWorld(
        world=world,
        ids=ids,
        plans=plans,
        admins={"Tenant Admin": world.users["tenant_admin"], "Ta Two": ta_two.id},
    )


def _found(session, fw: FilterWorld, user: str = "dist_admin", **filters) -> set[str]:
    """The names of the rows matching ``filters`` (context rows left out), after checking the total."""
    page = list_customers(
        session=session, actor=fw.world.actor(user), query=ListQuery(page_size=MAX_PAGE_SIZE, **filters)
    )
    matching = [r.id for r in page.rows if not r.is_context]
    assert page.total == len(matching)
    return fw.names(matching)


# ---------------------------------------------------------------- each filter


@pytest.mark.parametrize(
    ("products", "expected"),
    [
        ((M365,), {"r1_cust1", "f_multi"}),
        ((SAAS,), {"f_multi", "f_secret"}),
        ((M365, SAAS), {"r1_cust1", "f_multi", "f_secret"}),
        ((HYBRID,), {"sandbox", "r2_cust1"}),
    ],
)
def test_list_5_products_filter_matches_accounts_with_such_a_product(session, fw, products, expected):
    """LIST-5: Products finds the accounts with at least one product of a chosen type (OR within the filter)."""
    assert _found(session, fw, products=products) == expected


def test_list_5_service_plan_filter_by_plan_id(session, fw):
    """LIST-5: Service Plans finds accounts with a product on a chosen plan."""
    p = fw.plans
    assert _found(session, fw, service_plans=(p["Premium Protect"],)) == {"r2_cust1"}
    assert _found(session, fw, service_plans=(p["R1 Own Plan"],)) == {"f_multi"}
    assert _found(session, fw, service_plans=(p["Premium Protect"], p["R2 Secret Plan"])) == {"r2_cust1", "f_secret"}
    assert _found(session, fw, service_plans=(p["Default Service Plan"],)) == {"sandbox", "r1_cust1", "f_multi"}
    assert _found(session, fw, service_plans=(p["Unused Dist Plan"],)) == set()


def test_list_5_plan_filter_is_exact_for_similar_repeated_and_odd_plan_names(session, fw):
    """LIST-5: a plan is chosen by id: "Premium" does not find "Premium Protect" customers, two resellers'
    plans both named "Twin" stay apart, LIKE metacharacters in a name are literal, a plan named "Alpha, Beta"
    does not find a customer of "Alpha" and "Beta", and a plan hidden by a cut-off plan summary is found."""
    acc = fw.world.accounts
    plans = {}
    for key, name, owner in (
        ("premium", "Premium", "dist"),
        ("twin_r1", "Twin", "r1"),
        ("twin_r2", "Twin", "r2"),
        ("odd", "50%_off\\", "dist"),
        ("comma", "Alpha, Beta", "dist"),
        ("alpha", "Alpha", "dist"),
        ("beta", "Beta", "dist"),
        *((f"long{n}", f"Long plan name number {n} " + "x" * 20, "dist") for n in range(6)),
    ):
        plan = ServicePlan(name=name, products=[SAAS], owner_account_id=acc[owner])
        session.add(plan)
        session.flush()
        plans[key] = plan.id
    found_ids = {}
    for key, parent, plan_keys in (
        ("p_premium", "dist", ["premium"]),
        ("t1", "r1", ["twin_r1"]),
        ("t2", "r2", ["twin_r2"]),
        ("odd", "dist", ["odd"]),
        ("near_odd", "dist", ["premium"]),  # a summary "Premium" that '50%_off' as a pattern would not match anyway
        ("many", "dist", [f"long{n}" for n in range(6)]),
        ("alpha_and_beta", "dist", ["alpha", "beta"]),  # its summary reads "Alpha, Beta"
    ):
        account = add_account(session, kind=AccountKind.CUSTOMER, name=f"Plan test {key}", parent_id=acc[parent])
        for plan_key in plan_keys:
            add_product(session, account_id=account.id, plan_id=plans[plan_key], product_type=SAAS)
        found_ids[key] = account.id
    many = session.get(Account, found_ids["many"])
    assert len(many.service_plan_summary) == 200, "the summary of six long names is cut"

    def found(*keys):
        page = list_customers(session=session, actor=fw.world.actor("dist_admin"),
                              query=ListQuery(page_size=MAX_PAGE_SIZE, service_plans=tuple(plans.get(k) or fw.plans[k] for k in keys)))  # fmt: skip
        names = {v: k for k, v in {**fw.ids, **found_ids}.items()}
        return {names[r.id] for r in page.rows if not r.is_context}

    assert found("premium") == {"p_premium", "near_odd"}
    assert found("Premium Protect") == {"r2_cust1"}
    assert found("twin_r1") == {"t1"}
    assert found("twin_r1", "twin_r2") == {"t1", "t2"}
    assert found("odd") == {"odd"}
    assert found("long5") == found("long0") == {"many"}
    assert found("comma") == set()
    assert found("alpha") == found("beta") == {"alpha_and_beta"}


def test_list_5_closed_choices_never_contain_one_another():
    """LIST-5: products, tenant types and regions are matched as text in the ", "-joined list columns; that is
    exact only while no choice contains another or a ", " (this test keeps it so)."""
    for choices in (PRODUCT_CHOICES, TENANT_TYPE_CHOICES, REGION_CHOICES):
        for one in choices:
            assert ", " not in one and "%" not in one and "_" not in one
            assert not [other for other in choices if other != one and one.lower() in other.lower()]


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        (("US East",), {"sandbox", "f_multi"}),
        (("US West",), {"r2_cust1"}),  # shares "US" with US East: matched exactly, not by prefix
        (("Canada", "APAC Tokyo"), {"r2_cust1", "f_secret"}),
        (("UK London",), {"f_multi"}),  # the second product's region
        (("APAC Sydney",), set()),
    ],
)
def test_list_5_storage_region_filter_matches_a_region_of_any_product(session, fw, regions, expected):
    """LIST-5: Storage Regions finds accounts with a product stored in a chosen region (a JSON list per product)."""
    assert _found(session, fw, storage_regions=regions) == expected


def test_list_5_tenant_type_filter(session, fw):
    """LIST-5: Tenant Type finds accounts with a product of a chosen tenant type."""
    assert _found(session, fw, tenant_types=(TenantType.NFR.value,)) == {"f_multi"}
    assert _found(session, fw, tenant_types=(TenantType.EVALUATION.value,)) == {"sandbox", "r2_cust1"}
    assert _found(session, fw, tenant_types=(TenantType.COMMERCIAL.value,)) == {"r1_cust1", "f_multi", "f_secret"}


def test_list_5_tenant_admin_filter(session, fw):
    """LIST-5: Tenant Admin finds the accounts a chosen tenant admin is assigned to."""
    a = fw.admins
    assert _found(session, fw, tenant_admins=(a["Tenant Admin"],)) == {"r1_cust1"}
    assert _found(session, fw, tenant_admins=(a["Ta Two"],)) == {"f_secret"}
    assert _found(session, fw, tenant_admins=(a["Tenant Admin"], a["Ta Two"])) == {"r1_cust1", "f_secret"}


def test_list_5_status_filter_complete_and_in_progress(session, fw):
    """LIST-5 / STATUS-2: in progress is done < total; complete is done == total, nothing to do (0 of 0) included."""
    assert _found(session, fw, status="in_progress") == {"f_bare"}
    every = _found(session, fw)
    assert _found(session, fw, status="complete") == every - {"f_bare"}
    assert {"r1", "r2", "r1_cust2", "sandbox", "f_secret"} <= every - {"f_bare"}


def test_status_2_own_tenant_counts_as_complete_in_the_status_filter(session, fw):
    """STATUS-2 / LIST-5: a reseller onboarding itself shows --- to its own admin, so the status filter
    treats that row as complete for it, while the distributor sees it in progress."""
    _tasks(session, fw.ids["r1"], done=2)
    session.flush()
    summaries.refresh_onboarding(session=session, account_id=fw.ids["r1"])
    session.flush()
    assert "r1" in _found(session, fw, status="in_progress")
    assert "r1" not in _found(session, fw, "r1_admin", status="in_progress")
    assert "r1" in _found(session, fw, "r1_admin", status="complete")


def test_list_5_source_data_filter_uses_the_aggregated_status(session, fw):
    """LIST-5 / SOURCE-1: Source Data filters on the shown status, a reseller's being its customers' worst."""
    assert _found(session, fw, source_data=("Failed",)) == {"f_bare", "r1"}
    assert _found(session, fw, source_data=("Warning",)) == {"f_secret", "r2"}
    assert _found(session, fw, source_data=("Failed", "Warning")) == {"f_bare", "r1", "f_secret", "r2"}
    not_available = _found(session, fw, source_data=("Not available",))
    assert {"r1_cust1", "r2_cust1", "f_multi"} <= not_available and not not_available & {"r1", "r2", "f_bare"}


# ---------------------------------------------------------------- combinations


def test_list_5_filters_combine_with_and(session, fw):
    """LIST-5: different filters all apply (AND); each may be met by a different product of the account."""
    p = fw.plans
    assert _found(session, fw, products=(M365,), storage_regions=("US East",)) == {"f_multi"}
    assert _found(session, fw, products=(M365,), tenant_types=(TenantType.EVALUATION.value,)) == set()
    assert _found(
        session, fw, service_plans=(p["Default Service Plan"],), status="complete", storage_regions=("US East",)
    ) == {"sandbox", "f_multi"}
    assert _found(session, fw, products=(SAAS,), source_data=("Warning",), tenant_admins=(fw.admins["Ta Two"],)) == {
        "f_secret"
    }
    assert _found(session, fw, products=(M365, SAAS), status="in_progress") == set()


def test_list_5_filters_combine_with_the_search(session, fw):
    """LIST-5 / LIST-4: the search box and the filters both apply."""
    assert _found(session, fw, search="filter", products=(M365,)) == {"f_multi"}
    assert _found(session, fw, search="harbor", products=(M365,)) == {"r1_cust1"}


def test_list_5_filters_stay_within_scope(session, fw):
    """LIST-5 / AUTH-4: a filter naming another tenant's plan or admin finds nothing outside the actor's scope."""
    p, a = fw.plans, fw.admins
    assert _found(session, fw, "r1_admin", service_plans=(p["R2 Secret Plan"], p["Premium Protect"])) == set()
    assert _found(session, fw, "r2_admin", tenant_admins=(a["Tenant Admin"],)) == set()
    assert _found(session, fw, "tenant_admin", products=(HYBRID,)) == set()
    assert _found(session, fw, "tenant_admin", products=(M365,)) == {"r1_cust1"}
    assert _found(session, fw, "r1_admin", products=(M365,)) == {"r1_cust1", "f_multi"}


def test_list_6_filter_shows_matching_children_under_their_reseller_as_context(session, fw):
    """LIST-5 / LIST-6: customers found by a filter nest under their reseller, shown as an uncounted context row."""
    page = list_customers(session=session, actor=fw.world.actor("dist_admin"), query=ListQuery(products=(M365,)))
    by_id = {v: k for k, v in fw.ids.items()}
    shape = [(by_id[r.id], r.depth, r.is_context) for r in page.rows]
    assert shape == [("r1", 0, True), ("f_multi", 1, False), ("r1_cust1", 1, False)]  # 'filter …' < 'harbor …'
    assert page.total == 2


@pytest.mark.parametrize("sort", [SortKey.NAME, SortKey.LICENSE_EXPIRY, SortKey.SOURCE_DATA])
def test_list_5_filtered_pages_walk_every_match_once(session, fw, sort):
    """LIST-5 / LIST-1: a filtered list pages through exactly its matches, one row per page here."""
    query = {"storage_regions": ("US East", "Canada", "APAC Tokyo"), "sort": sort}
    expected = _found(session, fw, **query)
    actor = fw.world.actor("dist_admin")
    first = list_customers(session=session, actor=actor, query=ListQuery(page_size=1, **query))
    seen = []
    for number in range(1, first.page_count + 1):
        page = list_customers(session=session, actor=actor, query=ListQuery(page=number, page_size=1, **query))
        seen += [r.id for r in page.rows if not r.is_context]
    assert first.page_count == len(expected) == 4
    assert fw.names(seen) == expected and len(seen) == len(set(seen))


# ---------------------------------------------------------------- untrusted input


def test_list_5_parse_keeps_known_values_dedupes_and_sorts():
    """LIST-5 / LIST-9: filter values from a URL or a form: known ones kept (any case), duplicates and unknown
    ones dropped, sorted, from a list of strings or one comma-separated string."""
    query = ListQuery.parse(
        products="Microsoft 365, microsoft 365 ,Bogus,,SaaS Apps and Endpoints",
        service_plans=["3", "x", "-1", "2,3", "1e3", "99999999999", 5, " 7 ", "0", "²"],
        storage_regions=["us east", "Mars", "US East", "eu-ireland"],
        tenant_types="not-for-resale",
        tenant_admins="abc,12;13,14",
        status="In Progress",
        source_data=["FAILED", "not_available", "ok", "Warning"],
    )
    assert query.products == (M365, SAAS)
    assert query.service_plans == (2, 3, 5, 7)
    assert query.storage_regions == ("EU Ireland", "US East")
    assert query.tenant_types == (TenantType.NFR.value,)
    assert query.tenant_admins == (14,)
    assert query.status == "in_progress"
    assert query.source_data == ("Failed", "Not available", "Warning")


@pytest.mark.parametrize(
    "garbage",
    [None, "", 42, 3.5, True, {"Microsoft 365": 1}.values(), [None, 3.5, ["Microsoft 365"], {"x"}], object(), b"\xff\xfe"],
)
def test_list_5_parse_survives_any_input(garbage):
    """LIST-5: whatever arrives as a filter value, parsing never fails; nothing unknown gets through."""
    query = ListQuery.parse(
        products=garbage,
        service_plans=garbage,
        storage_regions=garbage,
        tenant_types=garbage,
        tenant_admins=garbage,
        status=garbage,
        source_data=garbage,
    )
    numbers = {(42,), (1,)}  # 42 and the dict's value 1 are well-formed ids
    assert query.service_plans in numbers | {()} and query.tenant_admins == query.service_plans
    assert (query.products, query.storage_regions, query.tenant_types, query.source_data, query.status) == (
        (), (), (), (), ""
    )  # fmt: skip


def test_list_5_equal_views_parse_to_equal_queries():
    """LIST-5: the same choices in another order, case or spelling give the same (hashable) query."""
    one = ListQuery.parse(products=f"{SAAS},{M365}", service_plans="4,2", source_data=["warning", "Failed"])
    two = ListQuery.parse(products=[M365, SAAS, M365.upper()], service_plans=[2, "4", "2"], source_data="Failed,Warning")
    assert one == two and hash(one) == hash(two)


def test_list_5_parse_bounds_the_number_of_values():
    """LIST-5: a flood of ids is cut to a bounded number before it reaches the database."""
    query = ListQuery.parse(service_plans=",".join(str(i) for i in range(1, 5000)))
    assert len(query.service_plans) == MAX_VALUES


def test_list_5_unknown_status_means_no_filter():
    """LIST-5: a status other than complete / in progress does not filter."""
    assert ListQuery.parse(status="done").status == ""
    assert ListQuery.parse(status="complete").status == "complete"
    assert ListQuery.parse(status=["bogus", "in_progress"]).status == "in_progress"


def test_list_5_sql_in_filter_values_is_harmless(session, fw):
    """LIST-5 / AUTH-4: SQL in a filter value is dropped as unknown and widens nothing."""
    query = ListQuery.parse(
        products="' OR '1'='1", storage_regions='US East"%', service_plans="1 OR 1=1", source_data="Failed'--"
    )
    assert not query.filtered
    assert _found(session, fw, "r1_admin") == {"r1", "r1_cust1", "r1_cust2", "f_multi", "f_bare"}


# ---------------------------------------------------------------- LIST-9 URL


ROUND_TRIPS = [
    ListQuery(),
    ListQuery(search="harbor & co", page=3),
    ListQuery(sort=SortKey.QUOTA_END, descending=True, page_size=50),
    ListQuery(descending=True),
    ListQuery(products=(M365, SAAS), service_plans=(2, 11), storage_regions=("EU Ireland", "US East")),
    ListQuery(tenant_types=(TenantType.NFR.value,), tenant_admins=(7,), status="in_progress", source_data=("Failed",)),
    ListQuery(
        search="x,y", sort=SortKey.SOURCE_DATA, page=2, products=(HYBRID,), status="complete",
        source_data=("Not available", "Warning"),
    ),  # fmt: skip
]


@pytest.mark.parametrize("query", ROUND_TRIPS)
def test_list_9_query_round_trips_through_url_parameters(query):
    """LIST-9: to_params then from_params gives the same query, also through a real query string."""
    params = query.to_params()
    assert ListQuery.from_params(params) == query
    assert ListQuery.from_params(dict(parse_qsl(urlencode(params)))) == query
    assert all(isinstance(v, str) and v for v in params.values())


def test_list_9_url_parameters_hold_only_what_differs_from_the_defaults():
    """LIST-9: a default view has no parameters; filters are one comma-joined parameter each."""
    assert ListQuery().to_params() == {}
    assert ListQuery(products=(M365, SAAS), tenant_admins=(3, 9), status="complete", sort=SortKey.CREATED).to_params() == {
        "sort": "created",
        "product": f"{M365},{SAAS}",
        "admin": "3,9",
        "status": "complete",
    }


class _MultiDict(dict):
    """Like Starlette's QueryParams: a key may repeat."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self._pairs = list(pairs)

    def getlist(self, key):
        return [v for k, v in self._pairs if k == key]


def test_list_9_from_params_takes_repeated_parameters_and_ignores_junk():
    """LIST-9: ?product=a&product=b works like product=a,b; unknown parameters and values are ignored."""
    params = _MultiDict([("product", M365), ("product", SAAS), ("plan", "4"), ("evil", "1"), ("page", "-9"), ("region", "Moon")])
    query = ListQuery.from_params(params)
    assert (query.products, query.service_plans, query.page, query.storage_regions) == ((M365, SAAS), (4,), 1, ())


# ---------------------------------------------------------------- the panel's choices


def _plan_names(options) -> set[str]:
    return {p.name for p in options.service_plans}


def test_list_5_options_for_the_distributor_cover_every_plan_in_its_tree(session, fw):
    """LIST-5: the distributor may filter by any plan of its tree, used or not, and any tenant admin."""
    options = filter_options(session=session, actor=fw.world.actor("dist_admin"))
    assert _plan_names(options) == {
        "Default Service Plan", "Premium Protect", "R1 Own Plan", "R2 Secret Plan", "Unused Dist Plan"
    }  # fmt: skip
    assert {(a.name) for a in options.tenant_admins} == {"Tenant Admin", "Ta Two"}
    assert options.products == (HYBRID, SAAS, M365)
    assert options.tenant_types == tuple(t.value for t in TenantType)
    assert "US East" in options.storage_regions and len(options.storage_regions) == 9
    assert options.statuses == (("complete", "Complete"), ("in_progress", "In progress"))
    assert set(options.source_data) == {"Success", "Warning", "Failed", "Not available"}
    assert options.editions == ("Business", "Enterprise", "Elite")


@pytest.mark.parametrize(
    ("user", "plans", "admins"),
    [
        # R1's customers use the Default plan and R1's own; Premium is used only under R2.
        ("r1_admin", {"Default Service Plan", "R1 Own Plan"}, {"Tenant Admin"}),
        ("r1_viewer", {"Default Service Plan", "R1 Own Plan"}, {"Tenant Admin"}),
        ("r2_admin", {"Premium Protect", "R2 Secret Plan"}, {"Ta Two"}),
        ("tenant_admin", {"Default Service Plan"}, {"Tenant Admin"}),
    ],
)
def test_list_5_options_never_reveal_another_tenants_plans_or_admins(session, fw, user, plans, admins):
    """LIST-5 / AUTH-4: a reseller is offered the plans its customers use and its own, never another reseller's
    own plan nor the distributor's unused ones; and only the tenant admins of its accounts."""
    options = filter_options(session=session, actor=fw.world.actor(user))
    assert _plan_names(options) == plans
    assert {a.name for a in options.tenant_admins} == admins


def test_list_5_options_in_a_perspective_are_the_tenants_own(session, fw):
    """LIST-5 / TENANT-1: switched into R1, the distributor is offered exactly what R1's admin is offered."""
    switched = filter_options(session=session, actor=fw.world.actor("dist_admin", perspective="r1"))
    assert switched == filter_options(session=session, actor=fw.world.actor("r1_admin"))


def test_list_5_options_list_the_editions_and_workloads_of_the_offered_plans(session, fw):
    """LIST-5: the Edition and Workload choices come from the plans the actor is offered."""
    options = filter_options(session=session, actor=fw.world.actor("r1_admin"))
    assert options.editions == ("Business", "Enterprise")
    assert options.workloads == ("Endpoints", "Files", "Google Workspace", "Microsoft 365", "VMware")
    plan = next(p for p in options.service_plans if p.name == "R1 Own Plan")
    assert (plan.id, plan.edition, plan.products, plan.workloads) == (
        fw.plans["R1 Own Plan"], "Enterprise", (SAAS,), ("Endpoints", "Google Workspace")
    )  # fmt: skip


PLANS = (
    PlanOption(1, "Basic Files", "Business", (HYBRID,), ("Files", "VMware")),
    PlanOption(2, "Mail Plus", "Business", (M365,), ("Exchange Online", "Teams")),
    PlanOption(3, "Everything", "Elite", (HYBRID, SAAS, M365), ("VMware", "Teams", "Salesforce")),
    PlanOption(4, "Apps", "Enterprise", (SAAS,), ("Salesforce",)),
)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({}, [1, 2, 3, 4]),
        ({"product": HYBRID}, [1, 3]),
        ({"edition": "Business"}, [1, 2]),
        ({"workload": "Teams"}, [2, 3]),
        ({"product": SAAS, "workload": "Salesforce"}, [3, 4]),
        ({"product": M365, "edition": "Business", "workload": "Teams"}, [2]),
        ({"product": HYBRID, "edition": "Enterprise"}, []),
        ({"workload": "Nope"}, []),
    ],
)
def test_list_5_plan_choices_narrow_by_product_edition_and_workload(criteria, expected):
    """LIST-5: the service-plan choices narrowed by Product, Edition and Workload (each optional, all apply)."""
    assert [p.id for p in narrow_plans(PLANS, **criteria)] == expected


def test_list_5_narrowing_real_options(session, fw):
    """LIST-5: narrowing the distributor's real choices by product and edition."""
    options = filter_options(session=session, actor=fw.world.actor("dist_admin"))
    names = {p.name for p in narrow_plans(options.service_plans, product=SAAS, edition="Elite")}
    assert names == {"Premium Protect", "R2 Secret Plan"}
