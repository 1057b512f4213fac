"""The facts of a case, as docs/spec/case-facts.md defines them, parsed and checked.

`parse(data)` turns a mapping (from YAML or JSON) into typed `CaseFacts`, or raises
`FactsError` with one "field: problem" line per problem. Unknown fields are refused.
Fields the contract marks optional may be left out; the others are required for the claim
kinds that use them (REQUIRED), and `null` is accepted only where the contract allows it.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import core_schema

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


class _IsoDate:
    """A date given as a date (not a datetime) or as text that `date.fromisoformat` reads
    (2026-05-01, and the rarer 20260501 or 2026-W18-5): YAML gives dates, JSON gives
    strings, nothing else is a date. The text goes straight from pydantic's compiled
    validators to `fromisoformat` (a C function, no Python frame), so that a case costs no
    Python call per date; every failure is the one "not a date"."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [
                core_schema.chain_schema(
                    [
                        core_schema.str_schema(strict=True),
                        core_schema.no_info_plain_validator_function(dt.date.fromisoformat),
                    ]
                ),
                core_schema.date_schema(strict=True),  # a date, not a datetime
            ],
            mode="left_to_right",
            custom_error_type="not_a_date",
            custom_error_message="not a date",
        )


Date = Annotated[dt.date, _IsoDate()]
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


# The compiled validator itself: `model_validate` is this call behind a Python wrapper.
_validate = CaseFacts.__pydantic_validator__.validate_python


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


def _requirement(spec: str) -> tuple[str, tuple[str, ...], str, bool]:
    """A REQUIRED entry split once: (path, the models to walk, the field, may it be null)."""
    path = spec.rstrip("?")
    *models, name = path.split(".")
    return path, tuple(models), name, spec.endswith("?")


def _values(*names: str) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving the values of these fields of a model, as a tuple."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        get = operator.attrgetter(names[0])
        return lambda obj: (get(obj),)
    return operator.attrgetter(*names)


def _itself(obj: Any) -> Any:
    return obj


# REQUIRED split once: per claim kind, its requirements in order (for the messages) and the
# same grouped by the model that holds them (for the test that nearly every case passes).
_REQUIREMENTS = {kind: [_requirement(s) for s in specs] for kind, specs in REQUIRED.items()}
# The model a requirement is on is reached by one prepared getter (an AttributeError when a
# model on the way is null), and its fields set read from pydantic's slot rather than
# through the `model_fields_set` property: this test runs once for every case read.
_GROUPS = {
    kind: [
        (
            operator.attrgetter(".".join(models)) if models else _itself,
            frozenset(r[2] for r in reqs if r[1] == models),
            _values(*(r[2] for r in reqs if r[1] == models and not r[3])),
        )
        for models in dict.fromkeys(r[1] for r in reqs)
    ]
    for kind, reqs in _REQUIREMENTS.items()
}


def _walk(facts: CaseFacts, models: tuple[str, ...]) -> Any:
    obj: Any = facts
    for part in models:
        obj = getattr(obj, part)
        if obj is None:
            break
    return obj


def _missing(facts: CaseFacts, kind: str) -> list[str]:
    """The fields this claim kind needs that the document left out (or gave as null where
    null is not allowed). A field is present when the document named it, which is what
    pydantic records in each model's `model_fields_set`; no second walk of the input. A
    set comparison per model settles the common case; the messages are written, in
    REQUIRED's order, only when something is missing."""
    for model_of, names, not_null in _GROUPS[kind]:
        try:
            obj = model_of(facts)
            if names <= obj.__pydantic_fields_set__ and None not in not_null(obj):
                continue
        except AttributeError:
            pass
        break
    else:
        return []
    problems = []
    for path, models, name, nullable in _REQUIREMENTS[kind]:
        obj = _walk(facts, models)
        if (
            obj is None
            or name not in obj.model_fields_set
            or (not nullable and getattr(obj, name) is None)
        ):
            problems.append(f"{path}: required for a {kind} claim")
    return problems


def parse(data: Any) -> CaseFacts:
    if not isinstance(data, dict):
        raise FactsError(["(document): not a mapping of fields"])
    try:
        facts: CaseFacts = _validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = ".".join(str(p) for p in err["loc"] if not str(p).startswith("function-"))
            problems.append(f"{loc or '(document)'}: {_message(err)}")
        raise FactsError(sorted(set(problems))) from None
    problems = _missing(facts, facts.claim.kind)
    problems += check(facts)
    if problems:
        raise FactsError(problems)
    return facts


_EARLIEST, _LATEST = dt.date.min, dt.date.max


def check(facts: CaseFacts) -> list[str]:
    """Dates and amounts that cannot all be true at once."""
    p, c, as_of = facts.purchase, facts.claim, facts.as_of
    paid, delivered, requested = p.paid_at, p.delivered_at, c.requested_at
    received, refunded = c.seller_received_return_at, c.refunded_at
    # The tests below in one expression, for the case with nothing to say (nearly every
    # one): each pair that must be in order is, where both dates are known (an unknown one
    # counts as the earliest or the latest date, whichever passes), none is after as_of, and
    # a presale's deposit is within its price.
    first, last = _EARLIEST, _LATEST
    paid_or_first, received_or_last = paid or first, received or last
    presale = p.presale
    if (
        paid_or_first <= (delivered or last)
        and paid_or_first <= (requested or last)
        and paid_or_first <= (refunded or last)
        and paid_or_first <= received_or_last
        and (delivered or first) <= received_or_last
        and (requested or first) <= received_or_last
        and paid_or_first <= as_of
        and (delivered or first) <= as_of
        and (requested or first) <= as_of
        and (received or first) <= as_of
        and (refunded or first) <= as_of
        and (presale is None or presale.deposit_fen <= presale.total_price_fen)
    ):
        return []
    return _problems(facts)


def _problems(facts: CaseFacts) -> list[str]:
    """`check` test by test, each problem with its message; `check` calls it only when its
    quick test finds something."""
    p, c, as_of = facts.purchase, facts.claim, facts.as_of
    paid, delivered, requested = p.paid_at, p.delivered_at, c.requested_at
    received, refunded = c.seller_received_return_at, c.refunded_at
    problems = []
    before: tuple[str, dt.date] | None = None  # the last known of paid, delivered, received
    for name, d in (
        ("purchase.paid_at", paid),
        ("purchase.delivered_at", delivered),
        ("claim.seller_received_return_at", received),
    ):
        if d is not None:
            if before is not None and d < before[1]:
                problems.append(f"{name}: {d} is before {before[0]} ({before[1]})")
            before = (name, d)
    if paid is not None:
        if requested is not None and requested < paid:
            problems.append(f"claim.requested_at: {requested} is before purchase.paid_at ({paid})")
        if refunded is not None and refunded < paid:
            problems.append(f"claim.refunded_at: {refunded} is before purchase.paid_at ({paid})")
    if received is not None and requested is not None and received < requested:
        problems.append(
            f"claim.seller_received_return_at: {received} is before "
            f"claim.requested_at ({requested})"
        )
    for name, d in (
        ("purchase.paid_at", paid),
        ("purchase.delivered_at", delivered),
        ("claim.requested_at", requested),
        ("claim.seller_received_return_at", received),
        ("claim.refunded_at", refunded),
    ):
        if d is not None and d > as_of:
            problems.append(f"{name}: {d} is after as_of ({as_of})")
    if p.presale is not None and p.presale.deposit_fen > p.presale.total_price_fen:
        problems.append("purchase.presale.deposit_fen: more than purchase.presale.total_price_fen")
    return problems
