"""Every message a service can refuse with has a Simplified Chinese text and an English page text.

The test reads the source: each call of a DomainError subclass in anxin/ (outside tests) must
give its message as a constant English sentence or as `msg("constant template", **params)`,
and that template must have a translation in the compiled zh-Hans catalogue and one in the
English catalogue (what an English page says instead of the API's terse template), each with
placeholders among the template's."""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from django.utils import translation

from anxin.core.errors import DomainError, Forbidden, NotFound, ValidationFailed, msg
from anxin.core.pages import user_message

ANXIN = Path(__file__).resolve().parents[2]
EN_CATALOGUE = ANXIN / "locale" / "en" / "LC_MESSAGES" / "django.po"

# An internal name, as a template may carry one: lower-case words joined by "_" (claimed_fen).
_INTERNAL_NAME = re.compile(r"\b[a-z]+(_[a-z0-9]+)+\b")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# Apps whose raise sites are not yet converted to translatable templates. Empty: all are.
NOT_YET_CONVERTED: frozenset[str] = frozenset()

_BASES = {
    "DomainError",
    "ValidationFailed",
    "NotFound",
    "Forbidden",
    "Conflict",
    "InvalidTransition",
    "IdempotencyConflict",
    "RateLimited",
    "Unauthorized",
    "Gone",
}


@dataclass(frozen=True)
class Site:
    where: str
    template: str | None  # None: the message is not a constant
    params: frozenset[str] | None = None  # the keywords msg() is given, if it is a msg()


def _sources() -> list[Path]:
    return [
        p
        for p in sorted(ANXIN.rglob("*.py"))
        if "tests" not in p.parts and "migrations" not in p.parts and p.name != "conftest.py"
    ]


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """core.errors' classes and every class anywhere that derives from one, by name."""
    names = set(_BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                        for b in node.bases
                    }
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _template(arg: ast.expr | None) -> str | None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if (
        isinstance(arg, ast.Call)
        and _name(arg.func) in ("msg", "Msg")
        and arg.args
        and isinstance(arg.args[0], ast.Constant)
        and isinstance(arg.args[0].value, str)
    ):
        return arg.args[0].value
    return None


def raise_sites() -> list[Site]:
    """Every construction of a domain error in anxin/ outside tests, with its template."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in _sources()}
    classes = _error_classes(trees)
    sites = []
    for path, tree in trees.items():
        app = path.relative_to(ANXIN).parts[0]
        if app in NOT_YET_CONVERTED:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in classes:
                continue
            if (
                isinstance(node.func, ast.Name)
                and node.func.id in ("DomainError",)
                and not node.args
            ):
                continue
            arg = (
                node.args[0]
                if node.args
                else next((k.value for k in node.keywords if k.arg == "detail"), None)
            )
            where = f"{path.relative_to(ANXIN)}:{node.lineno}"
            params = (
                frozenset(k.arg or "**" for k in arg.keywords)
                if isinstance(arg, ast.Call)
                else None
            )
            sites.append(Site(where, _template(arg), params))
    return sites


def test_the_extraction_finds_the_known_raise_sites() -> None:
    # Given the source tree
    # When its raise sites are extracted
    sites = raise_sites()
    wheres = {s.where.split(":")[0] for s in sites}
    # Then it finds hundreds, among them the ID number check and the unknown checkout link
    assert len(sites) > 200
    assert "sellers/identity.py" in wheres
    assert "catalog/selectors.py" in wheres


def test_every_domain_error_message_is_a_constant_template() -> None:
    # Given every construction of a domain error outside tests
    # When each one's message is read
    dynamic = [s.where for s in raise_sites() if s.template is None]
    # Then none is an f-string, a concatenation or a variable: each is a template
    assert dynamic == []


def test_every_template_is_given_exactly_its_parameters() -> None:
    # Given every msg(template, **params) a service raises with
    wrong = []
    for s in raise_sites():
        if s.template is None:
            continue
        # When the template's placeholders are compared with the keywords given
        wanted = {f for _, f, _, _ in string.Formatter().parse(s.template) if f}
        given = s.params if s.params is not None else frozenset()
        if wanted != given:
            wrong.append((s.where, sorted(wanted), sorted(given)))
    # Then each placeholder is given and nothing else is (the English detail always renders)
    assert wrong == []


def test_every_domain_error_template_has_a_chinese_text() -> None:
    # Given every message template a service can raise
    templates = {s.template for s in raise_sites() if s.template is not None}
    untranslated, stray = [], []
    # When each is looked up in the compiled zh-Hans catalogue
    with translation.override("zh-hans"):
        for t in sorted(templates):
            text = translation.gettext(t)
            if not text.strip() or text == t:
                untranslated.append(t)
                continue
            wanted = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            given = {f for _, f, _, _ in string.Formatter().parse(t) if f}
            if not wanted <= given:
                stray.append(t)
    # Then each has a non-empty Chinese text that uses only the template's parameters
    assert untranslated == []
    assert stray == []


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _english_texts() -> dict[str, str]:
    """The English catalogue's texts by template (fuzzy entries are not used by gettext)."""
    return {e.msgid: e.msgstr for e in polib.pofile(str(EN_CATALOGUE)) if "fuzzy" not in e.flags}


def test_every_domain_error_template_has_an_english_page_text() -> None:
    # Given every message template a service can raise, and the English catalogue
    templates = {s.template for s in raise_sites() if s.template is not None}
    english = _english_texts()
    missing, stray, verbatim, unread = [], [], [], []
    # When each is looked up in the catalogue, and through gettext on an English page
    with translation.override("en"):
        for t in sorted(templates):
            text = english.get(t, "")
            if not text.strip():
                missing.append(t)
                continue
            if not _placeholders(text) <= _placeholders(t):
                stray.append(t)
            if text == t:
                verbatim.append(t)
            if translation.gettext(t) != text:
                unread.append(t)
    # Then each has its own non-empty English text, with only the template's parameters, and
    # that is the text an English page reads
    assert len(templates) > 200
    assert missing == []
    assert stray == []
    assert verbatim == []
    assert unread == []


def test_the_english_catalogue_holds_only_templates_a_service_raises() -> None:
    # Given the templates the services raise with
    templates = {s.template for s in raise_sites() if s.template is not None}
    # When the English catalogue's entries are compared with them
    stale = sorted(set(_english_texts()) - templates)
    # Then none is left over from a template that was reworded or removed
    assert stale == []


def test_no_english_page_text_names_an_internal_field() -> None:
    # Given the English catalogue's texts, and the templates the services raise with
    english = _english_texts()
    templates = {s.template for s in raise_sites() if s.template is not None}
    # When each text is read without its {placeholders}
    named = {
        t: m.group(0)
        for t, text in english.items()
        if (m := _INTERNAL_NAME.search(_PLACEHOLDER.sub("", text)))
    }
    # Then none names a field by its internal snake_case name
    assert named == {}
    # And the check can see one: many templates (the API's text) do name such fields
    assert sum(bool(_INTERNAL_NAME.search(_PLACEHOLDER.sub("", t))) for t in templates) > 20


def test_an_english_page_says_what_to_do_and_the_api_keeps_its_detail() -> None:
    # Given a seller's refusal when she tries to buy
    e = Forbidden("only buyers can place orders")
    # When it is shown on an English page
    with translation.override("en"):
        text = user_message(e)
    # Then the page tells her what to do next; the API's detail is the template, unchanged
    assert text == "Only buyers can place orders. Sign in with a buyer account."
    assert e.detail == "only buyers can place orders"


def test_user_message_translates_and_words_the_field_name() -> None:
    # Given the ID number check's refusal
    e = ValidationFailed(msg("{field}: the check digit is wrong (GB 11643)", field="number"))
    # When it is shown in Chinese and in English
    with translation.override("zh-hans"):
        zh = user_message(e)
    with translation.override("en"):
        en = user_message(e)
    # Then the API's detail is unchanged; both texts name the field in words, not "number:"
    assert e.detail == "number: the check digit is wrong (GB 11643)"
    assert "校验" in zh
    assert "number" not in zh
    assert en == (
        "The last character of the ID number (the check digit) is wrong. "
        "Check it and enter it again."
    )


@pytest.mark.django_db
def test_user_message_maps_an_internal_status_to_words() -> None:
    # Given a refusal whose parameter is an internal status name
    e = DomainError(msg("payment is {status}", status="succeeded"))
    # When it is shown in English
    with translation.override("en"):
        text = user_message(e)
    # Then the status reads as words, and the API's detail keeps the raw name
    assert text == "Payment is already paid"
    assert e.detail == "payment is succeeded"


def test_an_untranslated_refusal_falls_back_to_a_chinese_sentence() -> None:
    # Given a refusal whose template has no translation
    e = NotFound("zzz: no such thing")
    # When it is shown in Chinese
    with translation.override("zh-hans"):
        text = user_message(e)
    # Then the reader gets a Chinese sentence, not the English detail
    assert "zzz" not in text
    assert "找不到" in text


@pytest.mark.django_db
def test_a_field_parameter_and_a_status_read_as_words_in_both_languages() -> None:
    # Given a required field left empty and an order in an internal status
    empty = ValidationFailed(msg("{field}: required", field="recipient_name"))
    paid = DomainError(
        msg("order {number} is {status}; nothing to pay", number="AX1", status="shipped")
    )
    # When they are shown in Chinese and in English
    with translation.override("zh-hans"):
        zh = (user_message(empty), user_message(paid))
    with translation.override("en"):
        en = (user_message(empty), user_message(paid))
    # Then the field and the status are named in words, never by their internal names
    assert zh == ("请填写“收货人”。", "订单 AX1 当前状态为“已发货”，无需付款。")
    assert en == (
        "Recipient: fill this in.",
        "Order AX1 is shipped, so there is nothing to pay. Open the order to see where it stands.",
    )
    assert empty.detail == "recipient_name: required"
    assert paid.detail == "order AX1 is shipped; nothing to pay"


def test_an_english_page_words_internal_names_inside_the_sentence() -> None:
    # Given a refusal whose English sentence names two internal fields, with no English text
    e = ValidationFailed("refund_fen + compensation_fen: at most 5 fen")
    # When it is shown in English
    with translation.override("en"):
        text = user_message(e)
    # Then the fields read as words, and the API's detail keeps the names
    assert text == "Refund + compensation: at most 5 fen"
    assert e.detail == "refund_fen + compensation_fen: at most 5 fen"
