"""anxin reconcile [--day YYYY-MM-DD] — match a day's bill from the payment provider with
Anxin's records (yesterday, Beijing time, by default); safe to run again."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Reconcile a day (Beijing time; yesterday by default) with the payment provider's bill: "
        "apply what lost notifications missed, raise an alert for every other difference."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="the day, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--provider", help="the provider (default: ANXIN_PAYMENT_PROVIDER)")

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.reconcile.services import beijing_today, reconcile_day

        if options["day"]:
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError(f"--day: not a date (YYYY-MM-DD): {options['day']}") from None
        else:
            day = beijing_today() - dt.timedelta(days=1)
        run = reconcile_day(day, provider_name=options["provider"])
        self.stdout.write(
            f"{run.provider} {run.day}: {run.status}, lines read: {run.lines_read}, "
            f"matched: {run.matched}, applied: {run.applied}, alerts: {run.alerts}"
        )
