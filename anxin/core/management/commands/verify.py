"""anxin verify VOUCHER --key VKEY — check a shopping voucher offline with the log's public key.

Exits 0 when the voucher proves its record is in the log, 1 naming the check that failed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Verify a voucher (.tlog-proof) offline against the log's verifier key."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("voucher", help="the voucher file")
        parser.add_argument(
            "--key",
            required=True,
            help="the log's verifier key (name+id+key), or a file holding it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.evidence import voucher
        from anxin.evidence.note import NoteError, Verifier

        def fail(reason: str) -> None:
            self.stderr.write(f"voucher REJECTED: {reason}")
            sys.exit(1)

        key_arg = options["key"]
        key_text = Path(key_arg).read_text() if Path(key_arg).is_file() else key_arg
        try:
            verifier = Verifier.from_vkey(key_text)
        except NoteError as e:
            fail(str(e))
        try:
            data = Path(options["voucher"]).read_bytes()
        except OSError as e:
            fail(f"cannot read {options['voucher']}: {e.strerror}")
        try:
            v = voucher.verify_bytes(data, verifier)
        except voucher.VoucherError as e:
            fail(str(e))
        self.stdout.write(
            f"voucher OK: entry {v.index} of {v.checkpoint.origin} "
            f"(checkpoint of {v.checkpoint.size} entries)"
        )
        self.stdout.write(json.dumps(v.record, ensure_ascii=False, sort_keys=True, indent=1))
