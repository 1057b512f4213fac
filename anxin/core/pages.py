"""What every app's pages share, below every app: the error page, a refusal's message in the
reader's language and the language of the law's reasons. Each app's views import these instead
of the web shell, which sits above them."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from anxin.core.errors import DomainError

# What a page says when a refusal's template has no translation (a test keeps this unused).
_GENERIC = {
    400: _("This request cannot be done. Check what you entered and try again."),
    401: _("Sign in first, then try again."),
    403: _("You cannot do this here."),
    404: _("We could not find this. Check the link or the number and try again."),
    409: _("This cannot be done in the current state. Reload the page to see the latest state."),
    410: _("This is no longer available."),
    422: _("Something you entered is not valid. Check it and try again."),
    429: _("Too many attempts. Wait a while and try again."),
}

# Internal words a template's parameters may carry that are not a model field's choice.
_WORDS = {
    "buyer": _("buyer"),
    "seller": _("seller"),
    "operator": _("operator"),
    "staff": _("staff"),
    "created": _("created"),
    "succeeded": _("already paid"),
    "failed": _("failed"),
    "refunded": _("refunded"),
    "cancelled": _("cancelled"),
    "expired": _("expired"),
}

# A leading "name: " naming an internal field (one lower-case identifier), as in
# "number: the check digit is wrong". A reader sees the field's name in words instead (the
# Chinese texts leave it out, as they say which field it is themselves).
_FIELD_PREFIX = re.compile(r"^([a-z][a-z0-9_]*): ")
_FIELD_WORDS = {
    "number": _("ID number"),
    "id_number": _("ID number"),
    "credit_code": _("Credit code"),
    "price_fen": _("Price"),
    "price_yuan": _("Price"),
    "claimed_fen": _("Amount claimed"),
    "offer_fen": _("Offer"),
    "text": _("Message"),
    "licence": _("Licence"),
    "entry": _("Entry"),
    "points": _("Points"),
}


def _field_words(match: re.Match[str]) -> str:
    name = match.group(1)
    words = _FIELD_WORDS.get(name)
    if words is None:
        words = re.sub(r"_(fen|id|yuan)$", "", name).replace("_", " ")
    return f"{str(words)[:1].upper()}{str(words)[1:]}: "


@cache
def _choice_labels() -> dict[str, Any]:
    """Every model field's choice value → its (lazy, translated) label, first one wins."""
    labels: dict[str, Any] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value not in labels:
                    labels[value] = label
    return labels


def human_word(value: Any) -> Any:
    """A parameter as a reader sees it: an internal status, role or kind becomes its label."""
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]*", value):
        if value in _WORDS:
            return str(_WORDS[value])
        label = _choice_labels().get(value)
        if label is not None:
            return str(label)
    return value


def user_message(e: DomainError) -> str:
    """A refusal in the active language, with its parameters and without internal field names.
    `e.detail` stays the English text the API gives."""
    text = gettext(e.template)
    if text == e.template and not (get_language() or "en").startswith("en"):
        return str(_GENERIC.get(e.status, _GENERIC[400]))
    if e.params:
        try:
            text = text.format(**{k: human_word(v) for k, v in e.params.items()})
        except (KeyError, IndexError, ValueError):
            text = e.detail
    text = _FIELD_PREFIX.sub(_field_words, text, count=1)
    return text[:1].upper() + text[1:]


def error_page(request: HttpRequest, e: DomainError) -> HttpResponse:
    """A refusal as a page: the same status the API gives, the message in the page's language."""
    return render(request, "web/error.html", {"message": user_message(e)}, status=e.status)


def page_lang() -> str:
    """Which language's text of the law's reasons a page shows: "en" or "zh-hans"."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"
