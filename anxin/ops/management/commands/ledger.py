"""anxin ledger audit — check every ledger invariant; exit 1 naming each violation."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Ledger tools. 'audit': replay every transfer and check every invariant."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["audit"])

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.ledger.models import Account, Transfer
        from anxin.ops.audits import audit_recorded

        run = audit_recorded()
        problems = run.problems
        accounts, transfers = Account.objects.count(), Transfer.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(f"VIOLATION {p}")
            if run.violations > len(problems):
                self.stderr.write(f"… and {run.violations - len(problems)} more")
            self.stderr.write(
                f"ledger audit: {run.violations} violation(s) in {accounts} "
                f"accounts and {transfers} transfers"
            )
            sys.exit(1)
        self.stdout.write(
            f"ledger audit: ok ({accounts} accounts, {transfers} transfers; "
            "balances replayed, debits = credits, no negative balances, every "
            "hold resolved at most once, orders match their money)"
        )
