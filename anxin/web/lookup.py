"""The landing page's checks, for anyone, signed in or not: is this seller on Anxin, is this
badge genuine, is this voucher's record in the evidence log. Each reads what a person has at
hand (a shop name, a number, a link copied from a chat or a QR code) and answers with the page
that tells the whole story, or with why nothing was found (a msgid, translated when shown)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_noop

from anxin.accounts.models import Role, SellerProfile, User
from anxin.evidence import spans, store
from anxin.evidence.models import Record
from anxin.evidence.note import NoteError
from anxin.sellers import badge
from anxin.sellers.models import Badge

# A shop name may be shared: at most this many are listed to choose from.
SHOPS_SHOWN = 10


@dataclass(frozen=True)
class Answer:
    url: str = ""  # the page to open
    shops: list[tuple[str, str]] = field(default_factory=list)  # (name, page) to choose from
    problem: str = ""  # why nothing was found (msgid)
    unreadable: bool = False  # the input is not something this check can read at all


def _seller_page(seller_id: int, **query: str) -> str:
    url = reverse("web:seller_public", args=[seller_id])
    return f"{url}?{urlencode(query)}" if query else url


def find_seller(text: str) -> Answer:
    """A seller by its Anxin number (or the link to its page, /s/<number>) or by shop name."""
    text = " ".join(text.split())
    if not text:
        return Answer(problem=gettext_noop("Type a shop name or a seller number."), unreadable=True)
    number = re.fullmatch(r"(?:.*/s/)?(\d{1,18})/?(?:\?.*)?", text)
    if number:
        seller = User.objects.filter(pk=int(number.group(1)), role=Role.SELLER).first()
        if seller is None:
            return Answer(problem=gettext_noop("No seller has this number on Anxin."))
        return Answer(url=_seller_page(seller.pk))
    shops = list(
        SellerProfile.objects.filter(shop_name__icontains=text, user__role=Role.SELLER)
        .order_by("shop_name", "user_id")
        .values_list("shop_name", "user_id")[: SHOPS_SHOWN + 1]
    )
    if not shops:
        return Answer(
            problem=gettext_noop(
                "No shop of this name is on Anxin. If you pay this seller directly, nobody "
                "holds your money for you."
            )
        )
    if len(shops) == 1:
        return Answer(url=_seller_page(shops[0][1]))
    return Answer(shops=[(name, _seller_page(pk)) for name, pk in shops[:SHOPS_SHOWN]])


def find_badge(text: str) -> Answer:
    """A badge by the link its QR code holds (…/s/<seller>?badge=…) or by its serial number; the
    seller's page then says whether it is genuine and current, expired or revoked."""
    text = text.strip()
    token = re.search(r"[?&]badge=([A-Za-z0-9_-]+)", text)
    if token:
        try:
            note = badge.decode(token.group(1))
        except NoteError:
            note = ""
    elif re.fullmatch(r"[0-9a-fA-F]{16}", text):
        found = Badge.objects.filter(serial=text.lower()).values_list("note", flat=True).first()
        if found is None:
            return Answer(problem=gettext_noop("No badge has this number."))
        note = found
    else:
        return Answer(
            problem=gettext_noop(
                "Paste the badge's link (what its QR code holds) or type its 16-character number."
            ),
            unreadable=True,
        )
    checked, _verdict = badge.live(note)
    if checked is None:
        return Answer(problem=gettext_noop("Not a genuine Anxin badge: it was forged or altered."))
    return Answer(url=_seller_page(int(checked.fields["seller"]), badge=badge.encode(note)))


def find_voucher(text: str) -> Answer:
    """A voucher's log entry by the link its QR code holds (…/log/verify/<n>?leaf=…) or by the
    entry number printed on it; the entry's page then says what it records and whether the
    voucher's fingerprint matches."""
    text = text.strip()
    link = re.fullmatch(r"(?:.*/log/verify/)?(\d{1,18})/?(?:\?.*)?", text)
    if link is None:
        return Answer(
            problem=gettext_noop(
                "Paste the link from the voucher's QR code, or type the log entry number on it."
            ),
            unreadable=True,
        )
    idx = int(link.group(1))
    fingerprint = re.search(r"[?&]leaf=([0-9a-fA-F]{64})", text)
    leaf = fingerprint.group(1).lower() if fingerprint else ""
    pk = spans.record_at(idx) if idx < store.head().size else None
    if pk is None or not Record.objects.filter(pk=pk).exists():
        return Answer(
            problem=gettext_noop(
                "This entry is not in the log (yet). A voucher's entry appears within seconds "
                "of the event."
            )
        )
    # The record's salt, if the link carries it, opens the record on the entry's page.
    opening = re.search(r"[?&]open=([0-9a-fA-F]{64})", text)
    query = {"leaf": leaf} if leaf else {}
    if opening:
        query["open"] = opening.group(1).lower()
    url = reverse("log:entry", args=[idx])
    return Answer(url=f"{url}?{urlencode(query)}" if query else url)


FINDERS = {"seller": find_seller, "badge": find_badge, "voucher": find_voucher}
