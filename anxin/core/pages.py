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
    "price": _("Price"),
    "claimed_fen": _("Amount claimed"),
    "claimed": _("Amount claimed"),
    "offer_fen": _("Offer"),
    "offer": _("Offer"),
    "text": _("Message"),
    "licence": _("Licence"),
    "entry": _("Entry"),
    "points": _("Points"),
    "reason": _("Reason"),
    "reasons": _("Reason"),
    "image": _("Image"),
    "images": _("Images"),
    "photos": _("Photos"),
    "wechat_id": _("WeChat ID"),
    "shop_name": _("Shop name"),
    "name": _("Name"),
    "contact_phone": _("Contact phone"),
    "contact": _("Contact phone"),
    "amount": _("Amount"),
    "amount_fen": _("Amount"),
    "valid_until": _("Valid until"),
    "title": _("Title"),
    "stock": _("Stock"),
    "shipping_days": _("Days to ship"),
    "shipping_address": _("Address"),
    "recipient_phone": _("Phone"),
    "recipient_name": _("Recipient"),
    "quantity": _("Quantity"),
    "paid_on": _("Day you paid"),
    "outside_paid_on": _("Day you paid"),
    "paid": _("Amount paid"),
    "outside_paid_fen": _("Amount paid"),
    "note": _("Note"),
    "buyer_note": _("Note"),
    "evidence": _("Evidence"),
    "email": _("E-mail"),
    "display_name": _("Display name"),
    "days": _("Days"),
    "term_days": _("Days"),
    "compensation": _("Compensation"),
    "compensation_fen": _("Compensation"),
    "refund": _("Refund"),
    "refund_fen": _("Refund"),
    "remedy": _("Remedy"),
    "claim": _("Claim"),
    "carrier": _("Carrier"),
    "tracking_number": _("Tracking number"),
    "address": _("Address"),
    "category": _("Category"),
    "kind": _("Kind"),
    "username": _("Username"),
    "seller_username": _("Seller"),
    "password": _("Password"),
    "new_password": _("New password"),
    "current_password": _("Current password"),
    "description": _("Description"),
    "departure_reason": _("Reason"),
    "return_shipping_fen": _("Return shipping"),
    "document": _("Document"),
    "licence_file": _("Business licence"),
    "notice": _("Notice"),
    "seller": _("Seller number"),
    "reference": _("Order or case number"),
}


def field_words(name: str) -> str:
    """A form field's internal name as a reader calls it ("claimed_fen" → "Amount claimed")."""
    words = _FIELD_WORDS.get(name)
    if words is None:
        return re.sub(r"_(fen|id|yuan)$", "", name).replace("_", " ").capitalize()
    return str(words)


def _field_prefix(match: re.Match[str]) -> str:
    return f"{field_words(match.group(1))}: "


# A placeholder, left alone, or an internal name with an underscore in a template's words.
_SNAKE = re.compile(r"\{[^{}]*\}|\b[a-z]+(?:_[a-z0-9]+)+\b")


def _snake_words(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith("{"):
        return token
    words = field_words(token)
    return words[:1].lower() + words[1:]


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
            label = str(label)  # mid-sentence: "order AX1 is paid, held in escrow"
            return label[:1].lower() + label[1:]
    return value


def _param(key: str, value: Any) -> Any:
    # A template's {field} (and the {name} of a field) is a form field's internal name.
    if key == "field" or (key == "name" and value in _FIELD_WORDS):
        return field_words(str(value))
    return human_word(value)


def user_message(e: DomainError) -> str:
    """A refusal in the active language, with its parameters and without internal field names.
    `e.detail` stays the English text the API gives; a page reads the template's text in the
    page's catalogue, English included (locale/en: each template in plain words, with what to
    do next)."""
    text = gettext(e.template)
    if text == e.template:
        if not (get_language() or "en").startswith("en"):
            return str(_GENERIC.get(e.status, _GENERIC[400]))
        # English without a text in locale/en: the template is the API's sentence; its
        # internal names become words.
        text = _SNAKE.sub(_snake_words, text)
    if e.params:
        try:
            text = text.format(**{k: _param(k, v) for k, v in e.params.items()})
        except (KeyError, IndexError, ValueError):
            text = e.detail
    text = _FIELD_PREFIX.sub(_field_prefix, text, count=1)
    return text[:1].upper() + text[1:]


def error_page(request: HttpRequest, e: DomainError) -> HttpResponse:
    """A refusal as a page: the same status the API gives, the message in the page's language."""
    return render(request, "web/error.html", {"message": user_message(e)}, status=e.status)


def page_lang() -> str:
    """Which language's text of the law's reasons a page shows: "en" or "zh-hans"."""
    return "en" if (get_language() or "").startswith("en") else "zh-hans"
