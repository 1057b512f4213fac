"""anxin evidence sequence|audit|publish|erase — run the log's sequencer, audit the whole log,
publish it to its mirror (ANXIN_TILES_STORAGE), or erase a person's data from their evidence
once the retention period is over."""

from __future__ import annotations

import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "The evidence log: sequence pending records, audit the log, erase personal data."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        seq = sub.add_parser("sequence", help="integrate pending records and sign checkpoints")
        seq.add_argument("--once", action="store_true", help="integrate what is pending and stop")
        seq.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
        sub.add_parser("audit", help="recompute the tree and check tiles, checkpoints, records")
        sub.add_parser(
            "publish",
            help="write every tile, entry bundle and the checkpoint missing from the log's "
            "mirror (ANXIN_TILES_STORAGE)",
        )
        erase = sub.add_parser("erase", help="erase a buyer's personal data (PIPL Art. 47)")
        erase.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _sequence(self, options: dict[str, Any]) -> None:
        from anxin.evidence import mirror, sequencer

        if options["once"]:
            n = sequencer.integrate_all()
            self.stdout.write(f"integrated {n} records")
            if settings.ANXIN_TILES_STORAGE != "none":
                try:
                    written = mirror.publish()
                except Exception as e:
                    # The records are in the log all the same: only the mirror is behind.
                    self.stderr.write(
                        f"publishing to the log's mirror failed ({e}); "
                        "run `anxin evidence publish` once it is reachable"
                    )
                    sys.exit(1)
                self.stdout.write(f"published {written} objects to the log's mirror")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
        self.stdout.write("sequencer running; Ctrl-C to stop")
        try:
            sequencer.run_forever(interval=options["interval"], stop=lambda: bool(stopping))
        except KeyboardInterrupt:
            pass
        mirror.publisher.wait(timeout=30)

    def _publish(self, options: dict[str, Any]) -> None:
        from anxin.evidence import mirror

        out = mirror.target()
        if out is None:
            raise CommandError("the log has no mirror: set ANXIN_TILES_STORAGE (local or s3)")
        n = mirror.publish(repair=True)
        size = mirror.published_size(out)
        self.stdout.write(f"published {n} objects; the mirror holds the log of {size} entries")

    def _audit(self, options: dict[str, Any]) -> None:
        from anxin.evidence import keys
        from anxin.evidence.audit import audit

        rep = audit(keys.log_verifier())
        summary = (
            f"{rep.entries} entries, {rep.checkpoints} checkpoints, {rep.erased} records erased"
        )
        if rep.ok:
            self.stdout.write(f"audit OK: {summary}")
            return
        for p in rep.problems:
            self.stderr.write(f"- {p}")
        if rep.more:
            self.stderr.write(f"- … and {rep.more} more")
        self.stderr.write(f"audit FAILED: {len(rep.problems) + rep.more} problems; {summary}")
        sys.exit(1)

    def _erase(self, options: dict[str, Any]) -> None:
        from anxin.accounts.models import User
        from anxin.orders import privacy

        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        result = privacy.erase_buyer(user)
        self.stdout.write(f"erased {result.erased_records} records of {len(result.erased)} orders")
        for number, until in result.kept:
            self.stdout.write(
                f"kept {number} until {until:%Y-%m-%d} (E-commerce Law Art. 31); "
                "its erasure is scheduled"
            )
