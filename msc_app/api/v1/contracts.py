"""Contracts (CONTRACT-2): the list with its search, status, customer, sort and paging; one contract.

The list takes the contracts page's URL parameters (state/contracts.py): ``q``, ``status``,
``account``, ``sort``, ``desc``, ``page``, plus ``size``.
"""

from __future__ import annotations

from msc_app.api.v1.framework import PREFIX, Call, Operation, QueryParam, parse_id
from msc_app.api.v1.schemas import ContractList, ContractOut
from msc_app.models import ContractStatus
from msc_app.services import contracts
from msc_app.services.contracts import ContractSort
from msc_app.services.errors import NotFound

TAG = "Contracts"

LIST_PARAMS = (
    QueryParam("q", {"type": "string", "maxLength": contracts.MAX_SEARCH}, "Search the number and title."),
    QueryParam("status", {"type": "string", "enum": [s.value for s in ContractStatus]}, "One status."),
    QueryParam("account", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
               "One customer's contracts (404 when the customer is not in scope)."),
    QueryParam("sort", {"type": "string", "enum": [s.value for s in ContractSort], "default": "customer"},
               "Sort column."),
    QueryParam("desc", {"type": "string", "enum": ["0", "1", "true", "false"]}, "1: descending."),
    QueryParam("page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": 1}, "1-based page."),
    QueryParam("size", {"type": "integer", "minimum": 1, "maximum": contracts.MAX_PAGE_SIZE, "default": 25},
               "Rows per page."),
)


def _descending(value: str) -> bool:
    """As the contracts page reads ``desc`` from its URL."""
    return value.strip().lower() in ("1", "true", "yes")


def list_all(call: Call) -> ContractList:
    query = call.query
    account_id = None
    if query.get("account"):
        account_id = parse_id(query["account"])
        if account_id is None:
            raise NotFound("Customer")
    page = contracts.list_contracts(
        session=call.session,
        actor=call.actor,
        account_id=account_id,
        status=query.get("status", ""),
        search=query.get("q", ""),
        page=query.get("page", 1),
        page_size=query.get("size", contracts.DEFAULT_PAGE_SIZE),
        sort=query.get("sort", ContractSort.CUSTOMER.value),
        descending=_descending(query.get("desc", "")),
    )
    return ContractList(
        items=page.rows,
        total=page.total,
        page=page.page,
        page_size=page.page_size,
        page_count=page.page_count,
        account_id=page.account_id or None,
        status=page.status,
        search=page.search,
        sort=page.sort,
        descending=page.descending,
    )


def get_one(call: Call) -> ContractOut:
    return contracts.get_contract(session=call.session, actor=call.actor, contract_id=call.ids["contract_id"])


operations = [
    Operation("GET", PREFIX + "/contracts", list_all, "listContracts", "List contracts", TAG,
              description="The contracts of every customer in scope, page by page (CONTRACT-2).",
              query=LIST_PARAMS, response=ContractList, problems=(404, 422)),
    Operation("GET", PREFIX + "/contracts/{contract_id}", get_one, "getContract", "Get a contract", TAG,
              path_ids={"contract_id": "Contract"}, response=ContractOut, problems=(404,)),
]
