"""anxin bench NAME — benchmarks that print progress and end with one line of JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run a benchmark. Names: checkout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["checkout"])
        parser.add_argument("--lifecycles", type=int, default=2000)
        parser.add_argument("--clients", type=int, default=2)
        parser.add_argument("--pgbench-seconds", type=int, default=20)
        parser.add_argument("--scale", type=int, default=10, help="pgbench scale factor")

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.bench import checkout

        if options["lifecycles"] < 1 or options["clients"] < 1:
            raise CommandError("--lifecycles and --clients must be at least 1")

        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        try:
            result = checkout.run(
                lifecycles=options["lifecycles"],
                clients=options["clients"],
                pgbench_seconds=options["pgbench_seconds"],
                scale=options["scale"],
                log=log,
            )
        except RuntimeError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
