"""anxin deadlines — fire every deadline that is due now (safety net behind the timer tasks)."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fire every due deadline (unpaid orders closing, auto-confirmation) from stored times."

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.ops.deadlines import deadlines_run

        counts = deadlines_run()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
