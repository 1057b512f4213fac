"""The seller's badge: a signed note (C2SP signed-note format, Ed25519, like the evidence
log's checkpoints) stating the seller, its shop, its verification level and the badge's
expiry, with the address of the seller's live page. Its QR code carries the note itself, so
the badge verifies offline against the platform's badge key (`anxin badge FILE --key VKEY`),
and scanning it opens the live page, which also says whether the badge was revoked.

    anxin seller badge v1
    serial 3f9c…
    seller 42
    shop 明前茶舍
    level 1 Real name verified
    issued 2026-11-24T08:00:00Z
    expires 2027-05-25T16:00:00Z
    url https://anxin.example/s/42
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anxin.accounts.models import User
from anxin.core.errors import Forbidden, NotFound, msg
from anxin.core.keyfile import load_or_create
from anxin.core.text import clean_text
from anxin.evidence.note import NoteError, Signer, Verifier, open_note, sign
from anxin.sellers import services
from anxin.sellers.models import Badge, Level, Status, Verification

HEADER = "anxin seller badge v1"
_lock = threading.Lock()
_signers: dict[str, Signer] = {}


def signer() -> Signer:
    name = settings.ANXIN_BADGE_ORIGIN
    path = Path(settings.ANXIN_KEYS_DIR) / "badge.skey"
    with _lock:
        key = f"{name}|{path}"
        if key not in _signers:
            _signers[key] = Signer.from_skey(
                load_or_create(path, lambda: Signer.generate(name).skey())
            )
        return _signers[key]


def verifier() -> Verifier:
    return signer().verifier()


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@transaction.atomic
def issue(*, actor: User) -> Badge:
    """A new badge for a verified seller, valid until its re-verification is due."""
    v = Verification.objects.filter(seller=actor).first()
    if v is None or v.status != Status.VERIFIED:
        raise Forbidden("verify your identity to get a badge", code="not_verified")
    now = timezone.now()
    serial = secrets.token_hex(8)
    level = services.seller_level(actor)
    shop = getattr(getattr(actor, "seller_profile", None), "shop_name", "") or actor.username
    shop = " ".join(shop.split())  # one line
    text = (
        f"{HEADER}\n"
        f"serial {serial}\n"
        f"seller {actor.pk}\n"
        f"shop {shop}\n"
        f"level {int(level)} {Level(level).name.lower()}\n"
        f"issued {_iso(now)}\n"
        f"expires {_iso(v.reverify_by)}\n"
        f"url {settings.ANXIN_SITE_URL}/s/{actor.pk}\n"
    )
    return Badge.objects.create(
        serial=serial,
        seller=actor,
        note=sign(text, signer()),
        issued_at=now,
        expires_at=v.reverify_by,
    )


@transaction.atomic
def revoke(*, actor: User, serial: str, reason: str) -> Badge:
    if actor.role != "operator":
        raise Forbidden("only the platform operator revokes badges")
    b = Badge.objects.select_for_update().filter(serial=serial).first()
    if b is None:
        raise NotFound(msg("badge {serial}: not found", serial=serial))
    b.revoke_reason = clean_text(reason, "reason", 300, multiline=True)
    b.revoked_at = b.revoked_at or timezone.now()
    b.save(update_fields=["revoked_at", "revoke_reason"])
    return b


def encode(note: str) -> str:
    return base64.urlsafe_b64encode(note.encode()).decode().rstrip("=")


def decode(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise NoteError("badge: not a badge") from None


@dataclass(frozen=True)
class Checked:
    fields: dict[str, str]
    expired: bool


def check(note: str, key: Verifier, *, now: dt.datetime | None = None) -> Checked:
    """The badge's fields if its signature verifies against `key` (offline: no database);
    NoteError naming what failed if it is forged, altered or not a badge."""
    opened = open_note(note, [key])
    lines = opened.text.rstrip("\n").split("\n")
    if not lines or lines[0] != HEADER:
        raise NoteError("badge: not an Anxin seller badge")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(" ")
        fields[name] = value
    missing = {"serial", "seller", "shop", "level", "issued", "expires", "url"} - set(fields)
    if missing:
        raise NoteError(f"badge: missing {', '.join(sorted(missing))}")
    expires = dt.datetime.strptime(fields["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return Checked(fields=fields, expired=(now or timezone.now()) >= expires)


def live(note: str) -> tuple[Checked | None, str]:
    """What the live page says of a scanned badge: (its fields, a verdict)."""
    try:
        c = check(note, verifier())
    except NoteError as e:
        return None, f"forged or altered: {e}"
    b = Badge.objects.filter(serial=c.fields["serial"]).first()
    if b is None or str(b.seller_id) != c.fields["seller"]:
        return c, "unknown badge"
    if b.revoked_at is not None:
        return c, "revoked"
    if c.expired:
        return c, "expired"
    return c, "valid"
