"""API v1: django-ninja, OpenAPI at /api/openapi.json, errors as RFC 7807 problem+json."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from anxin.accounts.api import router as accounts_router
from anxin.aftersales.api import carrier_router
from anxin.aftersales.api import router as aftersales_router
from anxin.api import errors
from anxin.api.auth import AUTH
from anxin.catalog.api import router as catalog_router
from anxin.disputes.api import router as disputes_router
from anxin.ledger.api import router as ledger_router
from anxin.orders.api import router as orders_router
from anxin.payments.api import router as payments_router
from anxin.payouts.api import router as payouts_router
from anxin.reputation.api import router as reputation_router
from anxin.sellers.api import router as sellers_router
from anxin.supervision.api import router as supervision_router
from anxin.supervision.mediation_api import router as mediation_router
from anxin.supervision.regulator_api import router as regulator_router


class AnxinAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        _merge_status_keys(schema)
        errors.declare_errors(schema)
        return schema


def _merge_status_keys(schema: OpenAPISchema) -> None:
    """An operation that describes its own success response (`openapi_extra`, a string status
    key as OpenAPI writes it) gets it beside the one django-ninja made (an integer key): one
    status, two keys, which JSON then writes twice, and Swagger UI refuses the whole document
    ("duplicated mapping key"). Merge them: ninja's description, the operation's own content."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not responses:
                continue
            for status in [k for k in responses if isinstance(k, int)]:
                own = responses.get(str(status))
                if own is not None:
                    responses[str(status)] = {**responses.pop(status), **own}


api = AnxinAPI(
    title="Anxin API",
    version="1",
    description="Buyer protection for social commerce: listings, escrow orders, payments, "
    "the ledger. Money is integer fen. Errors are RFC 7807 problem+json with a stable `code`.",
    auth=AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("/v1/", accounts_router)
api.add_router("/v1/", catalog_router)
api.add_router("/v1/", orders_router)
api.add_router("/v1/", payments_router)
api.add_router("/v1/", ledger_router)
api.add_router("/v1/", aftersales_router)
api.add_router("/v1/", carrier_router)
api.add_router("/v1/", disputes_router)
api.add_router("/v1/", sellers_router)
api.add_router("/v1/", reputation_router)
api.add_router("/v1/", payouts_router)
api.add_router("/v1/", supervision_router)
api.add_router("/v1/", mediation_router)
api.add_router("/v1/", regulator_router)
