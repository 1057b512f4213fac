"""anxin bench NAME — benchmarks that print progress and end with one line of JSON."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run a benchmark. Names: checkout, credit, disputes, evidence, figures, http, law, "
        "pages, payouts, recon."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "name",
            choices=[
                "checkout",
                "credit",
                "disputes",
                "evidence",
                "figures",
                "http",
                "law",
                "pages",
                "payouts",
                "recon",
            ],
        )
        parser.add_argument("--lifecycles", type=int, default=2000)
        parser.add_argument("--clients", type=int, default=2)
        parser.add_argument("--pgbench-seconds", type=int, default=20)
        parser.add_argument("--scale", type=int, default=10, help="pgbench scale factor")
        disputes = parser.add_argument_group("disputes")
        disputes.add_argument("--disputes", type=int, default=1000, help="cases to generate")
        disputes.add_argument("--workers", type=int, default=2, help="deadline worker processes")
        credit = parser.add_argument_group("credit (and figures: its world)")
        credit.add_argument("--sellers", type=int, default=100_000)
        credit.add_argument("--orders", type=int, default=10_000_000)
        credit.add_argument("--samples", type=int, default=1000, help="incremental updates")
        credit.add_argument(
            "--regulator-complaints",
            type=int,
            default=None,
            help="figures: complaints to regulators besides the desk's (default: orders / 1000)",
        )
        law = parser.add_argument_group("law")
        law.add_argument("--cases", type=int, default=100_000)
        law.add_argument("--seed", type=int, default=2026)
        evidence = parser.add_argument_group("evidence")
        evidence.add_argument("--small", type=int, default=100_000, help="first log size")
        evidence.add_argument("--large", type=int, default=1_000_000, help="second log size")
        evidence.add_argument("--batch", type=int, default=20_000, help="sequencer batch")
        evidence.add_argument("--proofs", type=int, default=2_000)
        evidence.add_argument(
            "--one-commit", type=int, default=10_000, help="entries for pymerkle one-commit path"
        )

        recon = parser.add_argument_group("recon")
        recon.add_argument("--day-orders", type=int, default=100_000, help="the day's orders")
        recon.add_argument("--lost", type=int, default=100, help="notifications lost")

        payouts = parser.add_argument_group("payouts (and recon's options for its day)")
        payouts.add_argument("--payout-sellers", type=int, default=20, help="sellers")
        payouts.add_argument(
            "--payout-orders", type=int, default=50, help="each seller's settled orders"
        )
        payouts.add_argument("--payouts", type=int, default=1000, help="payouts in all")

        http = parser.add_argument_group(
            "http (also --lifecycles and --clients: the service layer)"
        )
        http.add_argument("--start-users", type=int, default=2, help="users at the first step")
        http.add_argument("--max-users", type=int, default=128, help="users at the last step")
        http.add_argument("--step-seconds", type=int, default=30, help="each step's length")
        http.add_argument("--spawn-rate", type=float, default=4.0, help="users started a second")
        http.add_argument("--shops", type=int, default=4, help="sellers, one listing each")
        http.add_argument(
            "--warmup-seconds", type=int, default=10, help="unreported load before the steps"
        )
        http.add_argument("--p95-ms", type=float, default=150.0, help="each page's p95 limit")
        http.add_argument(
            "--web-workers", type=int, default=0, help="gunicorn workers (0: its own rule)"
        )

        pages = parser.add_argument_group("pages (and figures: --requests)")
        pages.add_argument("--requests", type=int, default=50, help="timed requests a page")
        pages.add_argument("--buyer", default="zhangwei", help="whose order and checkout")
        pages.add_argument("--seller", default="seller-tea", help="whose home and listing")

    def handle(self, *args: Any, **options: Any) -> None:
        from anxin.bench import (
            checkout,
            credit,
            disputes,
            evidence,
            figures,
            http,
            law,
            pages,
            payouts,
            recon,
        )

        def log(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        try:
            if options["name"] == "pages":
                if options["requests"] < 1:
                    raise CommandError("--requests must be at least 1")
                self._pages_ready(options, log)
                result = pages.run(
                    buyer=options["buyer"],
                    seller=options["seller"],
                    requests=options["requests"],
                    log=log,
                )
            elif options["name"] == "http":
                if min(options["start_users"], options["step_seconds"], options["shops"]) < 1:
                    raise CommandError(
                        "--start-users, --step-seconds and --shops must be at least 1"
                    )
                if options["max_users"] < options["start_users"] or options["spawn_rate"] <= 0:
                    raise CommandError(
                        "--max-users below --start-users, or --spawn-rate not positive"
                    )
                if options["lifecycles"] < 1 or options["clients"] < 1:
                    raise CommandError("--lifecycles and --clients must be at least 1")
                result = http.run(
                    start_users=options["start_users"],
                    max_users=options["max_users"],
                    step_seconds=options["step_seconds"],
                    spawn_rate=options["spawn_rate"],
                    sellers=options["shops"],
                    lifecycles=options["lifecycles"],
                    clients=options["clients"],
                    p95_ms=options["p95_ms"],
                    web_workers=options["web_workers"],
                    warmup_seconds=max(0, options["warmup_seconds"]),
                    log=log,
                )
            elif options["name"] == "recon":
                if options["day_orders"] < 1 or options["lost"] < 0:
                    raise CommandError("--day-orders must be at least 1, --lost at least 0")
                result = recon.run(orders=options["day_orders"], lost=options["lost"], log=log)
            elif options["name"] == "payouts":
                if min(options["payout_sellers"], options["payout_orders"], options["payouts"]) < 1:
                    raise CommandError(
                        "--payout-sellers, --payout-orders and --payouts must be at least 1"
                    )
                if options["day_orders"] < 1 or options["lost"] < 0:
                    raise CommandError("--day-orders must be at least 1, --lost at least 0")
                result = payouts.run(
                    sellers=options["payout_sellers"],
                    orders=options["payout_orders"],
                    payouts=options["payouts"],
                    day_orders=options["day_orders"],
                    lost=options["lost"],
                    log=log,
                )
            elif options["name"] == "law":
                if options["cases"] < 1:
                    raise CommandError("--cases must be at least 1")
                result = law.run(cases=options["cases"], seed=options["seed"], log=log)
            elif options["name"] == "credit":
                if min(options["sellers"], options["orders"], options["samples"]) < 1:
                    raise CommandError("--sellers, --orders and --samples must be at least 1")
                result = credit.run(
                    sellers=options["sellers"],
                    orders=options["orders"],
                    samples=options["samples"],
                    log=log,
                )
            elif options["name"] == "figures":
                if min(options["sellers"], options["orders"], options["requests"]) < 1:
                    raise CommandError("--sellers, --orders and --requests must be at least 1")
                self._static_ready(log)
                if (options["regulator_complaints"] or 0) < 0:
                    raise CommandError("--regulator-complaints must be at least 0")
                result = figures.run(
                    sellers=options["sellers"],
                    orders=options["orders"],
                    requests=options["requests"],
                    complaints=options["regulator_complaints"],
                    log=log,
                )
            elif options["name"] == "disputes":
                if options["disputes"] < 1 or options["workers"] < 1:
                    raise CommandError("--disputes and --workers must be at least 1")
                result = disputes.run(
                    cases=options["disputes"], workers=options["workers"], log=log
                )
            elif options["name"] == "evidence":
                result = evidence.run(
                    small=options["small"],
                    large=options["large"],
                    batch=options["batch"],
                    proofs=options["proofs"],
                    one_commit=options["one_commit"],
                    log=log,
                )
            else:
                if options["lifecycles"] < 1 or options["clients"] < 1:
                    raise CommandError("--lifecycles and --clients must be at least 1")
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

    @staticmethod
    def _pages_ready(options: dict[str, Any], log: Callable[[str], None]) -> None:
        """The pages bench measures the site as served: on the demo data (made, after the
        migrations, if the buyer is missing) and, with the manifest storage, the static files
        collected."""
        from django.core.management import call_command

        from anxin.accounts.models import User

        # An empty database (make bench's throwaway PostgreSQL) gets its tables first.
        call_command("migrate", "--noinput", "-v0")
        if not User.objects.filter(username=options["buyer"]).exists():
            log("making the demo data (anxin demo)")
            call_command("demo", stdout=io.StringIO())
        Command._static_ready(log)

    @staticmethod
    def _static_ready(log: Callable[[str], None]) -> None:
        """With the manifest storage, the static files collected, as the site is served."""
        from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
        from django.core.management import call_command

        if isinstance(staticfiles_storage, ManifestFilesMixin):  # (not in the tests)
            log("collecting the static files (anxin collectstatic)")
            call_command("collectstatic", "--noinput", "-v0")
