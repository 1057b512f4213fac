"""The facts of a case, as docs/spec/case-facts.md defines them, parsed and checked.

`parse(data)` turns a mapping (from YAML or JSON) into typed `CaseFacts`, or raises
`FactsError` with one "field: problem" line per problem. Unknown fields are refused.
Fields the contract marks optional may be left out; the others are required for the claim
kinds that use them (REQUIRED), and `null` is accepted only where the contract allows it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

Channel = Literal[
    "online",
    "live_stream",
    "mini_program",
    "tv",
    "phone",
    "mail_order",
    "cross_border_import",
    "in_store",
]
Category = Literal[
    "general",
    "food",
    "cosmetics",
    "custom_made",
    "fresh_perishable",
    "digital_download",
    "sealed_media_software",
    "newspaper_periodical",
    "electronics",
    "apparel",
    "medical_device",
]
Condition = Literal[
    "intact",
    "opened_for_inspection",
    "tried_reasonably",
    "used",
    "seal_broken",
    "tags_removed",
    "damaged",
]
ClaimKind = Literal[
    "no_reason_return",
    "quality_defect",
    "fraud",
    "unsafe_food",
    "defect_injury",
    "presale_deposit",
    "reference_price",
    "seller_registration",
    "platform_liability",
    # Added: prepaid goods not supplied (CRPL 53), the commonest social-commerce complaint.
    "not_supplied",
]


def _iso_date(v: Any) -> Any:
    # YAML gives dates, JSON gives strings; nothing else (no timestamps, no datetimes).
    if isinstance(v, dt.datetime):
        raise ValueError("not a date")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            raise ValueError("not a date") from None
    raise ValueError("not a date")


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
Fen = Annotated[int, Field(strict=True, ge=0)]


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Seller(_Facts):
    role: Literal["seller", "producer"] | None = None
    kind: Literal["individual", "individual_business", "company"] | None = None
    annual_sales_fen: Fen | None = None
    sells_continuously: bool | None = None


class Item(_Facts):
    category: Category | None = None
    price_fen: Fen | None = None
    quantity: Annotated[int, Field(strict=True, ge=1)] | None = None
    non_returnable_confirmed: bool | None = None
    return_promised_despite_exception: bool | None = None
    # Added: the item is a durable good (机动车、计算机、电视机 …) whatever its category.
    durable: bool = False


class Presale(_Facts):
    total_price_fen: Fen
    deposit_fen: Fen
    balance_paid: bool
    defaulting_party: Literal["seller", "buyer", "none"]


class ReferencePrice(_Facts):
    shown_fen: Fen
    lowest_in_previous_7_days_fen: Fen | None
    last_transaction_fen: Fen | None = None


class Purchase(_Facts):
    channel: Channel | None = None
    seller: Seller = Seller()
    item: Item = Item()
    paid_at: Date | None = None
    delivered_at: Date | None = None
    presale: Presale | None = None
    reference_price: ReferencePrice | None = None
    # Added: the seller agreed to bear return shipping (运费险, a free-returns promise).
    return_shipping_agreed_by_seller: bool = False
    # Added (CRPL 44): the platform can give the seller's real name, address and contact.
    platform_identified_seller: bool | None = None


class Claim(_Facts):
    kind: ClaimKind
    requested_at: Date | None = None
    item_condition: Condition | None = None
    seller_received_return_at: Date | None = None
    refunded_at: Date | None = None
    losses_fen: Fen = 0
    injury: Literal["none", "injury", "death_or_serious"] = "none"
    seller_knew: bool = False
    label_defect_only: bool = False
    # Added: what a quality claim asks for, and whether the defect defeats the contract's
    # purpose (the statutory termination condition after the first 7 days, CC 563).
    remedy_sought: Literal["return", "repair", "replacement"] = "return"
    defect_defeats_purpose: bool = False
    # Added: gifts not sent back (their marked price, NRR 12) and the original shipping fee
    # a broken free-shipping threshold lets the seller keep (NRR 18).
    gifts_not_returned_fen: Fen = 0
    free_shipping_deduction_fen: Fen = 0
    # Added (CRPL-IR 49(2)): the claimant planted, swapped or forged evidence.
    evidence_fabricated: bool = False


class CaseFacts(_Facts):
    as_of: Date
    purchase: Purchase
    claim: Claim


# What each claim kind needs besides as_of and claim.kind. A "?" suffix: the field must be
# given but may be null (a date that has not happened yet).
_COMMON = ("purchase.channel", "purchase.item.category", "purchase.paid_at")
_LINE = ("purchase.item.price_fen", "purchase.item.quantity")
REQUIRED: dict[str, tuple[str, ...]] = {
    "no_reason_return": _COMMON
    + _LINE
    + (
        "purchase.delivered_at?",
        "purchase.item.non_returnable_confirmed",
        "purchase.item.return_promised_despite_exception",
        "claim.requested_at",
        "claim.item_condition",
    ),
    "quality_defect": _COMMON + _LINE + ("purchase.delivered_at?", "claim.requested_at"),
    "fraud": _COMMON + _LINE,
    "unsafe_food": _COMMON + _LINE + ("purchase.seller.role",),
    "defect_injury": _COMMON + _LINE,
    "presale_deposit": (*_COMMON, "purchase.presale"),
    "reference_price": _COMMON + _LINE + ("purchase.reference_price",),
    "seller_registration": ("purchase.seller.kind", "purchase.seller.annual_sales_fen"),
    "platform_liability": _COMMON + _LINE + ("purchase.platform_identified_seller",),
    "not_supplied": (*_COMMON, *_LINE, "purchase.delivered_at?"),
}


class _Loader(yaml.SafeLoader):
    """YAML that leaves dates as text, so that a bad one (2026-05-32) is reported against its
    field like any other, instead of failing the whole document."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


class FactsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


_MESSAGES = {
    "missing": "required",
    "extra_forbidden": "unknown field",
    "int_type": "not an integer",
    "bool_type": "not true or false",
    "model_type": "not a mapping",
    "dict_type": "not a mapping",
}


def _message(err: Any) -> str:
    kind = err["type"]
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        return "must be one of " + str(err["ctx"]["expected"]).replace("'", "")
    if kind == "greater_than_equal":
        return f"must be at least {err['ctx']['ge']}" + (
            " (money is never negative)" if err["ctx"]["ge"] == 0 else ""
        )
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return str(err["msg"]).lower()


def _lookup(data: Any, path: str) -> tuple[bool, Any]:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return False, None
        data = data[part]
    return True, data


def _get(facts: CaseFacts, path: str) -> Any:
    obj: Any = facts
    for part in path.split("."):
        obj = getattr(obj, part, None)
    return obj


def parse(data: Any) -> CaseFacts:
    if not isinstance(data, dict):
        raise FactsError(["(document): not a mapping of fields"])
    try:
        facts = CaseFacts.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
            problems.append(f"{loc or '(document)'}: {_message(err)}")
        raise FactsError(sorted(set(problems))) from None
    problems = []
    for spec in REQUIRED[facts.claim.kind]:
        path, nullable = spec.rstrip("?"), spec.endswith("?")
        present, value = _lookup(data, path)
        if not present or (value is None and not nullable):
            problems.append(f"{path}: required for a {facts.claim.kind} claim")
    problems += check(facts)
    if problems:
        raise FactsError(problems)
    return facts


def check(facts: CaseFacts) -> list[str]:
    """Dates and amounts that cannot all be true at once."""
    p, c = facts.purchase, facts.claim
    problems = []
    order = [
        ("purchase.paid_at", p.paid_at),
        ("purchase.delivered_at", p.delivered_at),
        ("claim.seller_received_return_at", c.seller_received_return_at),
    ]
    known = [(name, d) for name, d in order if d is not None]
    for (a, da), (b, db) in itertools.pairwise(known):
        if db < da:
            problems.append(f"{b}: {db} is before {a} ({da})")
    for name, d in (("claim.requested_at", c.requested_at), ("claim.refunded_at", c.refunded_at)):
        if d is not None and p.paid_at is not None and d < p.paid_at:
            problems.append(f"{name}: {d} is before purchase.paid_at ({p.paid_at})")
    if (
        c.seller_received_return_at is not None
        and c.requested_at is not None
        and c.seller_received_return_at < c.requested_at
    ):
        problems.append(
            f"claim.seller_received_return_at: {c.seller_received_return_at} is before "
            f"claim.requested_at ({c.requested_at})"
        )
    for name in (
        "purchase.paid_at",
        "purchase.delivered_at",
        "claim.requested_at",
        "claim.seller_received_return_at",
        "claim.refunded_at",
    ):
        d = _get(facts, name)
        if d is not None and d > facts.as_of:
            problems.append(f"{name}: {d} is after as_of ({facts.as_of})")
    if p.presale is not None and p.presale.deposit_fen > p.presale.total_price_fen:
        problems.append("purchase.presale.deposit_fen: more than purchase.presale.total_price_fen")
    return problems
