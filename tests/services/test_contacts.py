"""A customer's contacts (DETAIL-4, validated like CREATE-2; AUTH-4 scope; SANDBOX-2), on the database.

Each test gets a few contacts (rolled back afterwards): Harbor Dental (r1_cust1, which the tenant admin
is assigned to) has Alice and bob, Harbor Logistics (r1_cust2) has Carol, Peak Bakery (r2_cust1) has
Dave and the Sandbox has Sam. Refusals are checked against a snapshot of the database taken before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from sqlmodel import select

from msc_app.models import AuditEvent, Contact
from msc_app.models.contacts import ContactCreate, ContactUpdate
from msc_app.services import contacts
from msc_app.services.errors import DomainError, NotFound, PermissionDenied, ValidationError
from tests.services.support import database_state

MISSING_ID = 999_999
BAD_PHONE = "Enter a valid phone number, like +1 415 555 0100."
BAD_EMAIL = "Enter a valid email address, like name@example.com."


def _email_of_length(length: int) -> str:
    """A well-formed address of exactly ``length`` characters (domain labels stay within 63)."""
    domain_length = length - 65  # 64 characters before the @
    labels, rest = [], domain_length - 4  # ".com"
    while rest > 0:
        label = min(63, rest)
        labels.append("b" * label)
        rest -= label + 1
    domain = ".".join(labels)[: domain_length - 4] + ".com"
    email = "a" * 64 + "@" + domain
    assert len(email) == length
    return email


@dataclass
class Seeded:
    ids: dict[str, int]  # contact key -> id
    accounts: dict[str, int]  # contact key -> its customer's id


SEED = {
    # key: (customer, name, email, phone)
    "alice": ("r1_cust1", "Alice Admin", "alice@harbor.example", "+1 415-555-0101"),
    "bob": ("r1_cust1", "bob Billing", "bob@harbor.example", ""),
    "carol": ("r1_cust2", "Carol Cargo", "carol@logistics.example", ""),
    "dave": ("r2_cust1", "Dave Dough", "dave@bakery.example", ""),
    "sam": ("sandbox", "Sam Sandbox", "sam@sandbox.example", ""),
}
SEED_OWNER = {"r1_cust1": "alice", "r1_cust2": "carol", "r2_cust1": "dave", "sandbox": "sam"}  # one contact each


@pytest.fixture
def seeded(session, world) -> Seeded:
    ids, accounts = {}, {}
    for key, (customer, name, email, phone) in SEED.items():
        contact = Contact(account_id=world.accounts[customer], name=name, email=email, phone=phone)
        session.add(contact)
        session.flush()
        ids[key], accounts[key] = contact.id, world.accounts[customer]
    return Seeded(ids=ids, accounts=accounts)


def _stored(session, contact_id: int) -> dict | None:
    """The contact row as stored (read with Core, so the ORM's identity map cannot hide a change)."""
    table = Contact.__table__
    found = session.execute(sa.select(table).where(table.c.id == contact_id)).mappings().first()
    return dict(found) if found is not None else None


def _all_contacts(session) -> list[dict]:
    table = Contact.__table__
    return [dict(r) for r in session.execute(sa.select(table).order_by(table.c.id)).mappings().all()]


def _state(session, *account_ids: int) -> tuple:
    return database_state(session, *account_ids), _all_contacts(session)


def _last_event(session) -> AuditEvent:
    return session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def _event_count(session) -> int:
    return len(session.exec(select(AuditEvent.id)).all())


def _errors(fn) -> dict[str, str]:
    with pytest.raises(ValidationError) as excinfo:
        fn()
    return excinfo.value.errors


def _add(session, world, user: str, customer: str, **values) -> Contact:
    data = ContactCreate(**({"name": "Nina New", "email": "nina@new.example"} | values))
    return contacts.add_contact(
        session=session, actor=world.actor(user), account_id=world.accounts[customer], data=data
    )


# ---------------------------------------------------------------- reading


def test_detail_4_list_is_ordered_by_name_regardless_of_case(session, world, seeded):
    """DETAIL-4: the Contacts section lists name, email and phone, by name (case-insensitively), then id."""
    listed = contacts.list_contacts(
        session=session, actor=world.actor("r1_viewer"), account_id=world.accounts["r1_cust1"]
    )
    assert [(c.name, c.email, c.phone) for c in listed] == [
        ("Alice Admin", "alice@harbor.example", "+1 415-555-0101"),
        ("bob Billing", "bob@harbor.example", ""),
    ]
    assert {c.account_id for c in listed} == {world.accounts["r1_cust1"]}


@pytest.mark.parametrize(
    ("user", "customer", "visible"),
    [
        ("dist_admin", "r2_cust1", True),
        ("dist_viewer", "r1_cust1", True),
        ("r1_admin", "r1_cust1", True),
        ("tenant_admin", "r1_cust1", True),
        ("r2_admin", "r1_cust1", False),
        ("r1_admin", "r2_cust1", False),
        ("tenant_admin", "r1_cust2", False),
    ],
)
def test_detail_4_auth_4_contacts_are_read_within_scope_only(session, world, seeded, user, customer, visible):
    """AUTH-4: another tenant's contacts read exactly like a customer that does not exist."""
    actor = world.actor(user)
    if visible:
        listed = contacts.list_contacts(session=session, actor=actor, account_id=world.accounts[customer])
        assert listed
        return
    with pytest.raises(NotFound) as foreign:
        contacts.list_contacts(session=session, actor=actor, account_id=world.accounts[customer])
    with pytest.raises(NotFound) as missing:
        contacts.list_contacts(session=session, actor=actor, account_id=MISSING_ID)
    assert str(foreign.value) == str(missing.value)
    with pytest.raises(NotFound, match="^Contact not found.$"):
        contacts.get_contact(session=session, actor=actor, contact_id=seeded.ids[SEED_OWNER[customer]])
    with pytest.raises(NotFound, match="^Contact not found.$"):
        contacts.get_contact(session=session, actor=actor, contact_id=MISSING_ID)


def test_detail_4_get_contact_reads_one_in_scope(session, world, seeded):
    """DETAIL-4: the Edit dialog reads the contact again through the actor's scope."""
    read = contacts.get_contact(session=session, actor=world.actor("tenant_admin"), contact_id=seeded.ids["alice"])
    assert (read.name, read.account_id) == ("Alice Admin", world.accounts["r1_cust1"])


@pytest.mark.parametrize(
    ("user", "customer", "expected"),
    [
        ("dist_admin", "r1_cust1", True),
        ("dist_admin", "r2_cust1", True),
        ("r1_admin", "r1_cust1", True),
        ("tenant_admin", "r1_cust1", True),
        ("r1_viewer", "r1_cust1", False),
        ("dist_viewer", "r2_cust1", False),
        ("dist_admin", "sandbox", False),  # SANDBOX-2
        ("dist_admin", "r1", False),  # a reseller has no contacts
        ("r1_admin", "r1", False),
    ],
)
def test_detail_4_can_manage_contacts_follows_role_scope_and_sandbox(session, world, user, customer, expected):
    """DETAIL-4 / SANDBOX-2: the page offers New Contact, Edit and Delete only where the server allows them."""
    assert (
        contacts.can_manage_contacts(session=session, actor=world.actor(user), account_id=world.accounts[customer])
        is expected
    )


def test_detail_4_can_manage_contacts_outside_scope_is_not_found(session, world):
    """AUTH-4: asking about another tenant's customer is answered like a missing one."""
    with pytest.raises(NotFound):
        contacts.can_manage_contacts(
            session=session, actor=world.actor("r2_admin"), account_id=world.accounts["r1_cust1"]
        )


# ---------------------------------------------------------------- add


def test_detail_4_add_contact_cleans_the_input_and_records_it(session, world, seeded):
    """DETAIL-4: whitespace is dropped, the email is stored in lower case and the phone formatted;
    a contact.create event on the customer records what was added."""
    target = world.accounts["r1_cust1"]
    contact = _add(
        session, world, "r1_admin", "r1_cust1", name="  Nina New ", email=" Nina@New.Example ", phone="415 555 0123"
    )
    assert _stored(session, contact.id) == {
        "id": contact.id,
        "account_id": target,
        "name": "Nina New",
        "email": "nina@new.example",
        "phone": "+1 415-555-0123",
    }
    event = _last_event(session)
    assert (event.action, event.entity_type, event.entity_id, event.account_id) == (
        "contact.create",
        "contact",
        contact.id,
        target,
    )
    assert event.actor_user_id == world.users["r1_admin"]
    assert event.before is None
    assert event.after == {"name": "Nina New", "email": "nina@new.example", "phone": "+1 415-555-0123"}
    names = [c.name for c in contacts.list_contacts(session=session, actor=world.actor("r1_admin"), account_id=target)]
    assert names == ["Alice Admin", "bob Billing", "Nina New"]


def test_detail_4_phone_is_optional(session, world, seeded):
    """DETAIL-4: a contact without a phone number is saved with an empty phone."""
    contact = _add(session, world, "r1_admin", "r1_cust1", phone="   ")
    assert _stored(session, contact.id)["phone"] == ""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": "", "email": "", "phone": ""}, {"name": "Name is required.", "email": "Email is required."}),
        (
            {"name": "   ", "email": "  ", "phone": " 12 "},
            {"name": "Name is required.", "email": "Email is required.", "phone": BAD_PHONE},
        ),
        ({"email": "not-an-email"}, {"email": BAD_EMAIL}),
        ({"email": "bad@example"}, {"email": BAD_EMAIL}),
        ({"phone": "call me"}, {"phone": BAD_PHONE}),
        ({"name": "N" * 201}, {"name": "Name can be at most 200 characters."}),
        ({"email": _email_of_length(255)}, {"email": "Email can be at most 254 characters."}),
        (
            {"phone": "+1 415 555 0101 ext. 12345678901234567890"},
            {"phone": "Phone number can be at most 40 characters."},
        ),
    ],
    ids=["empty", "blank", "email-format", "email-no-dot", "phone-format", "name-long", "email-long", "phone-long"],
)
def test_detail_4_create_2_add_validates_every_field_and_saves_nothing(session, world, seeded, values, expected):
    """DETAIL-4 / CREATE-2: required fields, email and phone formats and lengths, every error at once
    under its field; nothing is written."""
    before = _state(session, world.accounts["r1_cust1"])
    assert _errors(lambda: _add(session, world, "r1_admin", "r1_cust1", **values)) == expected
    assert _state(session, world.accounts["r1_cust1"]) == before


def test_detail_4_at_the_length_limits_is_accepted(session, world, seeded):
    """CREATE-2: exactly 200 characters of name and 254 of email are fine."""
    email = _email_of_length(254)
    contact = _add(session, world, "r1_admin", "r1_cust1", name="N" * 200, email=email)
    assert (len(_stored(session, contact.id)["name"]), _stored(session, contact.id)["email"]) == (200, email)


def test_detail_4_email_is_unique_per_customer_regardless_of_case(session, world, seeded):
    """DETAIL-4: a second contact with Alice's email (in other case) is refused on her customer, nothing
    is written; the same email is fine for another customer."""
    target = world.accounts["r1_cust1"]
    before = _state(session, target)
    errors = _errors(lambda: _add(session, world, "r1_admin", "r1_cust1", email=" ALICE@Harbor.example"))
    assert errors == {"email": "alice@harbor.example is already a contact of this customer."}
    assert _state(session, target) == before
    other = _add(session, world, "r1_admin", "r1_cust2", email="alice@harbor.example")
    assert _stored(session, other.id)["account_id"] == world.accounts["r1_cust2"]


def test_detail_4_uniqueness_also_matches_emails_stored_in_mixed_case(session, world, seeded):
    """DETAIL-4: contacts stored before normalisation (e.g. imported) still count, case-insensitively."""
    session.add(Contact(account_id=world.accounts["r1_cust2"], name="Old Import", email="Old.Import@Logistics.example"))
    session.flush()
    errors = _errors(lambda: _add(session, world, "r1_admin", "r1_cust2", email="old.import@logistics.example"))
    assert errors == {"email": "old.import@logistics.example is already a contact of this customer."}


# ---------------------------------------------------------------- update


def test_detail_4_update_changes_the_fields_and_records_only_what_changed(session, world, seeded):
    """DETAIL-4: Bob gets a phone number; the contact.update event holds only the phone, before and after."""
    bob = seeded.ids["bob"]
    contacts.update_contact(
        session=session,
        actor=world.actor("r1_admin"),
        contact_id=bob,
        data=ContactUpdate(name=" bob Billing ", email="BOB@harbor.example", phone="+1 (415) 555-0102"),
    )
    assert _stored(session, bob)["phone"] == "+1 415-555-0102"
    event = _last_event(session)
    assert (event.action, event.entity_id, event.account_id) == ("contact.update", bob, world.accounts["r1_cust1"])
    assert (event.before, event.after) == ({"phone": ""}, {"phone": "+1 415-555-0102"})


def test_detail_4_update_renames_and_clears_the_phone(session, world, seeded):
    """DETAIL-4: a new name and email are saved; an empty phone clears it."""
    alice = seeded.ids["alice"]
    contacts.update_contact(
        session=session,
        actor=world.actor("tenant_admin"),
        contact_id=alice,
        data=ContactUpdate(name="Alice Adams", email="Alice.Adams@Harbor.example", phone=""),
    )
    stored = _stored(session, alice)
    assert (stored["name"], stored["email"], stored["phone"]) == ("Alice Adams", "alice.adams@harbor.example", "")
    event = _last_event(session)
    assert event.before == {"name": "Alice Admin", "email": "alice@harbor.example", "phone": "+1 415-555-0101"}
    assert event.after == {"name": "Alice Adams", "email": "alice.adams@harbor.example", "phone": ""}


def test_detail_4_update_with_nothing_changed_writes_nothing(session, world, seeded):
    """DETAIL-4: saving the form as it was opened (the phone as typed, the email in other case) is no change."""
    before = _state(session, world.accounts["r1_cust1"])
    contacts.update_contact(
        session=session,
        actor=world.actor("r1_admin"),
        contact_id=seeded.ids["alice"],
        data=ContactUpdate(name="Alice Admin", email="ALICE@harbor.example", phone="(415) 555-0101"),
    )
    contacts.update_contact(
        session=session, actor=world.actor("r1_admin"), contact_id=seeded.ids["alice"], data=ContactUpdate()
    )
    assert _state(session, world.accounts["r1_cust1"]) == before


def test_detail_4_create_2_update_validates_and_saves_nothing_on_error(session, world, seeded):
    """DETAIL-4 / CREATE-2: an empty name, a taken email and a bad phone are all reported; nothing changes."""
    before = _state(session, world.accounts["r1_cust1"])
    errors = _errors(
        lambda: contacts.update_contact(
            session=session,
            actor=world.actor("r1_admin"),
            contact_id=seeded.ids["bob"],
            data=ContactUpdate(name=" ", email="Alice@Harbor.example", phone="12"),
        )
    )
    assert errors == {
        "name": "Name is required.",
        "email": "alice@harbor.example is already a contact of this customer.",
        "phone": BAD_PHONE,
    }
    assert _state(session, world.accounts["r1_cust1"]) == before


def test_detail_4_an_old_value_left_alone_does_not_block_an_edit(session, world, seeded):
    """DETAIL-4: a phone stored before validation (not a valid number) does not stop a rename."""
    session.add(Contact(account_id=world.accounts["r1_cust2"], name="Legacy", email="legacy@x.example", phone="ext 12"))
    session.flush()
    legacy = session.exec(select(Contact.id).where(Contact.name == "Legacy")).one()
    contacts.update_contact(
        session=session,
        actor=world.actor("r1_admin"),
        contact_id=legacy,
        data=ContactUpdate(name="Legacy Renamed", email="legacy@x.example", phone="ext 12"),
    )
    assert (_stored(session, legacy)["name"], _stored(session, legacy)["phone"]) == ("Legacy Renamed", "ext 12")


# ---------------------------------------------------------------- delete


def test_detail_4_delete_removes_the_contact_and_records_what_it_was(session, world, seeded):
    """DETAIL-4: Delete removes only that contact; the contact.delete event keeps its name, email and phone."""
    alice = seeded.ids["alice"]
    contacts.delete_contact(session=session, actor=world.actor("r1_admin"), contact_id=alice)
    assert _stored(session, alice) is None
    assert _stored(session, seeded.ids["bob"]) is not None
    event = _last_event(session)
    assert (event.action, event.entity_id, event.account_id, event.after) == (
        "contact.delete",
        alice,
        world.accounts["r1_cust1"],
        None,
    )
    assert event.before == {"name": "Alice Admin", "email": "alice@harbor.example", "phone": "+1 415-555-0101"}


# ---------------------------------------------------------------- role x scope


ACTIONS = {
    "add": lambda s, actor, contact_id, account_id: contacts.add_contact(
        session=s, actor=actor, account_id=account_id, data=ContactCreate(name="Mia Matrix", email="mia@matrix.example")
    ),
    "update": lambda s, actor, contact_id, account_id: contacts.update_contact(
        session=s, actor=actor, contact_id=contact_id, data=ContactUpdate(phone="+1 415 555 0177")
    ),
    "delete": lambda s, actor, contact_id, account_id: contacts.delete_contact(
        session=s, actor=actor, contact_id=contact_id
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("user", "perspective", "contact"),
    [
        ("dist_admin", None, "alice"),
        ("dist_admin", None, "dave"),
        ("r1_admin", None, "alice"),
        ("r2_admin", None, "dave"),
        ("tenant_admin", None, "alice"),  # assigned to Harbor Dental
        ("dist_admin", "r2", "dave"),  # working in Crimson Peak IT's perspective
    ],
)
def test_detail_4_auth_4_admins_and_assigned_tenant_admins_change_contacts(
    session, world, seeded, user, perspective, contact, action
):
    """DETAIL-4 / AUTH-4: admins above the customer and its assigned tenant admins add, edit and delete
    contacts; each change writes its audit event on the customer."""
    account_id = seeded.accounts[contact]
    events = _event_count(session)
    ACTIONS[action](session, world.actor(user, perspective=perspective), seeded.ids[contact], account_id)
    assert _event_count(session) == events + 1
    event = _last_event(session)
    assert (event.action, event.account_id) == (f"contact.{'create' if action == 'add' else action}", account_id)
    if perspective:
        assert event.perspective_account_id == world.accounts[perspective]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("user", "perspective", "contact", "refusal"),
    [
        ("r1_viewer", None, "alice", PermissionDenied),
        ("dist_viewer", None, "dave", PermissionDenied),
        ("dist_viewer", "r1", "alice", PermissionDenied),  # a viewer stays a viewer in a perspective
        ("r2_admin", None, "alice", NotFound),
        ("r1_admin", None, "dave", NotFound),
        ("tenant_admin", None, "carol", NotFound),  # not assigned to Harbor Logistics
        ("tenant_admin", None, "dave", NotFound),
        ("dist_admin", "r1", "dave", NotFound),  # in Blue Harbor's perspective, Peak Bakery is out of scope
    ],
)
def test_detail_4_auth_4_contact_changes_refused_outside_scope_or_role(
    session, world, seeded, user, perspective, contact, refusal, action
):
    """DETAIL-4 / AUTH-4: viewers change no contact; another tenant's contact (or customer) is as good as
    missing, with the same message; nothing is written."""
    account_id = seeded.accounts[contact]
    actor = world.actor(user, perspective=perspective)
    before = _state(session, account_id)
    with pytest.raises(refusal) as excinfo:
        ACTIONS[action](session, actor, seeded.ids[contact], account_id)
    if refusal is NotFound:
        with pytest.raises(NotFound) as missing:
            ACTIONS[action](session, actor, MISSING_ID, MISSING_ID)
        assert str(excinfo.value) == str(missing.value)
        expected = "Customer not found." if action == "add" else "Contact not found."
        assert str(excinfo.value) == expected
    assert _state(session, account_id) == before


# ---------------------------------------------------------------- customers only, and the Sandbox


@pytest.mark.parametrize("action", list(ACTIONS))
def test_sandbox_2_sandbox_contacts_cannot_change(session, world, seeded, action):
    """SANDBOX-2: contacts are not among what may change on the Sandbox: add, edit and delete are refused
    with a readable message, even for the distributor admin; nothing is written."""
    sandbox = world.accounts["sandbox"]
    before = _state(session, sandbox)
    with pytest.raises(DomainError) as excinfo:
        ACTIONS[action](session, world.actor("dist_admin"), seeded.ids["sam"], sandbox)
    assert str(excinfo.value) == contacts.SANDBOX_MESSAGE
    assert not isinstance(excinfo.value, ValidationError | NotFound | PermissionDenied)
    assert _state(session, sandbox) == before


def test_sandbox_2_sandbox_contacts_are_still_listed(session, world, seeded):
    """SANDBOX-2: read-only is not hidden: the Sandbox's contacts are shown."""
    listed = contacts.list_contacts(
        session=session, actor=world.actor("dist_viewer"), account_id=world.accounts["sandbox"]
    )
    assert [c.name for c in listed] == ["Sam Sandbox"]


def test_detail_4_resellers_have_no_contacts(session, world):
    """DETAIL-4: contacts belong to customers: the distributor admin cannot add one to a reseller, and a
    reseller admin may not change its own reseller account at all."""
    before = _state(session, world.accounts["r1"])
    with pytest.raises(DomainError) as excinfo:
        _add(session, world, "dist_admin", "r1")
    assert str(excinfo.value) == contacts.NOT_A_CUSTOMER_MESSAGE
    with pytest.raises(PermissionDenied):
        _add(session, world, "r1_admin", "r1")
    with pytest.raises(DomainError):
        _add(session, world, "dist_admin", "dist")
    assert _state(session, world.accounts["r1"]) == before
