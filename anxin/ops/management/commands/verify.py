"""anxin verify VOUCHER --key VKEY — check a shopping voucher offline with the log's public key.
anxin verify --consistency OLD NEW --key VKEY [--log URL] — check that a log only grew.

Exits 0 when the check passes, 1 naming the check that failed."""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Verify a voucher (.tlog-proof) offline against the log's verifier key, or check with "
        "--consistency that a later checkpoint extends an earlier one."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="VOUCHER, or OLD NEW with --consistency")
        parser.add_argument(
            "--key",
            required=True,
            help="the log's verifier key (name+id+key), or a file holding it",
        )
        parser.add_argument(
            "--consistency",
            action="store_true",
            help="FILES are two signed checkpoints, older first",
        )
        parser.add_argument(
            "--log",
            help="where the log's tiles are published: a URL ending in /log/ or a directory "
            "(default: ANXIN_SITE_URL/log/)",
        )

    def fail(self, reason: str) -> NoReturn:
        self.stderr.write(f"REJECTED: {reason}")
        sys.exit(1)

    def read(self, path: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as e:
            self.fail(f"cannot read {path}: {e.strerror}")

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.evidence.note import NoteError, Verifier

        key_arg = options["key"]
        key_text = Path(key_arg).read_text() if Path(key_arg).is_file() else key_arg
        try:
            verifier = Verifier.from_vkey(key_text)
        except NoteError as e:
            self.fail(str(e))
        files = options["files"]
        if options["consistency"]:
            if len(files) != 2:
                self.fail("--consistency takes two checkpoint files: OLD NEW")
            self.consistency(verifier, files[0], files[1], options["log"])
        else:
            if len(files) != 1:
                self.fail("give one voucher file (or --consistency OLD NEW)")
            self.voucher(verifier, files[0])

    def voucher(self, verifier: Any, path: str) -> None:
        from anxin.evidence import voucher

        try:
            v = voucher.verify_bytes(self.read(path), verifier)
        except voucher.VoucherError as e:
            self.fail(str(e))
        self.stdout.write(
            f"voucher OK: entry {v.index} of {v.checkpoint.origin} "
            f"(checkpoint of {v.checkpoint.size} entries), "
            f"{len(v.history) + 1} records"
        )
        for r in [*v.history, v.record]:
            self.stdout.write(json.dumps(r, ensure_ascii=False, sort_keys=True))

    def consistency(self, verifier: Any, old_path: str, new_path: str, log: str | None) -> None:
        from anxin.evidence import merkle
        from anxin.evidence.checkpoint import CheckpointError, open_checkpoint
        from anxin.evidence.tiles import TileClient

        cps = []
        for label, path in (("old", old_path), ("new", new_path)):
            try:
                cps.append(open_checkpoint(self.read(path).decode("utf-8", "replace"), verifier))
            except CheckpointError as e:
                self.fail(f"{label} checkpoint: {e}")
        old, new = cps
        if old.size > new.size:
            self.fail(f"the new checkpoint ({new.size}) is smaller than the old ({old.size})")
        if old.size == new.size or old.size == 0:
            if old.size == new.size and old.root != new.root:
                self.fail(f"two different roots for the same size {old.size}: the log forked")
            self.stdout.write(f"consistent: {old.size} -> {new.size}")
            return
        base = log or settings.ANXIN_SITE_URL.rstrip("/") + "/log/"
        client = TileClient(new.size, self.fetcher(base))
        try:
            proof = client.consistency_proof(old.size)
        except (OSError, ValueError) as e:
            self.fail(f"cannot read the log's tiles from {base}: {e}")
        if not merkle.verify_consistency(old.size, new.size, proof, old.root, new.root):
            self.fail(
                f"the log of {new.size} entries does not extend the log of {old.size}: "
                "entries were changed or removed"
            )
        self.stdout.write(f"consistent: {old.size} -> {new.size} ({len(proof)} proof hashes)")

    @staticmethod
    def fetcher(base: str) -> Any:
        if base.startswith(("http://", "https://")):
            base = base if base.endswith("/") else base + "/"

            def fetch(path: str) -> bytes:
                try:
                    with urllib.request.urlopen(base + path, timeout=30) as r:  # noqa: S310
                        return bytes(r.read())
                except urllib.error.HTTPError as e:
                    raise OSError(f"{path}: HTTP {e.code}") from None

            return fetch
        root = Path(base)
        return lambda path: (root / path).read_bytes()
