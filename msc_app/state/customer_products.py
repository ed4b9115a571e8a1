"""The details page's Service Plan (DETAIL-2) and Products (DETAIL-5) cards, with their dialogs.

Every rule is the service's (services/products.py): this state reads the
customer's products through the scoped read service, offers only the controls
the actor may use (viewers none; on the Sandbox no Delete, Suspend or
Activate, a read-only tenant type and storage regions that can only be added,
SANDBOX-2/3), and relays each change. The ids the browser sends only say
which product to open: it is read again through the customer in view and kept
server-side (``_product_id``) while its dialog is open.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import reflex as rx

from msc_app.db import session_scope
from msc_app.models import STORAGE_REGIONS, TenantType
from msc_app.services import products as product_service
from msc_app.services.customer_products import (
    ProductPermissions,
    ProductRead,
    get_product,
    list_products,
    product_permissions,
)
from msc_app.services.errors import DomainError, NotFound, PermissionDenied
from msc_app.services.forms import parse_form
from msc_app.services.permissions import Actor
from msc_app.services.products import ProductCreate, ProductUpdate
from msc_app.state.customer_create import Choice
from msc_app.state.customer_detail import CustomerDetailState
from msc_app.state.form_errors import checked_ids, form_errors
from msc_app.state.session import guarded

REGION_PREFIX = "storage_region_"  # a storage region's checkbox is named storage_region_<region>
_COUNT_FIELDS = ("credit_quota", "user_count", "preserved_user_count")
_DATE_FIELDS = ("quota_effective_date", "quota_end_date", "license_expiry")


@dataclasses.dataclass
class ProductRow:
    """One product as the cards show it (dates already written out, e.g. "Mar 04, 2026")."""

    id: int
    product_type: str
    plan_name: str
    edition: str
    tenant_type: str
    regions: str
    credit_quota: str
    quota: str  # "3,000 units, effective Mar 04, 2026 until Jun 02, 2026"
    license_expiry: str
    user_count: int
    preserved_user_count: int
    status: str
    suspended: bool


@dataclasses.dataclass
class RegionChoice:
    """A storage region's checkbox in the product dialog; ``locked``: ticked for good (the Sandbox)."""

    name: str
    checked: bool = False
    locked: bool = False


@dataclasses.dataclass(frozen=True)
class _Confirmation:
    title: str
    text: str
    button: str
    done: str


_CONFIRMATIONS = {
    "delete": _Confirmation(
        title="Delete {product}?",
        text=(
            "The {product} product of {customer} and its consumption history will be removed; its data sources "
            "and alerts stay, no longer linked to a product. This cannot be undone."
        ),
        button="Yes, Delete",
        done="{product} product deleted.",
    ),
    "suspend": _Confirmation(
        title="Suspend {product}?",
        text="The {product} product of {customer} stops until it is activated again. Nothing is deleted.",
        button="Suspend",
        done="{product} product suspended.",
    ),
    "activate": _Confirmation(
        title="Activate {product}?",
        text="The {product} product of {customer} works again, with its plan, quota and storage regions as they were.",
        button="Activate",
        done="{product} product activated.",
    ),
}
_OPERATIONS = {
    "delete": product_service.delete_product,
    "suspend": product_service.suspend_product,
    "activate": product_service.activate_product,
}


def day(value: date | None) -> str:
    """A date as the details page writes it: "Mar 04, 2026" (empty when there is none)."""
    return value.strftime("%b %d, %Y") if value else ""


def quota_text(product: ProductRead) -> str:
    """DETAIL-2's Credit Quota: "<n> units, effective <date> until <date>"."""
    text = f"{product.credit_quota:,} units"
    if product.quota_effective_date:
        text += f", effective {day(product.quota_effective_date)}"
    if product.quota_end_date:
        text += f" until {day(product.quota_end_date)}"
    return text


def product_row(product: ProductRead) -> ProductRow:
    return ProductRow(
        id=product.id,
        product_type=product.product_type,
        plan_name=product.plan_name,
        edition=product.edition,
        tenant_type=product.tenant_type,
        regions=", ".join(product.storage_regions),
        credit_quota=f"{product.credit_quota:,}",
        quota=quota_text(product),
        license_expiry=day(product.license_expiry),
        user_count=product.user_count,
        preserved_user_count=product.preserved_user_count,
        status=product.status,
        suspended=product.status == "Suspended",
    )


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


class ProductsState(CustomerDetailState):
    # The cards
    products: list[ProductRow] = []
    can_manage: bool = False  # add and edit (admins, assigned tenant admins)
    can_add_product: bool = False  # can_manage and a product type is still missing
    can_remove_products: bool = False  # Delete, Suspend, Activate: never on the Sandbox (SANDBOX-3)
    products_on_sandbox: bool = False
    missing_types: list[str] = []

    # The Add / Edit Product dialog
    form_open: bool = False
    adding: bool = False
    form_title: str = ""
    form_key: str = ""  # re-creates the inputs with the values read when the dialog opens
    errors: dict[str, str] = {}
    form_error: str = ""
    plans: list[Choice] = []
    product_type: str = ""
    service_plan_id: str = ""
    tenant_type: str = ""
    tenant_type_locked: bool = False  # SANDBOX-3: shown, not editable
    license_locked: bool = False  # SANDBOX-2: only the listed fields change on the Sandbox
    regions: list[RegionChoice] = []
    credit_quota: str = ""
    quota_effective_date: str = ""
    quota_end_date: str = ""
    license_expiry: str = ""
    user_count: str = ""
    preserved_user_count: str = ""

    # The Delete / Suspend / Activate confirmation
    confirm_open: bool = False
    confirm_action: str = ""  # "delete", "suspend" or "activate": the button's colour
    confirm_title: str = ""
    confirm_text: str = ""
    confirm_button: str = ""
    confirm_error: str = ""

    _account_id: int = 0
    _product_id: int = 0
    _product_type: str = ""
    _action: str = ""
    _locked_regions: list[str] = []
    _opened: int = 0

    # ------------------------------------------------------------ reading

    def _show_permissions(self, answer: ProductPermissions) -> None:
        self.can_manage = answer.can_manage
        self.can_add_product = answer.can_add
        self.can_remove_products = answer.can_delete
        self.products_on_sandbox = answer.is_sandbox
        self.missing_types = list(answer.missing_types)

    def _read_products(self, actor: Actor) -> None:
        """The customer's products and the actor's controls, read again through the scoped services."""
        with session_scope() as session:
            found = list_products(session=session, actor=actor, account_id=self._account_id)
            answer = product_permissions(session=session, actor=actor, account_id=self._account_id)
        self.products = [product_row(p) for p in found]
        self._show_permissions(answer)

    def _clear_products(self) -> None:
        self.products = []
        self._show_permissions(ProductPermissions(can_manage=False, is_sandbox=False, missing_types=()))
        self.form_open = False
        self.confirm_open = False

    @rx.event
    @guarded
    def load_section(self) -> None:
        """The products of the customer in the URL (none when not found)."""
        self._account_id = self._customer_id()
        try:
            self._read_products(self._signed_actor())
        except NotFound:
            self._clear_products()

    def _after_change(self, actor: Actor, message: str):
        """Show the products as they are now; the page reloads its header and Activity."""
        try:
            self._read_products(actor)
        except DomainError:
            self._clear_products()
        return [CustomerDetailState.reload, rx.toast.success(message)]

    # ------------------------------------------------------------ the Add / Edit dialog

    def _reset_form(self, plans) -> None:
        self._opened += 1
        self.plans = [Choice(value=str(p.id), label=f"{p.name} ({p.edition})") for p in plans]
        self.errors = {}
        self.form_error = ""

    @rx.event
    @guarded
    def open_add(self):
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                answer = product_permissions(session=session, actor=actor, account_id=self._account_id)
                if not answer.can_manage:
                    raise PermissionDenied("You do not have permission to add products to this customer.")
                if not answer.missing_types:
                    raise DomainError("This customer already has a product of each type.")
                plans = product_service.plan_choices(session=session, actor=actor, account_id=self._account_id)
        except DomainError as exc:
            self.form_open = False
            return rx.toast.error(exc.message)
        self._show_permissions(answer)
        self._reset_form(plans)
        default_plan = next((p for p in plans if p.is_default), plans[0] if plans else None)
        self.adding = True
        self.form_title = "Add Product"
        self._product_id = 0
        self._product_type = ""
        self.product_type = answer.missing_types[0]
        self.service_plan_id = str(default_plan.id) if default_plan else ""
        self.tenant_type = TenantType.EVALUATION.value
        self.tenant_type_locked = False
        self.license_locked = False
        self._locked_regions = []
        self.regions = [RegionChoice(name=r) for r in STORAGE_REGIONS]
        for name in (*_COUNT_FIELDS, *_DATE_FIELDS):
            setattr(self, name, "")
        self.form_key = f"add-{self._opened}"
        self.form_open = True

    @rx.event
    @guarded
    def open_edit(self, product_id: int):
        actor = self._signed_actor()
        try:
            with session_scope() as session:
                answer = product_permissions(session=session, actor=actor, account_id=self._account_id)
                if not answer.can_manage:
                    raise PermissionDenied("You do not have permission to edit this customer's products.")
                product = get_product(
                    session=session, actor=actor, account_id=self._account_id, product_id=int(product_id)
                )
                plans = product_service.plan_choices(session=session, actor=actor, account_id=self._account_id)
        except (DomainError, TypeError, ValueError) as exc:
            self.form_open = False
            return rx.toast.error(getattr(exc, "message", "Product not found."))
        self._show_permissions(answer)
        self._reset_form(plans)
        sandbox = answer.is_sandbox
        self.adding = False
        self.form_title = f"Edit {product.product_type}"
        self._product_id = product.id
        self._product_type = product.product_type
        self.product_type = product.product_type
        self.service_plan_id = str(product.service_plan_id)
        self.tenant_type = product.tenant_type
        self.tenant_type_locked = sandbox
        self.license_locked = sandbox
        self._locked_regions = list(product.storage_regions) if sandbox else []
        known = [*STORAGE_REGIONS, *(r for r in product.storage_regions if r not in STORAGE_REGIONS)]
        self.regions = [
            RegionChoice(name=r, checked=r in product.storage_regions, locked=r in self._locked_regions) for r in known
        ]
        for name in _COUNT_FIELDS:
            setattr(self, name, str(getattr(product, name)))
        for name in _DATE_FIELDS:
            setattr(self, name, _iso(getattr(product, name)))
        self.form_key = f"edit-{product.id}-{self._opened}"
        self.form_open = True

    @rx.event
    def set_form_open(self, value: bool):
        self.form_open = value

    def _form_values(self, form_data: dict) -> dict:
        """The service fields from the submitted text; a blank count means 0, a blank date none."""
        values = {
            name: form_data.get(name, "")
            for name in ("service_plan_id", *_COUNT_FIELDS, "quota_effective_date", "quota_end_date")
        }
        for name in _COUNT_FIELDS:
            if not str(values[name] or "").strip():
                values[name] = "0"
        ticked = checked_ids(form_data, REGION_PREFIX)
        # A disabled checkbox is not submitted: the Sandbox's regions stay (the service refuses removing them).
        values["storage_regions"] = [*self._locked_regions, *(r for r in ticked if r not in self._locked_regions)]
        if not self.license_locked:
            values["license_expiry"] = form_data.get("license_expiry", "")
        if not self.tenant_type_locked:
            values["tenant_type"] = form_data.get("tenant_type", "")
        if self.adding:
            values["product_type"] = form_data.get("product_type", "")
        return values

    @rx.event
    @guarded
    def submit(self, form_data: dict):
        self.errors = {}
        self.form_error = ""
        actor = self._signed_actor()
        values = self._form_values(form_data)
        try:
            with session_scope() as session:
                if self.adding:
                    product = product_service.add_product(
                        session=session,
                        actor=actor,
                        account_id=self._account_id,
                        data=parse_form(ProductCreate, values),
                    )
                    message = f"{product.product_type} product added."
                else:
                    product = product_service.update_product(
                        session=session,
                        actor=actor,
                        product_id=self._product_id,
                        data=parse_form(ProductUpdate, values),
                    )
                    message = f"{product.product_type} product saved."
        except DomainError as exc:
            self.errors, self.form_error = form_errors(exc)
            return
        self.form_open = False
        return self._after_change(actor, message)

    # ------------------------------------------------------------ Delete / Suspend / Activate

    @rx.event
    @guarded
    def ask(self, action: str, product_id: int):
        """Open the confirmation for ``action`` ("delete", "suspend", "activate") on one product."""
        actor = self._signed_actor()
        try:
            if action not in _CONFIRMATIONS:
                raise DomainError("Unknown action.")
            with session_scope() as session:
                answer = product_permissions(session=session, actor=actor, account_id=self._account_id)
                product = get_product(
                    session=session, actor=actor, account_id=self._account_id, product_id=int(product_id)
                )
            if answer.is_sandbox:
                raise DomainError(f"The Sandbox customer's products cannot be {_past(action)}.")
            if not answer.can_manage:
                raise PermissionDenied()
        except (DomainError, TypeError, ValueError) as exc:
            self.confirm_open = False
            return rx.toast.error(getattr(exc, "message", "Product not found."))
        words = _CONFIRMATIONS[action]
        names = {"product": product.product_type, "customer": self.display_name or "The customer"}
        self._action = action
        self._product_id = product.id
        self._product_type = product.product_type
        self.confirm_action = action
        self.confirm_title = words.title.format(**names)
        self.confirm_text = words.text.format(**names)
        self.confirm_button = words.button
        self.confirm_error = ""
        self.confirm_open = True

    @rx.event
    def set_confirm_open(self, value: bool):
        self.confirm_open = value

    @rx.event
    @guarded
    def confirm(self):
        actor = self._signed_actor()
        operation = _OPERATIONS.get(self._action)
        if operation is None or not self._product_id:
            self.confirm_open = False
            return
        try:
            with session_scope() as session:
                operation(session=session, actor=actor, product_id=self._product_id)
        except DomainError as exc:
            self.confirm_error = exc.message
            return
        self.confirm_open = False
        message = _CONFIRMATIONS[self._action].done.format(product=self._product_type)
        self._action = ""
        self._product_id = 0
        return self._after_change(actor, message)


def _past(action: str) -> str:
    return {"delete": "deleted", "suspend": "suspended", "activate": "activated"}.get(action, action)
