"""anxin figures rebuild — the public figures recomputed from every case (supervision.figures)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "rebuild: recompute the published records and their counters from every case."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.supervision import figures

        began = time.monotonic()
        counts = figures.rebuild()
        counts_out = {**counts, "seconds": round(time.monotonic() - began, 2)}
        self.stdout.write(json.dumps(counts_out))
