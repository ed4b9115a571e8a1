"""Contracts: the list's pop-up, the contracts list and a contract's details (CONTRACT-1/2).

Every read joins the contract to its account and restricts that account with
``permissions.visible_accounts``: a contract of an account outside the
actor's scope is answered exactly like a missing one (``NotFound("Contract")``),
and a customer filter outside scope exactly like a missing customer
(``NotFound("Customer")``), AUTH-4.

Costs do not grow with the data: the pop-up is three queries (the account,
its counts by status, its first contracts), a page of the list two (count and
page), a contract's details one.

Decisions where the SPEC is silent:

- The pop-up shows the contracts that matter most first: by status (Active,
  Pending, Expired, Cancelled), then the latest start date, then the id.
- The list's default order is the customer's account name, then the contract
  number (unique, so the order is total); it can also be sorted by any of its
  columns, always with the id as the last tie-breaker so pages never overlap.
- The status filter takes one ``ContractStatus`` value; anything else means
  "all statuses". The search is a case-insensitive substring of the number or
  the title, metacharacters taken literally.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Session, func, select

from msc_app.models import Account, Contract, ContractStatus
from msc_app.services.errors import NotFound
from msc_app.services.permissions import Actor, in_id_range, visible_accounts
from msc_app.services.search import ESCAPE, contains_pattern

PREVIEW_LIMIT = 3
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_SEARCH = 200

_STATUS_ORDER = {s.value: i for i, s in enumerate(ContractStatus)}


class ContractSort(enum.StrEnum):
    CUSTOMER = "customer"  # the account name, then the number (the default)
    NUMBER = "number"
    TITLE = "title"
    STATUS = "status"
    START = "start"
    END = "end"
    VALUE = "value"


# ---------------------------------------------------------------- schemas


class ContractSummary(BaseModel):
    """One contract in the Contracts pop-up (CONTRACT-1)."""

    id: int
    number: str
    title: str
    status: str
    start_date: date
    end_date: date | None = None


class ContractPreview(BaseModel):
    """An account's contracts for the pop-up: counts by status and the first few contracts."""

    account_id: int
    account_name: str
    total: int
    # ContractStatus value -> count, in ContractStatus order, only non-zero (like CustomerRead.contracts).
    counts: dict[str, int] = {}
    contracts: list[ContractSummary] = []

    @property
    def has_more(self) -> bool:
        """More contracts than shown: the pop-up offers "View all contracts"."""
        return self.total > len(self.contracts)


class ContractRead(BaseModel):
    """One row of the contracts list (CONTRACT-2)."""

    id: int
    number: str
    title: str
    status: str
    start_date: date
    end_date: date | None = None
    value_cents: int = 0
    currency: str = "USD"
    account_id: int
    account_name: str


class ContractDetail(ContractRead):
    """A contract's details page: every field, and its customer."""

    customer_name: str = ""
    account_kind: str = ""


@dataclass(frozen=True)
class ContractPage:
    rows: list[ContractRead]
    total: int
    page: int
    page_size: int
    # The customer filter as applied (0 / "" without one), for the list's filter chip.
    account_id: int = 0
    account_name: str = ""
    status: str = ""
    search: str = ""
    sort: str = ContractSort.CUSTOMER.value
    descending: bool = False

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


# ---------------------------------------------------------------- helpers


def _visible_account(session: Session, actor: Actor, account_id) -> Account:
    """The account if the actor sees it, else NotFound("Customer"), as for a missing id."""
    try:
        account_id = int(account_id)
    except (TypeError, ValueError):
        raise NotFound("Customer") from None
    if not in_id_range(account_id):
        raise NotFound("Customer")
    account = session.exec(
        select(Account).where(Account.id == account_id, visible_accounts(actor))
    ).first()
    if account is None:
        raise NotFound("Customer")
    return account


def _by_status_order(counts: dict[str, int]) -> dict[str, int]:
    """Non-zero counts in ContractStatus order (Active, Pending, Expired, Cancelled), unknown ones after."""
    ordered = sorted(
        counts.items(), key=lambda item: (_STATUS_ORDER.get(item[0], len(_STATUS_ORDER)), item[0])
    )
    return {status: n for status, n in ordered if n}


def _status_rank():
    """SQL: a contract's status as its position in ContractStatus (unknown values last)."""
    return sa.case(
        *[(Contract.status == status, rank) for status, rank in _STATUS_ORDER.items()],
        else_=len(_STATUS_ORDER),
    )


def clean_status(status) -> str:
    """A ContractStatus value, or "" (all statuses) for anything else."""
    value = str(status or "").strip()
    return value if value in _STATUS_ORDER else ""


def clean_search(search) -> str:
    return str(search or "").strip()[:MAX_SEARCH]


def _positive(value, default: int, *, upper: int | None = None) -> int:
    try:
        number = max(1, int(value))
    except (TypeError, ValueError):
        return default
    return min(number, upper) if upper else number


def _sort_key(sort) -> ContractSort:
    try:
        return ContractSort(str(sort or ""))
    except ValueError:
        return ContractSort.CUSTOMER


def _order(sort: ContractSort, descending: bool) -> list:
    columns = {
        ContractSort.CUSTOMER: [Account.name_sort, Contract.number],
        ContractSort.NUMBER: [Contract.number],
        ContractSort.TITLE: [func.lower(Contract.title)],
        ContractSort.STATUS: [_status_rank(), Account.name_sort, Contract.number],
        ContractSort.START: [Contract.start_date, Contract.number],
        ContractSort.END: [Contract.end_date, Contract.number],
        ContractSort.VALUE: [Contract.value_cents, Contract.number],
    }[sort]
    order = [c.desc() if descending else c.asc() for c in [*columns, Contract.id]]
    if sort == ContractSort.END:
        # Open-ended contracts (no end date) come last in both directions.
        order.insert(0, Contract.end_date.is_(None).asc())
    return order


def _read(contract: Contract, account: Account) -> ContractRead:
    return ContractRead(
        id=contract.id,
        number=contract.number,
        title=contract.title,
        status=contract.status,
        start_date=contract.start_date,
        end_date=contract.end_date,
        value_cents=contract.value_cents,
        currency=contract.currency,
        account_id=account.id,
        account_name=account.name,
    )


# ---------------------------------------------------------------- CONTRACT-1


def contracts_preview(
    *, session: Session, actor: Actor, account_id: int, limit: int = PREVIEW_LIMIT
) -> ContractPreview:
    """The Contracts pop-up of one account: counts by status and up to ``limit`` contracts.

    NotFound("Customer") for an account outside the actor's scope, as for a missing one.
    """
    account = _visible_account(session, actor, account_id)
    limit = max(0, min(MAX_PAGE_SIZE, int(limit)))
    counts = dict(
        session.exec(
            select(Contract.status, func.count())
            .where(Contract.account_id == account.id)
            .group_by(Contract.status)
        ).all()
    )
    first = session.exec(
        select(Contract)
        .where(Contract.account_id == account.id)
        .order_by(_status_rank(), Contract.start_date.desc(), Contract.id)
        .limit(limit)
    ).all()
    return ContractPreview(
        account_id=account.id,
        account_name=account.name,
        total=sum(int(n) for n in counts.values()),
        counts=_by_status_order({status: int(n) for status, n in counts.items()}),
        contracts=[
            ContractSummary(
                id=c.id,
                number=c.number,
                title=c.title,
                status=c.status,
                start_date=c.start_date,
                end_date=c.end_date,
            )
            for c in first
        ],
    )


# ---------------------------------------------------------------- CONTRACT-2


def list_contracts(
    *,
    session: Session,
    actor: Actor,
    account_id: int | None = None,
    status: str = "",
    search: str = "",
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    sort: str = ContractSort.CUSTOMER.value,
    descending: bool = False,
) -> ContractPage:
    """One page of the contracts the actor sees, and how many match (two queries; three with a customer filter).

    ``account_id`` narrows the list to one customer's contracts ("View all
    contracts"); a customer outside scope is NotFound("Customer"), as a missing one.
    Arguments may come straight from a URL: bad values fall back to defaults.
    """
    account = _visible_account(session, actor, account_id) if account_id else None
    status = clean_status(status)
    search = clean_search(search)
    sort_key = _sort_key(sort)
    page_size = _positive(page_size, DEFAULT_PAGE_SIZE, upper=MAX_PAGE_SIZE)
    page = _positive(page, 1)

    conditions = [visible_accounts(actor)]
    if account is not None:
        conditions.append(Contract.account_id == account.id)
    if status:
        conditions.append(Contract.status == status)
    if search:
        pattern = contains_pattern(search)
        conditions.append(
            sa.or_(
                func.lower(Contract.number).like(pattern, escape=ESCAPE),
                func.lower(Contract.title).like(pattern, escape=ESCAPE),
            )
        )
    joined = select(func.count()).select_from(Contract).join(Account, Account.id == Contract.account_id)
    total = int(session.exec(joined.where(*conditions)).one())
    page = min(page, max(1, -(-total // page_size)))
    found = session.exec(
        select(Contract, Account)
        .join(Account, Account.id == Contract.account_id)
        .where(*conditions)
        .order_by(*_order(sort_key, bool(descending)))
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return ContractPage(
        rows=[_read(contract, owner) for contract, owner in found],
        total=total,
        page=page,
        page_size=page_size,
        account_id=account.id if account is not None else 0,
        account_name=account.name if account is not None else "",
        status=status,
        search=search,
        sort=sort_key.value,
        descending=bool(descending),
    )


def get_contract(*, session: Session, actor: Actor, contract_id: int) -> ContractDetail:
    """One contract with its customer; NotFound("Contract") when missing or outside scope."""
    try:
        contract_id = int(contract_id)
    except (TypeError, ValueError):
        raise NotFound("Contract") from None
    if not in_id_range(contract_id):
        raise NotFound("Contract")
    found = session.exec(
        select(Contract, Account)
        .join(Account, Account.id == Contract.account_id)
        .where(Contract.id == contract_id, visible_accounts(actor))
    ).first()
    if found is None:
        raise NotFound("Contract")
    contract, account = found
    return ContractDetail(
        **_read(contract, account).model_dump(),
        customer_name=account.customer_name,
        account_kind=account.kind,
    )
