"""``/api/v1/customers``: the list (LIST-1/4/5/6, the UI's URL parameters), one customer, create, edit, delete.

Every call goes to the service the UI's dialog calls, with the same arguments (state/customers.py,
customer_create.py, customer_edit.py), so every rule and message is the UI's.
"""

from __future__ import annotations

from sqlmodel import select

from msc_app.api.v1.framework import PREFIX, Call, Operation, QueryParam, Result
from msc_app.api.v1.schemas import CustomerCreateBody, CustomerList, CustomerOut, CustomerUpdateBody, TenantAdminOut
from msc_app.models import Account, CustomerRead, Role
from msc_app.services import customer_changes, customers, list_filters
from msc_app.services.customer_details import CustomerDetail, get_customer
from msc_app.services.customers import ListQuery, SortKey
from msc_app.services.errors import PermissionDenied
from msc_app.services.permissions import Actor, visible_accounts

TAG = "Customers"
CREATE_REFUSED = "You do not have permission to create customers."  # the Create Customer dialog's words


def _comma_list(values) -> dict:
    return {"type": "string", "description": "Comma-separated; any of: " + ", ".join(map(str, values)) + "."}


LIST_PARAMS = (
    QueryParam("q", {"type": "string", "maxLength": 200}, "Search customer and account names (LIST-4)."),
    QueryParam("sort", {"type": "string", "enum": [k.value for k in SortKey], "default": "name"}, "Sort column."),
    QueryParam("desc", {"type": "string", "enum": ["0", "1", "true", "false"]}, "1: descending."),
    QueryParam("page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": 1}, "1-based page."),
    QueryParam("size", {"type": "integer", "minimum": 1, "maximum": customers.MAX_PAGE_SIZE, "default": 25},
               "Rows per page."),
    QueryParam("product", _comma_list(list_filters.PRODUCT_CHOICES), "Products filter (LIST-5)."),
    QueryParam("plan", {"type": "string", "pattern": "^[0-9]{1,9}(,[0-9]{1,9})*$"},
               "Service plan ids, comma-separated."),
    QueryParam("region", _comma_list(list_filters.REGION_CHOICES), "Storage regions filter."),
    QueryParam("type", _comma_list(list_filters.TENANT_TYPE_CHOICES), "Tenant types filter."),
    QueryParam("admin", {"type": "string", "pattern": "^[0-9]{1,9}(,[0-9]{1,9})*$"},
               "Tenant admin user ids, comma-separated."),
    QueryParam("status", {"type": "string", "enum": [v for v, _ in list_filters.STATUS_CHOICES]},
               "Onboarding status filter."),
    QueryParam("source", _comma_list(list_filters.SOURCE_DATA_CHOICES), "Source Data filter (SOURCE-1)."),
)


def _visible_ids(call: Call, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(call.session.exec(select(Account.id).where(Account.id.in_(ids), visible_accounts(call.actor))))


def _scrubbed(rows: list[CustomerRead], visible_parents: set[int]) -> list[CustomerRead]:
    """A row's parent outside the actor's scope (a reseller's distributor) is not named (AUTH-4)."""
    return [
        row if row.parent_id is None or row.parent_id in visible_parents
        else row.model_copy(update={"parent_id": None, "parent_name": ""})
        for row in rows
    ]


def list_customers(call: Call) -> CustomerList:
    query = ListQuery.from_params(call.query)
    page = customers.list_customers(session=call.session, actor=call.actor, query=query)
    parents = _visible_ids(call, {row.parent_id for row in page.rows if row.parent_id is not None})
    return CustomerList(
        items=_scrubbed(page.rows, parents),
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        page_count=page.page_count,
    )


def customer_out(detail: CustomerDetail) -> CustomerOut:
    return CustomerOut(
        id=detail.id,
        kind=detail.kind,
        name=detail.name,
        customer_name=detail.customer_name,
        hide_name=detail.hide_name,
        organization=detail.organization,
        address=detail.address,
        phone=detail.phone,
        # get_customer leaves the name empty when the parent lies outside scope: so is the id here.
        parent_id=detail.parent_id if detail.parent_name else None,
        parent_name=detail.parent_name,
        is_sandbox=detail.is_sandbox,
        version=detail.version,
        created_at=detail.created_at,
        tenant_admins=[TenantAdminOut(id=a.id, name=a.name, email=a.email, pending=a.pending)
                       for a in detail.tenant_admins],
        can_edit=detail.can_edit,
        can_delete=detail.can_delete,
    )


def _read(call: Call, account_id: int) -> CustomerOut:
    return customer_out(get_customer(session=call.session, actor=call.actor, account_id=account_id))


def get_one(call: Call) -> CustomerOut:
    return _read(call, call.ids["customer_id"])


def _require_creator(actor: Actor) -> None:
    """The Create Customer dialog opens for admins only (state/customer_create.py)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(CREATE_REFUSED)


def create(call: Call) -> Result:
    _require_creator(call.actor)
    account = customer_changes.create_customer(session=call.session, actor=call.actor, data=call.body.to_service())
    return Result(body=_read(call, account.id), headers={"Location": f"{PREFIX}/customers/{account.id}"})


def update(call: Call) -> CustomerOut:
    body: CustomerUpdateBody = call.body
    account = customer_changes.update_customer(
        session=call.session,
        actor=call.actor,
        account_id=call.ids["customer_id"],
        data=body.to_service(),
        expected_version=body.version,
    )
    return _read(call, account.id)


def delete(call: Call) -> None:
    # The service retires API tokens made in the customer's perspective (and its saved views) with it.
    customer_changes.delete_customer(session=call.session, actor=call.actor, account_id=call.ids["customer_id"])


_ID = {"customer_id": "Customer"}
_PATH = PREFIX + "/customers"
_ONE = _PATH + "/{customer_id}"

operations = [
    Operation(
        "GET", _PATH, list_customers, "listCustomers", "List customers", TAG,
        description="One page of the customers and resellers in scope, in the list's tree order (LIST-6), "
        "with the same search, filters, sort and paging parameters as the UI's URL (LIST-9).",
        query=LIST_PARAMS, response=CustomerList, problems=(422,),
    ),
    Operation(
        "POST", _PATH, create, "createCustomer", "Create a customer", TAG,
        description="CREATE-1..4: validated like the Create Customer dialog; a confirmation email goes to you.",
        body=CustomerCreateBody, response=CustomerOut, status=201, problems=(403, 404, 409, 413, 415, 422),
    ),
    Operation(
        "GET", _ONE, get_one, "getCustomer", "Get a customer", TAG, path_ids=_ID, response=CustomerOut,
        problems=(404,),
    ),
    Operation(
        "PATCH", _ONE, update, "updateCustomer", "Edit a customer's account details", TAG,
        description="EDIT-1/2: send the version you read; 409 when someone saved since.",
        path_ids=_ID, body=CustomerUpdateBody, response=CustomerOut, problems=(403, 404, 409, 413, 415, 422),
    ),
    Operation(
        "DELETE", _ONE, delete, "deleteCustomer", "Delete a customer", TAG,
        description="DELETE-1: refused (409) for the Sandbox and for a customer with products, contracts, "
        "users, customers or service plans.",
        path_ids=_ID, status=204, problems=(403, 404, 409),
    ),
]
