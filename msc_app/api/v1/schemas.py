"""The REST API's request bodies and responses, as pydantic models (the OpenAPI document is built from them).

Request bodies are strict JSON: unknown fields, wrong types (a string for a number, a number for a
boolean) and malformed JSON are refused with 422 before any service runs. Everything else (required
fields, lengths, formats, uniqueness, the Sandbox's limits, ...) is checked by the same services the
UI calls, so the messages are the UI's. Bodies become the services' own schemas with ``to_service``,
keeping which fields were sent (``model_fields_set``: a PATCH changes only those).

Integers are bounded to 64 bits; an id beyond the database's INTEGER range is read as a missing id
(the service then answers as for any unknown id); lists of ids are bounded to ``MAX_IDS``. Responses reuse the services' read models where they exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from msc_app.models import STORAGE_REGIONS, ContractStatus, CustomerRead, ProductStatus, ProductType, TenantType
from msc_app.models.contacts import ContactCreate, ContactRead, ContactUpdate
from msc_app.services.contracts import ContractDetail, ContractRead
from msc_app.services.customer_changes import CustomerCreate, CustomerUpdate
from msc_app.services.customer_products import ProductRead
from msc_app.services.products import ProductCreate, ProductUpdate

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_IDS = 100
MAX_REGIONS = 50

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MISSING_ID = -1  # no row has it


def _storable_id(value: int) -> int:
    """An id beyond the INTEGER columns' range names no row: it becomes one that names none either,
    so the service answers as for any missing id (PostgreSQL refuses to compare the former)."""
    return value if INT32_MIN <= value <= INT32_MAX else MISSING_ID


Int = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Id = Annotated[
    int, Field(ge=INT64_MIN, le=INT64_MAX, description="A database id."), AfterValidator(_storable_id)
]
ProductTypeText = Annotated[str, Field(json_schema_extra={"enum": [p.value for p in ProductType]})]
TenantTypeText = Annotated[str, Field(json_schema_extra={"enum": [t.value for t in TenantType]})]
Region = Annotated[str, Field(json_schema_extra={"enum": list(STORAGE_REGIONS)})]


class Body(BaseModel):
    """A strict JSON request body."""

    model_config = ConfigDict(extra="forbid", strict=True)

    service_schema: ClassVar[type[BaseModel]]

    def to_service(self):
        """The service's schema with the fields that were sent (and only those)."""
        return self.service_schema.model_validate(self.model_dump(include=self.model_fields_set))


# ---------------------------------------------------------------- customers


class CustomerCreateBody(Body):
    """A new customer (CREATE-1/2): account details and, optionally, its first product."""

    service_schema = CustomerCreate
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"customer_name": "Harbor Marine", "organization": "Harbor Marine Inc", "phone": "+1 415 555 0100"},
        {"customer_name": "Acme Evaluation", "service_plan_id": 1, "product_type": "Hybrid Workloads",
         "tenant_type": "Evaluation", "storage_regions": ["US East"], "credit_quota": 500,
         "quota_effective_date": "2025-01-01", "quota_end_date": "2025-12-31"},
    ]})

    customer_name: str = Field("", description="Required; unique among the parent's customers (case-insensitive).")
    hide_name: bool = Field(False, description="Hide the customer name from the vendor: then account_name is used.")
    account_name: str = Field("", description="Only with hide_name; fixed once created (CREATE-3).")
    address: str = ""
    phone: str = Field("", description="An international or US phone number.")
    organization: str = ""
    tenant_admin_user_ids: list[Id] = Field(default_factory=list, max_length=MAX_IDS)
    parent_account_id: Id | None = Field(None, description="The distributor or a reseller in scope; default: yours.")
    service_plan_id: Id | None = Field(None, description="With a service plan, the customer gets a first product.")
    product_type: ProductTypeText = ProductType.HYBRID_WORKLOADS.value
    tenant_type: TenantTypeText = TenantType.EVALUATION.value
    storage_regions: list[Region] = Field(default_factory=list, max_length=MAX_REGIONS)
    credit_quota: Int = 0
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None


class CustomerUpdateBody(Body):
    """Changes to a customer's account details (EDIT-1): only the fields sent change.

    ``version`` is the customer's version as last read (EDIT-2): when someone saved since, the change is
    refused with 409. ``account_name`` and ``hide_name`` may be sent back unchanged only (CREATE-3).
    """

    service_schema = CustomerUpdate
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 1, "organization": "Harbor Marine Ltd"}]})

    version: Int = Field(description="The version read with the customer (optimistic locking).")
    customer_name: str | None = None
    hide_name: bool | None = None
    account_name: str | None = None
    address: str | None = None
    phone: str | None = None
    organization: str | None = None
    tenant_admin_user_ids: list[Id] | None = Field(None, max_length=MAX_IDS)

    def to_service(self):
        return CustomerUpdate.model_validate(self.model_dump(include=self.model_fields_set - {"version"}))


class TenantAdminOut(BaseModel):
    id: int
    name: str
    email: str
    pending: bool


class CustomerOut(BaseModel):
    """One customer (or reseller) with its account details (DETAIL-1)."""

    id: int
    kind: str
    name: str = Field(description="The account name (fixed once entered).")
    customer_name: str
    hide_name: bool
    organization: str
    address: str
    phone: str
    parent_id: int | None = Field(description="None when the parent lies outside your scope.")
    parent_name: str = Field(description="Empty when the parent lies outside your scope.")
    is_sandbox: bool
    version: int = Field(description="Send it back with a change (optimistic locking, EDIT-2).")
    created_at: datetime
    tenant_admins: list[TenantAdminOut]
    can_edit: bool
    can_delete: bool


class CustomerList(BaseModel):
    """One page of the customers list (LIST-1, LIST-6): rows in display order, context rows included."""

    items: list[CustomerRead]
    total: int = Field(description="Matching rows (context rows not counted).")
    page: int
    page_size: int
    page_count: int


# ---------------------------------------------------------------- products


class ProductCreateBody(Body):
    """A new product (tenant) of a customer (DETAIL-5)."""

    service_schema = ProductCreate
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"product_type": "SaaS Apps and Endpoints", "service_plan_id": 1, "tenant_type": "Commercial",
         "storage_regions": ["EU Frankfurt"], "credit_quota": 1000, "user_count": 25},
    ]})

    product_type: ProductTypeText = ProductType.HYBRID_WORKLOADS.value
    service_plan_id: Id | None = Field(None, description="Required: a plan the customer's parents offer.")
    tenant_type: TenantTypeText = TenantType.EVALUATION.value
    storage_regions: list[Region] = Field(default_factory=list, max_length=MAX_REGIONS)
    credit_quota: Int = 0
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None
    user_count: Int = 0
    preserved_user_count: Int = 0


class ProductUpdateBody(Body):
    """Changes to a product: only the fields sent change. ``null`` clears a date and keeps anything else.

    On the Sandbox customer only the service plan, quota and its dates, storage regions (added, never
    removed) and the user counts may change (SANDBOX-2).
    """

    service_schema = ProductUpdate
    model_config = ConfigDict(json_schema_extra={"examples": [{"credit_quota": 2000, "user_count": 30}]})

    service_plan_id: Id | None = None
    tenant_type: TenantTypeText | None = None
    storage_regions: list[Region] | None = Field(None, max_length=MAX_REGIONS)
    credit_quota: Int | None = None
    quota_effective_date: date | None = None
    quota_end_date: date | None = None
    license_expiry: date | None = None
    user_count: Int | None = None
    preserved_user_count: Int | None = None


class ProductOut(ProductRead):
    """One product (tenant) of a customer, with its service plan's name and edition."""

    account_id: int
    status: str = Field(json_schema_extra={"enum": [s.value for s in ProductStatus]})


# ---------------------------------------------------------------- contacts


class ContactCreateBody(Body):
    """A new contact of a customer (DETAIL-4), validated like CREATE-2."""

    service_schema = ContactCreate
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Robin Roe", "email": "robin@example.com", "phone": "+44 20 7946 0958"}]})

    name: str = Field("", description="Required, at most 200 characters.")
    email: str = Field("", description="Required; unique among the customer's contacts.")
    phone: str = ""


class ContactUpdateBody(Body):
    """Changes to a contact: only the fields sent change; an empty phone clears it."""

    service_schema = ContactUpdate
    model_config = ConfigDict(json_schema_extra={"examples": [{"phone": "+1 415 555 0101"}]})

    name: str | None = None
    email: str | None = None
    phone: str | None = None


ContactOut = ContactRead


# ---------------------------------------------------------------- contracts


class ContractList(BaseModel):
    """One page of the contracts list (CONTRACT-2) and the filters as applied."""

    items: list[ContractRead]
    total: int
    page: int
    page_size: int
    page_count: int
    account_id: int | None = Field(description="The customer filter, when one was given.")
    status: str = Field(json_schema_extra={"enum": ["", *[s.value for s in ContractStatus]]})
    search: str
    sort: str
    descending: bool


ContractOut = ContractDetail


# ---------------------------------------------------------------- consumption


class ConsumptionDayOut(BaseModel):
    day: date
    by_product: dict[str, int] = Field(description="Product type -> units that day.")
    total: int
    cumulative: int = Field(description="Units used in the quota period up to and including this day.")


class ConsumptionOut(BaseModel):
    """A customer's consumption units against its credit quota for the last 90 days (DETAIL-3)."""

    account_id: int
    days: list[ConsumptionDayOut] = Field(description="90 days, oldest first, ending today.")
    products: list[str]
    quota: int
    quota_effective_date: date | None
    quota_end_date: date | None
    used: int
    remaining: int
    daily_rate: float = Field(description="Average units per day over the last 30 days.")
    runs_out_on: date | None = Field(description="When the quota runs out at the current pace.")
    runs_out_early: bool
    window_total: int
