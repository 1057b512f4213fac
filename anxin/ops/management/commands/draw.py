"""anxin draw FILE — check an appeal panel's draw from what the case publishes.

FILE (or - for standard input) is the case's JSON from the API (`GET /api/v1/disputes/N`),
the `case.json` of its evidence bundle, or just its `appeal` object. The seed is recomputed
as the SHA-256 of the published seed source, the panel is drawn again from the seed and the
pool, and both are compared with what the case says. Exit 0 if they match, 1 if not, 2 if
the file cannot be read."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Check an appeal panel's draw from the case's published seed source and pool."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the case or appeal JSON, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.disputes.panel import draw, seed_of

        source = options["file"]
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text("utf-8")
            doc = json.loads(text)
            appeal: dict[str, Any] = doc.get("appeal") or doc
            seed, src = appeal["seed"], appeal["seed_source"]
            pool, members = [int(p) for p in appeal["pool"]], [int(m) for m in appeal["members"]]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            self.stderr.write(f"{source}: not a case with an appeal: {e}")
            sys.exit(2)
        problems = []
        if seed_of(src) != seed:
            problems.append(f"seed: SHA-256 of the seed source is {seed_of(src)}, not {seed}")
        redrawn = draw(seed, pool, len(members)) if len(members) <= len(pool) else []
        if redrawn != members:
            problems.append(f"members: the seed and pool draw {redrawn}, not {members}")
        if problems:
            for p in problems:
                self.stderr.write(p)
            sys.exit(1)
        self.stdout.write(
            f"ok: {len(members)} of {len(pool)} drawn from seed {seed[:16]}… as published"
        )
