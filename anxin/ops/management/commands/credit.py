"""anxin credit — recompute every seller's credit score and grade (the nightly batch)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Recompute every seller's credit score and grade from what Anxin holds."

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.reputation import credit

        started = time.monotonic()
        n = credit.refresh()
        self.stdout.write(f"{n} sellers scored in {time.monotonic() - started:.2f} s")
