"""A customer's products (tenants): list, add, get, edit, delete, suspend, activate (DETAIL-5, SANDBOX-2/3).

The same services as the details page's Products card (state/customer_products.py): the rules and the
messages are services/products.py's.
"""

from __future__ import annotations

from msc_app.api.v1.framework import PREFIX, Call, Operation, Result
from msc_app.api.v1.schemas import ProductCreateBody, ProductOut, ProductUpdateBody
from msc_app.models import Product
from msc_app.services import products as product_service
from msc_app.services.customer_products import get_product, list_products
from msc_app.services.errors import NotFound

TAG = "Products"


def _out(call: Call, account_id: int, product_id: int) -> ProductOut:
    read = get_product(session=call.session, actor=call.actor, account_id=account_id, product_id=product_id)
    return ProductOut(**read.model_dump(), account_id=account_id)


def list_all(call: Call) -> list[ProductOut]:
    account_id = call.ids["customer_id"]
    found = list_products(session=call.session, actor=call.actor, account_id=account_id)
    return [ProductOut(**p.model_dump(), account_id=account_id) for p in found]


def add(call: Call) -> Result:
    account_id = call.ids["customer_id"]
    product = product_service.add_product(
        session=call.session, actor=call.actor, account_id=account_id, data=call.body.to_service()
    )
    return Result(body=_out(call, account_id, product.id), headers={"Location": f"{PREFIX}/products/{product.id}"})


def get_one(call: Call) -> ProductOut:
    product_id = call.ids["product_id"]
    product = call.session.get(Product, product_id)
    if product is None:
        raise NotFound("Product")
    # get_product answers NotFound("Product") for a customer outside scope, as for a missing product.
    return _out(call, product.account_id, product_id)


def update(call: Call) -> ProductOut:
    product = product_service.update_product(
        session=call.session, actor=call.actor, product_id=call.ids["product_id"], data=call.body.to_service()
    )
    return _out(call, product.account_id, product.id)


def delete(call: Call) -> None:
    product_service.delete_product(session=call.session, actor=call.actor, product_id=call.ids["product_id"])


def suspend(call: Call) -> ProductOut:
    product = product_service.suspend_product(session=call.session, actor=call.actor, product_id=call.ids["product_id"])
    return _out(call, product.account_id, product.id)


def activate(call: Call) -> ProductOut:
    product = product_service.activate_product(session=call.session, actor=call.actor, product_id=call.ids["product_id"])
    return _out(call, product.account_id, product.id)


_CUSTOMER = {"customer_id": "Customer"}
_PRODUCT = {"product_id": "Product"}
_OF_CUSTOMER = PREFIX + "/customers/{customer_id}/products"
_ONE = PREFIX + "/products/{product_id}"
_WRITE = (403, 404, 409, 413, 415, 422)

operations = [
    Operation("GET", _OF_CUSTOMER, list_all, "listProducts", "List a customer's products", TAG,
              path_ids=_CUSTOMER, response=list[ProductOut], problems=(404,)),
    Operation("POST", _OF_CUSTOMER, add, "addProduct", "Add a product to a customer", TAG,
              description="At most one product of each type; the plan must be one the customer's parents offer.",
              path_ids=_CUSTOMER, body=ProductCreateBody, response=ProductOut, status=201, problems=_WRITE),
    Operation("GET", _ONE, get_one, "getProduct", "Get a product", TAG,
              path_ids=_PRODUCT, response=ProductOut, problems=(404,)),
    Operation("PATCH", _ONE, update, "updateProduct", "Edit a product", TAG,
              description="SANDBOX-2: on the Sandbox only the plan, quota, dates, regions (added) and user counts.",
              path_ids=_PRODUCT, body=ProductUpdateBody, response=ProductOut, problems=_WRITE),
    Operation("DELETE", _ONE, delete, "deleteProduct", "Delete a product", TAG,
              description="SANDBOX-3: the Sandbox's products are never deleted (409).",
              path_ids=_PRODUCT, status=204, problems=(403, 404, 409)),
    Operation("POST", _ONE + "/suspend", suspend, "suspendProduct", "Suspend a product", TAG,
              description="409 on the Sandbox (SANDBOX-3) and for a product already suspended.",
              path_ids=_PRODUCT, response=ProductOut, problems=(403, 404, 409)),
    Operation("POST", _ONE + "/activate", activate, "activateProduct", "Activate a product", TAG,
              description="409 on the Sandbox (SANDBOX-3) and for a product already active.",
              path_ids=_PRODUCT, response=ProductOut, problems=(403, 404, 409)),
]
