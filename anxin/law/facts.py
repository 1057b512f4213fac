"""The facts of a case, as docs/spec/case-facts.md defines them, parsed and checked.

`parse(data)` turns a mapping (from YAML or JSON) into typed `CaseFacts`, or raises
`FactsError` with one "field: problem" line per problem. Unknown fields are refused.
Fields the contract marks optional may be left out; the others are required for the claim
kinds that use them (REQUIRED), and `null` is accepted only where the contract allows it.

The facts are msgspec Structs rather than pydantic models because reading them is most of
what `anxin law check` spends besides the rules: per case of the law bench's corpus (500
cases, seed 2026, callgrind instructions), pydantic's compiled validator took 76k
instructions against 15k for `msgspec.convert` into these Structs, and the whole check path
went from 169k to 98k against the rules' 55k then and 51k now (Struct fields are quicker to
read, too): a ratio of 0.33 before, 0.52 after, for a target of 0.5. msgspec stops at a
document's first problem, so a document it refuses is read again field by field (below).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from functools import reduce
from operator import getitem
from typing import Annotated, Any, Literal, cast, get_args, get_origin, get_type_hints

import msgspec
import msgspec.inspect as mi
import yaml
from msgspec import Meta, Struct

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
    # Second wave: may a market regulator refuse a complaint (CRM), and by when it decides.
    "complaint_admissibility",
    # The fine band a market regulator may impose for an offence it found (anxin/law/penalties.py).
    "penalty_band",
]


Fen = Annotated[int, Meta(ge=0)]


class _Facts(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, gc=False):
    """Facts are read, never changed (`msgspec.structs.replace` gives a changed copy); a
    field the contract does not know is refused. Subclasses inherit these settings (each
    restates frozen=True for mypy, which does not know that msgspec passes it on)."""


class Seller(_Facts, frozen=True):
    role: Literal["seller", "producer"] | None = None
    kind: Literal["individual", "individual_business", "company"] | None = None
    annual_sales_fen: Fen | None = None
    sells_continuously: bool | None = None


class Item(_Facts, frozen=True):
    category: Category | None = None
    price_fen: Fen | None = None
    quantity: Annotated[int, Meta(ge=1)] | None = None
    non_returnable_confirmed: bool | None = None
    return_promised_despite_exception: bool | None = None
    # Added: the item is a durable good (机动车、计算机、电视机 …) whatever its category.
    durable: bool = False


class Presale(_Facts, frozen=True):
    total_price_fen: Fen
    deposit_fen: Fen
    balance_paid: bool
    defaulting_party: Literal["seller", "buyer", "none"]


class ReferencePrice(_Facts, frozen=True):
    shown_fen: Fen
    lowest_in_previous_7_days_fen: Fen | None
    last_transaction_fen: Fen | None = None


class Purchase(_Facts, frozen=True):
    channel: Channel | None = None
    seller: Seller = Seller()
    item: Item = Item()
    paid_at: dt.date | None = None
    delivered_at: dt.date | None = None
    presale: Presale | None = None
    reference_price: ReferencePrice | None = None
    # Added: the seller agreed to bear return shipping (运费险, a free-returns promise).
    return_shipping_agreed_by_seller: bool = False
    # Added (CRPL 44): the platform can give the seller's real name, address and contact.
    platform_identified_seller: bool | None = None


class Claim(_Facts, frozen=True):
    kind: ClaimKind
    requested_at: dt.date | None = None
    item_condition: Condition | None = None
    seller_received_return_at: dt.date | None = None
    refunded_at: dt.date | None = None
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


class Complaint(_Facts, frozen=True):
    """A complaint to a market regulator (the second wave's `complaint` block): every field
    is required when the block is given."""

    received_at: dt.date  # the day the regulator received the complaint
    consumer_knew_at: dt.date  # the day the consumer knew or should have known of the harm
    handled_elsewhere: bool  # accepted or handled by another body, a court or an arbitrator


class Offence(_Facts, frozen=True):
    """An offence a market regulator found (the `offence` block of `penalty_band`)."""

    kind: Literal["crpl_56", "ecl_76"]  # the article whose penalty applies
    committed_at: dt.date  # the day of the act: the law then in force gives the band
    illegal_gains_fen: Fen = 0  # 违法所得 the regulator established; 0 when none


class CaseFacts(_Facts, frozen=True, kw_only=True):
    as_of: dt.date
    # Every claim kind but complaint_admissibility needs some of the purchase (REQUIRED).
    purchase: Purchase = Purchase()
    claim: Claim
    complaint: Complaint | None = None
    offence: Offence | None = None


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
    "complaint_admissibility": ("complaint",),
    "penalty_band": ("offence",),
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


# Why any problem is read a second time: msgspec's compiled `convert` reads a valid case in a
# fifth of pydantic's instructions (see the module's docstring), but it stops at the first
# problem, and of a date's text forms it reads only 2026-05-01. So a document it refuses is
# read again, in Python, from the same Structs' type information (msgspec.inspect, and the
# annotations for a literal's order): every problem is collected, one line each, in the words
# pydantic used before, and a date in any form `date.fromisoformat` reads is taken.


class _Invalid:
    """What a reader gives for a value it has written a problem about."""


_INVALID = _Invalid()
_Loc = tuple[Any, ...]
_Reader = Callable[[Any, _Loc, list[str]], Any]


def _line(loc: _Loc, problem: str) -> str:
    where = ".".join(str(p) for p in loc if not str(p).startswith("function-"))
    return f"{where or '(document)'}: {problem}"


# What pydantic, which read facts before msgspec, said of text that is not valid unicode (a
# lone surrogate, which JSON's \ud800 escape gives): kept word for word, as is its scope (a
# literal's value; a field name, which voids the rest of its model).
_NOT_UNICODE = "input should be a valid string, unable to parse raw data as a unicode string"


def _is_unicode(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _either(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]


def _date(value: Any) -> dt.date:
    """A date given as a date (not a datetime) or as text that `date.fromisoformat` reads
    (2026-05-01, and the rarer 20260501 or 2026-W18-5): YAML gives dates, JSON gives strings,
    nothing else is a date. ValueError otherwise."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError("not a date")


def _reader(t: mi.Type, hint: Any) -> _Reader:
    """A function reading a value of this type (msgspec's description of it, and the
    annotation it comes from, which keeps a literal's values in their written order): the
    value as the Structs hold it, or _INVALID after adding each of its problems to the list."""
    if isinstance(t, mi.UnionType):
        others = [x for x in t.types if not isinstance(x, mi.NoneType)]
        if len(others) != 1 or len(t.types) != 2:
            raise TypeError(f"facts: only `X | None` unions are read, not {t}")
        (inner_hint,) = (a for a in get_args(hint) if a is not type(None))
        inner = _reader(others[0], inner_hint)

        def read_or_none(value: Any, loc: _Loc, problems: list[str]) -> Any:
            return None if value is None else inner(value, loc, problems)

        return read_or_none
    if isinstance(t, mi.LiteralType):
        values = get_args(hint) if get_origin(hint) is Literal else ()
        if set(values) != set(t.values) or not all(isinstance(v, str) for v in values):
            raise TypeError(f"facts: only a Literal of text is read, not {hint}")
        one_of = "must be one of " + _either(values)

        def read_literal(value: Any, loc: _Loc, problems: list[str]) -> Any:
            if isinstance(value, str) and value in values:
                return value
            unicode = not isinstance(value, str) or _is_unicode(value)
            problems.append(_line(loc, one_of if unicode else _NOT_UNICODE))
            return _INVALID

        return read_literal
    if isinstance(t, mi.IntType):
        if (t.gt, t.lt, t.le, t.multiple_of) != (None, None, None, None):
            raise TypeError(f"facts: only a lower bound (ge) is read, not {t}")
        ge = t.ge
        too_small = (
            f"must be at least {ge}" + (" (money is never negative)" if ge == 0 else "")
            if ge is not None
            else ""
        )

        def read_int(value: Any, loc: _Loc, problems: list[str]) -> Any:
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(_line(loc, "not an integer"))
            elif ge is not None and value < ge:
                problems.append(_line(loc, too_small))
            else:
                return value
            return _INVALID

        return read_int
    if isinstance(t, mi.BoolType):

        def read_bool(value: Any, loc: _Loc, problems: list[str]) -> Any:
            if value is True or value is False:
                return value
            problems.append(_line(loc, "not true or false"))
            return _INVALID

        return read_bool
    if isinstance(t, mi.DateType):

        def read_date(value: Any, loc: _Loc, problems: list[str]) -> Any:
            try:
                return _date(value)
            except ValueError:
                problems.append(_line(loc, "not a date"))
                return _INVALID

        return read_date
    if isinstance(t, mi.StructType):
        return _struct_reader(t)
    raise TypeError(f"facts: no reader for {t}")


def _struct_reader(t: mi.StructType) -> _Reader:
    cls = t.cls
    hints = get_type_hints(cls, include_extras=True)
    fields = {f.name: _reader(f.type, hints[f.name]) for f in t.fields}
    required = [f.name for f in t.fields if f.required]

    def read_struct(value: Any, loc: _Loc, problems: list[str]) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            problems.append(_line(loc, "not a mapping"))
            return _INVALID
        if not all(_is_unicode(key) for key in value if isinstance(key, str)):
            problems.append(_line(loc, _NOT_UNICODE))
            return _INVALID
        given = {}
        valid = True
        for key, v in value.items():
            if not isinstance(key, str):
                problems.append(_line((*loc, key), "keys should be strings"))
            elif key not in fields:
                problems.append(_line((*loc, key), "unknown field"))
            else:
                got = fields[key](v, (*loc, key), problems)
                if got is not _INVALID:
                    given[key] = got
                    continue
            valid = False
        for name in required:
            if name not in value:
                problems.append(_line((*loc, name), "required"))
                valid = False
        return cls(**given) if valid else _INVALID

    return read_struct


_read_case = _struct_reader(cast(mi.StructType, mi.type_info(CaseFacts)))


def _read_every_problem(data: dict[Any, Any]) -> CaseFacts:
    """The case `msgspec.convert` refused, read field by field: every problem (FactsError),
    or the facts when all it refused was a date in a rarer form, which this reads."""
    problems: list[str] = []
    facts = _read_case(data, (), problems)
    if problems:
        raise FactsError(sorted(set(problems)))
    return facts  # type: ignore[no-any-return]


def _requirement(spec: str) -> tuple[str, tuple[str, ...], str, bool]:
    """A REQUIRED entry split once: (path, the models to walk, the field, may it be null)."""
    path = spec.rstrip("?")
    *models, name = path.split(".")
    return path, tuple(models), name, spec.endswith("?")


def _items(names: list[str]) -> Callable[[dict[str, Any]], Any] | None:
    """A function giving the values of these keys of a mapping as a tuple (KeyError for one
    left out), in C: a lone name is asked for twice, as itemgetter gives one value bare."""
    if not names:
        return None
    return operator.itemgetter(*names) if len(names) > 1 else operator.itemgetter(*names * 2)


def _given(obj: Any) -> dict[str, Any] | None:
    """The fields a document gives for a model: its mapping, or every field of a Struct it
    holds already built; None for a model left out or given as null."""
    if isinstance(obj, dict):
        return obj
    if isinstance(obj, Struct):
        return {name: getattr(obj, name) for name in obj.__struct_fields__}
    return None


def _given_at(data: dict[str, Any], models: tuple[str, ...]) -> dict[str, Any] | None:
    given: dict[str, Any] | None = data
    for part in models:
        if given is None:
            return None
        given = _given(given.get(part))
    return given


# REQUIRED split once: per claim kind, its requirements in order (for the messages) and the
# same grouped by the model that holds them (for the test that nearly every case passes).
_REQUIREMENTS = {kind: [_requirement(s) for s in specs] for kind, specs in REQUIRED.items()}
# The mapping a requirement is on is reached by `reduce(getitem, path, data)` and its
# values read by one itemgetter, all C calls (a LookupError or TypeError where the document
# has no mapping there or leaves a field out: the message path settles those).
_GROUPS = {
    kind: [
        (
            models,
            _items([r[2] for r in reqs if r[1] == models and not r[3]]),
            _items([r[2] for r in reqs if r[1] == models and r[3]]),
        )
        for models in dict.fromkeys(r[1] for r in reqs)
    ]
    for kind, reqs in _REQUIREMENTS.items()
}


def _missing(data: dict[str, Any], kind: str) -> list[str]:
    """The fields this claim kind needs that the document left out (or gave as null where
    null is not allowed), read from the document itself: a field given as null is there, a
    field left out is not, whatever default the Struct then holds. A lookup of its fields
    per model settles the common case; the messages are written, in REQUIRED's order, only
    when something may be missing."""
    for at, not_null, may_be_null in _GROUPS[kind]:
        try:
            mapping = reduce(getitem, at, data)
            if not_null is not None and None in not_null(mapping):
                break
            if may_be_null is not None:
                may_be_null(mapping)
        except (LookupError, TypeError):
            break
    else:
        return []
    problems = []
    for path, models, name, nullable in _REQUIREMENTS[kind]:
        given = _given_at(data, models)
        if given is None or name not in given or (not nullable and given[name] is None):
            problems.append(f"{path}: required for a {kind} claim")
    return problems


# msgspec's compiled reader of a whole case, for the valid ones (the rest: see above).
_convert = msgspec.convert


def parse(data: Any) -> CaseFacts:
    if not isinstance(data, dict):
        raise FactsError(["(document): not a mapping of fields"])
    try:
        facts = _convert(data, CaseFacts)
    except ValueError:  # a ValidationError, or text msgspec cannot encode (a lone surrogate)
        facts = _read_every_problem(data)
    problems = _missing(data, facts.claim.kind)
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
    complaint = facts.complaint
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
        and (complaint is None or complaint.consumer_knew_at <= complaint.received_at <= as_of)
        and (facts.offence is None or facts.offence.committed_at <= as_of)
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
    complaint = facts.complaint
    if complaint is not None:
        knew, received = complaint.consumer_knew_at, complaint.received_at
        if knew > received:
            problems.append(
                f"complaint.consumer_knew_at: {knew} is after complaint.received_at ({received})"
            )
        if received > as_of:
            problems.append(f"complaint.received_at: {received} is after as_of ({as_of})")
    if facts.offence is not None and facts.offence.committed_at > as_of:
        problems.append(
            f"offence.committed_at: {facts.offence.committed_at} is after as_of ({as_of})"
        )
    return problems
