"""anxin law check FILE — decide one case from its facts (docs/spec/case-facts.md).

FILE is YAML or JSON (UTF-8), or - for standard input. The decisions are printed as JSON on
standard output and the exit status is 0, whatever the outcome. Malformed facts exit 2 with
one line per problem on standard error, each naming the field."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandParser

from anxin.law import engine
from anxin.law.facts import FactsError, load_yaml


def load(source: str) -> Any:
    """The facts document; FactsError if it cannot be read or parsed."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FactsError([f"{source}: cannot read: {e}"]) from None
    try:
        # JSON is YAML, except for a few escapes: try it as JSON first.
        return json.loads(text)
    except ValueError:
        pass
    try:
        return load_yaml(text)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        raise FactsError([f"(document): not YAML or JSON{at}"]) from None


class Command(BaseCommand):
    help = "Decide a consumer-law case from its facts: anxin law check FILE"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="print the decisions for the facts in FILE")
        check.add_argument("file", help="facts as YAML or JSON; - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            out = engine.check(load(options["file"]))
        except FactsError as e:
            for problem in e.problems:
                self.stderr.write(problem)
            sys.exit(2)
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
