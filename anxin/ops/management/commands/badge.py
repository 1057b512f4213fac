"""anxin badge FILE --key VKEY — check a seller's badge offline.

FILE (or - for standard input) holds the badge: the signed note, the token from its QR code,
or the whole scanned address (…/s/42?badge=TOKEN). VKEY is the platform's badge key
(`/sellers/badge.vkey`), or a file holding it. Exit 0 if the signature verifies and the badge
has not expired, 1 naming what failed (forged, altered, not a badge, expired). Revocation is
known only to the live page the badge links to."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Check a seller's badge offline against the platform's badge key."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the badge (note, QR token or scanned address), or -")
        parser.add_argument("--key", required=True, help="the badge verifier key, or a file")

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.evidence.note import NoteError, Verifier
        from anxin.sellers import badge

        src = options["file"]
        try:
            text = sys.stdin.read() if src == "-" else Path(src).read_text("utf-8")
            key_text = options["key"]
            if Path(key_text).is_file():
                key_text = Path(key_text).read_text("utf-8")
            key = Verifier.from_vkey(key_text.strip())
        except (OSError, UnicodeDecodeError, NoteError, ValueError) as e:
            self.stderr.write(f"cannot read: {e}")
            sys.exit(1)
        raw = text.strip()
        if raw.startswith("http"):
            raw = parse_qs(urlparse(raw).query).get("badge", [""])[0]
        try:
            note = text if text.startswith(badge.HEADER) else badge.decode(raw)
            checked = badge.check(note, key)
        except NoteError as e:
            self.stderr.write(f"badge: {e}")
            sys.exit(1)
        f = checked.fields
        if checked.expired:
            self.stderr.write(f"badge {f['serial']}: expired on {f['expires']}")
            sys.exit(1)
        self.stdout.write(
            f"ok: seller {f['seller']} ({f['shop']}), level {f['level']}, "
            f"valid until {f['expires']}; live status: {f['url']}"
        )
