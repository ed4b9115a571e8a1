"""Saved views of the customers list (issue 8), shared down the hierarchy, on the database.

Rules proved here, written out from the issue rather than derived from the service:

- a view belongs to its owner, who alone renames, shares, unshares and deletes it; anyone else's id,
  a missing id and junk are all "View not found." (AUTH-4);
- an admin working as a distributor or a reseller may share a view with the tenants *below* that
  tenant; a user sees, read-only, the shared views of the accounts above the tenant it works as (a
  tenant admin also those of its home tenant, whose customers it works for); never a sibling's,
  never its own tenant colleagues';
- viewers and tenant admins save private views and never share;
- what is stored is cleaned like a URL (LIST-9): ``ListQuery.to_params()`` without the page, and
  known columns in display order with the default columns in;
- a view applied by another tenant shows only that tenant's own rows (the list is scoped);
- every change is audited.

Each test gets the views of ``SEED`` (rolled back afterwards), saved through the service.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import AuditEvent, Role, SavedView, User, UserStatus
from msc_app.services import customers, saved_views
from msc_app.services.customers import ListQuery
from msc_app.services.errors import NotFound, PermissionDenied, ValidationError
from msc_app.services.preferences import DEFAULT_PREFERENCES
from msc_app.services.saved_views import MAX_VIEWS_PER_USER, NAME_MAX, DuplicateViewName

MISSING_ID = 999_999

# key: (owner, perspective or None, name, shared)
SEED = {
    "dist_shared": ("dist_admin", None, "Dist shared", True),
    "dist_private": ("dist_admin", None, "Dist private", False),
    "dist_as_r2": ("dist_admin", "r2", "Dist as R2", True),  # saved in r2's perspective: shared below r2
    "r1_shared": ("r1_admin", None, "R1 shared", True),
    "r1_private": ("r1_admin", None, "R1 private", False),
    "r2_shared": ("r2_admin", None, "R2 shared", True),
    "viewer_private": ("r1_viewer", None, "Viewer private", False),
    "tenant_private": ("tenant_admin", None, "Tenant private", False),
}


@dataclass
class Seeded:
    ids: dict[str, int]  # key -> view id

    def key(self, view_id: int) -> str:
        return next(k for k, v in self.ids.items() if v == view_id)


@pytest.fixture
def seeded(session, world) -> Seeded:
    ids = {}
    for key, (owner, perspective, name, shared) in SEED.items():
        view = saved_views.save_view(
            session=session,
            actor=world.actor(owner, perspective=perspective),
            name=name,
            query_params={"q": key},
            columns=list(DEFAULT_PREFERENCES.columns),
            shared=shared,
        )
        ids[key] = view.id
    return Seeded(ids=ids)


def _stored(session, view_id: int) -> dict | None:
    """The row as stored (read with Core, so the ORM's identity map cannot hide a change)."""
    table = SavedView.__table__
    found = session.execute(sa.select(table).where(table.c.id == view_id)).mappings().first()
    return dict(found) if found is not None else None


def _all_views(session) -> list[dict]:
    table = SavedView.__table__
    return [dict(r) for r in session.execute(sa.select(table).order_by(table.c.id)).mappings().all()]


def _events(session, after_id: int = 0) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "saved_view", AuditEvent.id > after_id)
            .order_by(AuditEvent.id)
        ).all()
    )


def _last_event_id(session) -> int:
    return session.exec(select(sa.func.coalesce(sa.func.max(AuditEvent.id), 0))).one()


# ---------------------------------------------------------------- who sees what

# (actor, perspective) -> (own views, views shared with it), by SEED key.
VISIBILITY = {
    ("dist_admin", None): ({"dist_shared", "dist_private", "dist_as_r2"}, set()),
    ("dist_viewer", None): (set(), set()),  # same tier as the sharer: nothing comes down to it
    ("r1_admin", None): ({"r1_shared", "r1_private"}, {"dist_shared"}),
    ("r1_viewer", None): ({"viewer_private"}, {"dist_shared"}),  # not its own tenant's R1 shared
    ("r2_admin", None): ({"r2_shared"}, {"dist_shared"}),  # not "Dist as R2": that goes below r2
    ("tenant_admin", None): ({"tenant_private"}, {"dist_shared", "r1_shared"}),
    # TENANT-1 perspectives: what a user of that tenant would get, plus the actor's own views.
    ("dist_admin", "r1"): ({"dist_shared", "dist_private", "dist_as_r2"}, set()),
    ("dist_admin", "r2_cust1"): ({"dist_shared", "dist_private", "dist_as_r2"}, {"r2_shared"}),
    ("r1_admin", "r1_cust1"): ({"r1_shared", "r1_private"}, {"dist_shared"}),
    ("r2_admin", "r2_cust1"): ({"r2_shared"}, {"dist_shared", "dist_as_r2"}),
}


@pytest.mark.parametrize(("user", "perspective"), list(VISIBILITY), ids=[f"{u}-{p or 'home'}" for u, p in VISIBILITY])
def test_views_reach_the_tenants_below_the_sharer_only(session, world, seeded, user, perspective):
    """Issue 8: own views, plus the views shared by the accounts above the tenant worked as."""
    mine, shared_with = VISIBILITY[(user, perspective)]
    listed = saved_views.list_views(session=session, actor=world.actor(user, perspective=perspective))
    assert {seeded.key(v.id) for v in listed if v.mine} == mine
    assert {seeded.key(v.id) for v in listed if not v.mine} == shared_with
    # Own views first, each group by name.
    assert [v.mine for v in listed] == sorted((v.mine for v in listed), reverse=True)
    for group in (True, False):
        names = [v.name for v in listed if v.mine is group]
        assert names == sorted(names, key=str.lower)
    # Whatever is visible can be fetched to apply it; nothing else can.
    actor = world.actor(user, perspective=perspective)
    for key, view_id in seeded.ids.items():
        if key in mine | shared_with:
            assert saved_views.get_view(session=session, actor=actor, view_id=view_id).id == view_id
        else:
            with pytest.raises(NotFound, match="View not found."):
                saved_views.get_view(session=session, actor=actor, view_id=view_id)


def test_a_shared_view_says_who_shared_it_from_which_tenant(session, world, seeded):
    listed = saved_views.list_views(session=session, actor=world.actor("r1_admin"))
    shared = next(v for v in listed if v.id == seeded.ids["dist_shared"])
    assert (shared.mine, shared.shared, shared.can_share) == (False, True, False)
    assert shared.owner_name == "Dana Distributor"
    assert shared.tenant_name == "Northwind Distribution"
    own = next(v for v in listed if v.id == seeded.ids["r1_shared"])
    assert (own.mine, own.shared, own.can_share, own.tenant_name) == (True, True, True, "Blue Harbor Resellers")


def test_a_sibling_reseller_never_reaches_another_resellers_views(session, world, seeded):
    """A reseller sees nothing of its sibling's views, shared or not, and cannot change them."""
    r2 = world.actor("r2_admin")
    listed = {v.id for v in saved_views.list_views(session=session, actor=r2)}
    assert not listed & {seeded.ids["r1_shared"], seeded.ids["r1_private"]}
    before = _all_views(session)
    for key in ("r1_shared", "r1_private"):
        view_id = seeded.ids[key]
        with pytest.raises(NotFound):
            saved_views.get_view(session=session, actor=r2, view_id=view_id)
        with pytest.raises(NotFound):
            saved_views.rename_view(session=session, actor=r2, view_id=view_id, name="Mine now")
        with pytest.raises(NotFound):
            saved_views.set_shared(session=session, actor=r2, view_id=view_id, shared=False)
        with pytest.raises(NotFound):
            saved_views.delete_view(session=session, actor=r2, view_id=view_id)
    assert _all_views(session) == before


def test_unsharing_or_deleting_takes_a_view_away_from_the_tenants_below(session, world, seeded):
    r1 = world.actor("r1_admin")
    dist = world.actor("dist_admin")
    saved_views.set_shared(session=session, actor=dist, view_id=seeded.ids["dist_shared"], shared=False)
    assert seeded.ids["dist_shared"] not in {v.id for v in saved_views.list_views(session=session, actor=r1)}
    saved_views.set_shared(session=session, actor=dist, view_id=seeded.ids["dist_shared"], shared=True)
    assert seeded.ids["dist_shared"] in {v.id for v in saved_views.list_views(session=session, actor=r1)}
    saved_views.delete_view(session=session, actor=dist, view_id=seeded.ids["dist_shared"])
    with pytest.raises(NotFound):
        saved_views.get_view(session=session, actor=r1, view_id=seeded.ids["dist_shared"])


def test_an_inactive_owners_shared_views_are_no_longer_offered(session, world, seeded):
    session.execute(
        sa.update(User).where(User.id == world.users["r1_admin"]).values(status=UserStatus.DEACTIVATED.value)
    )
    listed = {v.id for v in saved_views.list_views(session=session, actor=world.actor("tenant_admin"))}
    assert listed == {seeded.ids["tenant_private"], seeded.ids["dist_shared"]}


# ---------------------------------------------------------------- read-only for everyone but the owner


@pytest.mark.parametrize("user", ["r1_admin", "r1_viewer", "tenant_admin", "r2_admin"])
def test_a_view_shared_with_you_is_read_only(session, world, seeded, user):
    """Shared views are applied, never changed: only the owner renames, unshares or deletes."""
    actor = world.actor(user)
    view_id = seeded.ids["dist_shared"]
    assert saved_views.get_view(session=session, actor=actor, view_id=view_id).mine is False
    before, events = _all_views(session), _last_event_id(session)
    with pytest.raises(NotFound, match="View not found."):
        saved_views.rename_view(session=session, actor=actor, view_id=view_id, name="Hijacked")
    with pytest.raises(NotFound, match="View not found."):
        saved_views.set_shared(session=session, actor=actor, view_id=view_id, shared=False)
    with pytest.raises(NotFound, match="View not found."):
        saved_views.delete_view(session=session, actor=actor, view_id=view_id)
    # Saving under the same name makes the actor's own view; the shared one stays as it was.
    own = saved_views.save_view(
        session=session, actor=actor, name="Dist shared", query_params={}, columns=None
    )
    assert own.mine and own.id != view_id
    assert [v for v in _all_views(session) if v["id"] != own.id] == before
    assert [e.action for e in _events(session, events)] == ["saved_view.create"]


@pytest.mark.parametrize(
    "forged",
    [MISSING_ID, 0, -1, "abc", None, True, 2**40, "1; DROP TABLE saved_view", 1.5, [1], {"id": 1}],
    ids=repr,
)
def test_forged_ids_are_not_found(session, world, seeded, forged):
    """AUTH-4: a missing id, junk, or an id of someone else's private view: the same answer."""
    actor = world.actor("r1_admin")
    before = _all_views(session)
    for call in (
        lambda: saved_views.get_view(session=session, actor=actor, view_id=forged),
        lambda: saved_views.rename_view(session=session, actor=actor, view_id=forged, name="X"),
        lambda: saved_views.set_shared(session=session, actor=actor, view_id=forged, shared=True),
        lambda: saved_views.delete_view(session=session, actor=actor, view_id=forged),
    ):
        with pytest.raises(NotFound, match="^View not found.$"):
            call()
    assert _all_views(session) == before


def test_another_users_private_view_is_not_found_like_a_missing_one(session, world, seeded):
    for user, key in (("dist_admin", "r1_private"), ("r1_admin", "viewer_private"), ("r1_viewer", "r1_private")):
        actor = world.actor(user)
        for view_id in (seeded.ids[key], MISSING_ID):
            with pytest.raises(NotFound) as excinfo:
                saved_views.get_view(session=session, actor=actor, view_id=view_id)
            assert excinfo.value.message == "View not found."


# ---------------------------------------------------------------- sharing needs an admin above


@pytest.mark.parametrize(
    ("user", "perspective"),
    [("r1_viewer", None), ("dist_viewer", None), ("tenant_admin", None), ("r1_admin", "r1_cust1"), ("dist_admin", "dist_cust1")],
    ids=["reseller viewer", "distributor viewer", "tenant admin", "reseller admin as a customer", "distributor admin as a customer"],
)
def test_only_admins_of_a_distributor_or_reseller_share(session, world, user, perspective):
    """Viewers and tenant admins save private views; nobody shares from a customer (nothing is below it)."""
    actor = world.actor(user, perspective=perspective)
    assert saved_views.may_share_as(actor) is False
    before = _all_views(session)
    with pytest.raises(PermissionDenied):
        saved_views.save_view(session=session, actor=actor, name="Mine", query_params={}, columns=None, shared=True)
    assert _all_views(session) == before
    view = saved_views.save_view(session=session, actor=actor, name="Mine", query_params={}, columns=None)
    assert (view.mine, view.shared, view.can_share) == (True, False, False)
    with pytest.raises(PermissionDenied):
        saved_views.set_shared(session=session, actor=actor, view_id=view.id, shared=True)
    assert _stored(session, view.id)["shared"] is False


@pytest.mark.parametrize(
    ("user", "perspective", "tenant"),
    [("dist_admin", None, "dist"), ("r1_admin", None, "r1"), ("r2_admin", None, "r2"), ("dist_admin", "r1", "r1")],
)
def test_admins_of_a_distributor_or_reseller_share_below_the_tenant_they_work_as(session, world, user, perspective, tenant):
    actor = world.actor(user, perspective=perspective)
    assert saved_views.may_share_as(actor) is True
    view = saved_views.save_view(session=session, actor=actor, name="Shared", query_params={}, columns=None, shared=True)
    assert (view.shared, view.account_id, view.can_share) == (True, world.accounts[tenant], True)
    assert _stored(session, view.id)["account_id"] == world.accounts[tenant]


def test_a_demoted_admin_can_unshare_but_not_share_again(session, world, seeded):
    """Sharing is judged when it happens: a former admin may still take its view back."""
    session.execute(sa.update(User).where(User.id == world.users["r1_admin"]).values(role=Role.VIEWER.value))
    demoted = replace(world.actor("r1_admin"), role=Role.VIEWER)
    view_id = seeded.ids["r1_shared"]
    assert saved_views.get_view(session=session, actor=demoted, view_id=view_id).can_share is False
    saved_views.set_shared(session=session, actor=demoted, view_id=view_id, shared=False)
    with pytest.raises(PermissionDenied):
        saved_views.set_shared(session=session, actor=demoted, view_id=view_id, shared=True)
    assert _stored(session, view_id)["shared"] is False


# ---------------------------------------------------------------- what is stored


def test_stored_params_are_normalised_like_a_url(session, world):
    """LIST-9: junk in, clean out: unknown sorts, values and keys dropped, no page, columns in order."""
    junk = {
        "q": "  harbor  ",
        "sort": "customer_name",
        "desc": "1",
        "page": "7",
        "size": "5000",
        "product": ["Microsoft 365", "Nope"],
        "plan": "3,x,-2,3",
        "region": "eu frankfurt",
        "type": "Evaluation",
        "admin": "12",
        "status": "In progress",
        "source": "failed,weird",
        "cols": "organization",
        "evil": "<script>",
        "q2": {"nested": 1},
    }
    view = saved_views.save_view(
        session=session,
        actor=world.actor("r1_admin"),
        name="  Busy   week  ",
        query_params=junk,
        columns=["admin", "bogus", "name", 7, "organization", "admin"],
    )
    expected = {
        "q": "harbor",
        "sort": "customer_name",
        "desc": "1",
        "size": "100",
        "product": "Microsoft 365",
        "plan": "3",
        "region": "EU Frankfurt",
        "type": "Evaluation",
        "admin": "12",
        "status": "in_progress",
        "source": "Failed",
    }
    stored = _stored(session, view.id)
    assert stored["name"] == "Busy week"
    assert stored["query"] == expected
    assert stored["columns"] == ["name", "organization", "products", "service_plan", "admin"]
    assert view.params == {**expected, "cols": "name,organization,products,service_plan,admin"}
    # What is stored reads back as the same list query.
    assert ListQuery.from_params(view.params).to_params() == expected


@pytest.mark.parametrize("query", [None, "q=harbor", ["q"], 42])
def test_a_query_that_is_not_a_mapping_stores_the_default_view(session, world, query):
    view = saved_views.save_view(session=session, actor=world.actor("r1_admin"), name="Plain", query_params=query, columns=None)
    assert _stored(session, view.id)["query"] == {}
    assert _stored(session, view.id)["columns"] == list(DEFAULT_PREFERENCES.columns)


def test_columns_given_as_text_are_read_as_a_list(session, world):
    view = saved_views.save_view(
        session=session, actor=world.actor("r1_admin"), name="Cols", query_params={}, columns="created,name"
    )
    assert view.columns == ["name", "products", "service_plan", "created"]


# ---------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Name is required."), ("   ", "Name is required."), (None, "Name is required."), ("x" * (NAME_MAX + 1), "at most 100")],
)
def test_names_are_required_and_bounded(session, world, name, message):
    before = _all_views(session)
    with pytest.raises(ValidationError) as excinfo:
        saved_views.save_view(session=session, actor=world.actor("r1_admin"), name=name, query_params={}, columns=None)
    assert message in excinfo.value.errors["name"]
    assert _all_views(session) == before


def test_a_name_of_the_longest_length_is_kept(session, world):
    view = saved_views.save_view(
        session=session, actor=world.actor("r1_admin"), name="y" * NAME_MAX, query_params={}, columns=None
    )
    assert _stored(session, view.id)["name"] == "y" * NAME_MAX


def test_a_taken_name_is_refused_unless_the_owner_replaces_that_view(session, world, seeded):
    """Saving under one of your names (any case) says so and offers to replace; replacing updates that view."""
    actor = world.actor("r1_admin")
    before = _all_views(session)
    with pytest.raises(DuplicateViewName) as excinfo:
        saved_views.save_view(session=session, actor=actor, name="r1 PRIVATE", query_params={"q": "new"}, columns=None)
    assert excinfo.value.view_id == seeded.ids["r1_private"]
    assert excinfo.value.errors == {"name": "You already have a view named “R1 private”."}
    assert _all_views(session) == before

    events = _last_event_id(session)
    replaced = saved_views.save_view(
        session=session,
        actor=actor,
        name="R1 private",
        query_params={"q": "new", "sort": "created"},
        columns=["created"],
        shared=True,
        replace=True,
    )
    assert replaced.id == seeded.ids["r1_private"]
    stored = _stored(session, replaced.id)
    assert (stored["query"], stored["shared"]) == ({"q": "new", "sort": "created"}, True)
    assert stored["columns"] == ["name", "products", "service_plan", "created"]
    assert len(_all_views(session)) == len(before)
    [event] = _events(session, events)
    assert event.action == "saved_view.update"
    assert event.before == {"query": {"q": "r1_private"}, "columns": list(DEFAULT_PREFERENCES.columns), "shared": False}
    assert event.after["shared"] is True


def test_two_users_may_use_the_same_name(session, world, seeded):
    view = saved_views.save_view(
        session=session, actor=world.actor("r2_admin"), name="R1 private", query_params={}, columns=None
    )
    assert view.mine and view.id != seeded.ids["r1_private"]


def test_rename_keeps_names_unique_per_owner(session, world, seeded):
    actor = world.actor("r1_admin")
    with pytest.raises(DuplicateViewName):
        saved_views.rename_view(session=session, actor=actor, view_id=seeded.ids["r1_private"], name="R1 SHARED")
    with pytest.raises(ValidationError):
        saved_views.rename_view(session=session, actor=actor, view_id=seeded.ids["r1_private"], name=" ")
    assert _stored(session, seeded.ids["r1_private"])["name"] == "R1 private"
    renamed = saved_views.rename_view(session=session, actor=actor, view_id=seeded.ids["r1_private"], name=" Renewals ")
    assert renamed.name == _stored(session, seeded.ids["r1_private"])["name"] == "Renewals"
    # A change of case alone is a rename too.
    assert saved_views.rename_view(session=session, actor=actor, view_id=renamed.id, name="renewals").name == "renewals"


def test_a_user_keeps_at_most_a_bounded_number_of_views(session, world):
    actor = world.actor("r1_viewer")
    for n in range(MAX_VIEWS_PER_USER):
        saved_views.save_view(session=session, actor=actor, name=f"View {n}", query_params={}, columns=None)
    with pytest.raises(ValidationError, match="Delete one first"):
        saved_views.save_view(session=session, actor=actor, name="One too many", query_params={}, columns=None)
    # Replacing one of them is still possible.
    saved_views.save_view(session=session, actor=actor, name="View 0", query_params={"q": "x"}, columns=None, replace=True)


# ---------------------------------------------------------------- applying a view in another scope


def test_a_distributors_view_applied_by_a_reseller_shows_only_the_resellers_rows(session, world):
    """Issue 8: the view carries search, filters and sort, never scope: each tenant gets its own rows."""
    dist = world.actor("dist_admin")
    view = saved_views.save_view(
        session=session,
        actor=dist,
        name="Everything with an e",
        query_params={"q": "e", "sort": "name", "desc": "1", "size": "100"},
        columns=["customer_name"],
        shared=True,
    )

    def rows(actor) -> list[int]:
        shown = saved_views.get_view(session=session, actor=actor, view_id=view.id)
        query = ListQuery.from_params(shown.params)
        assert (query.search, query.descending) == ("e", True)
        return [r.id for r in customers.list_customers(session=session, actor=actor, query=query).rows]

    everything = set(rows(dist))
    r1_tree = {world.accounts[k] for k in ("r1", "r1_cust1", "r1_cust2")}
    r2_tree = {world.accounts[k] for k in ("r2", "r2_cust1", "r2_cust2")}
    assert everything & r2_tree and everything - r1_tree  # the distributor's view reaches beyond r1
    for user, tree in (("r1_admin", r1_tree), ("r2_admin", r2_tree)):
        shown = rows(world.actor(user))
        assert shown and set(shown) <= tree
        assert set(shown) == everything & tree


# ---------------------------------------------------------------- audit


def test_every_change_is_audited_on_the_views_tenant(session, world):
    actor = world.actor("dist_admin", perspective="r1")
    start = _last_event_id(session)
    view = saved_views.save_view(session=session, actor=actor, name="Audit me", query_params={"q": "a"}, columns=None)
    saved_views.set_shared(session=session, actor=actor, view_id=view.id, shared=True)
    saved_views.set_shared(session=session, actor=actor, view_id=view.id, shared=True)  # no change: no event
    saved_views.rename_view(session=session, actor=actor, view_id=view.id, name="Audited")
    saved_views.set_shared(session=session, actor=actor, view_id=view.id, shared=False)
    saved_views.delete_view(session=session, actor=actor, view_id=view.id)
    events = _events(session, start)
    assert [e.action for e in events] == [
        "saved_view.create",
        "saved_view.share",
        "saved_view.rename",
        "saved_view.unshare",
        "saved_view.delete",
    ]
    assert {e.entity_id for e in events} == {view.id}
    assert {e.account_id for e in events} == {world.accounts["r1"]}
    assert {e.actor_user_id for e in events} == {world.users["dist_admin"]}
    assert {e.perspective_account_id for e in events} == {world.accounts["r1"]}
    assert events[0].after == {"name": "Audit me", "query": {"q": "a"}, "columns": list(DEFAULT_PREFERENCES.columns), "shared": False}
    assert (events[2].before, events[2].after) == ({"name": "Audit me"}, {"name": "Audited"})
    assert events[4].before["name"] == "Audited"
    assert _stored(session, view.id) is None


def test_a_refused_change_writes_nothing(session, world, seeded):
    start, before = _last_event_id(session), _all_views(session)
    for call in (
        lambda: saved_views.save_view(
            session=session, actor=world.actor("r1_viewer"), name="X", query_params={}, columns=None, shared=True
        ),
        lambda: saved_views.save_view(
            session=session, actor=world.actor("r1_admin"), name="R1 shared", query_params={}, columns=None
        ),
        lambda: saved_views.delete_view(session=session, actor=world.actor("r2_admin"), view_id=seeded.ids["r1_shared"]),
    ):
        with pytest.raises((PermissionDenied, ValidationError, NotFound)):
            call()
    assert _events(session, start) == []
    assert _all_views(session) == before
