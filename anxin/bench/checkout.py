"""`anxin bench checkout`: complete order lifecycles through the service layer on PostgreSQL,
against pgbench's TPC-B-like script on the same server with the same number of clients.

The two are interleaved in rounds (a share of the lifecycles, then a share of pgbench's
seconds) and the judged ratio is the median over the rounds of the service rate over the
pgbench rate measured right after it. On the machines this runs on, speed drifts by tens of
percent within a minute (one run's service rate and the disputes bench's, a minute apart, were
529 and 689 transactions/s), so one long measurement of each side, twenty seconds apart,
compares two different machines. The ratio of the totals is reported too."""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import statistics
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# A lifecycle is five service transactions: create, start payment, receive the provider's
# notification (capture into escrow), ship, confirm (settle). The buyer's act of paying happens
# at the provider and is not counted, though its time is in the figures.
SERVICE_TX_PER_LIFECYCLE = 5
TARGET_RATIO = 0.25
ROUNDS = 5


def _client(
    index: int,
    count: int,
    listing_codes: list[str],
    buyers: list[str],
    done: Any,
    failures: Any,
    start: Any,
    finished: Any,
) -> None:
    import django

    django.setup()
    from anxin.accounts.models import User
    from anxin.bench import synthetic
    from anxin.catalog.models import Listing
    from anxin.payments.providers.sandbox import SandboxProvider

    provider = SandboxProvider()
    buyer = User.objects.get(username=buyers[index])
    listing = Listing.objects.get(code=listing_codes[index])
    # Set up and connected: wait for the others, so that start-up is not timed (pgbench's
    # figure likewise excludes its connection time).
    start.wait()
    for i in range(count):
        try:
            synthetic.checkout(provider, buyer, listing, f"bench-{index}-{i}")
        except Exception:
            with failures.get_lock():
                failures.value += 1
        with done.get_lock():
            done.value += 1
    with finished.get_lock():
        # CLOCK_MONOTONIC is one clock for every process on the machine.
        finished.value = max(finished.value, time.monotonic())


def _pgbench_bin() -> str:
    for candidate in [
        os.environ.get("ANXIN_PG_BINDIR", ""),
        *sorted((str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")), reverse=True),
    ]:
        if candidate and (Path(candidate) / "pgbench").exists():
            return str(Path(candidate) / "pgbench")
    found = shutil.which("pgbench")
    if not found:
        raise RuntimeError("pgbench not found: install PostgreSQL (postgresql-contrib)")
    return found


class _Pgbench:
    """pgbench against the bench's database: its tables made once, TPC-B-like runs, its tables
    dropped at the end."""

    def __init__(self, url: str, clients: int, scale: int, log) -> None:
        u = urlparse(url)
        self._base = [
            _pgbench_bin(),
            "-h",
            u.hostname or "127.0.0.1",
            "-p",
            str(u.port or 5432),
            "-U",
            u.username or "postgres",
        ]
        self._env = {**os.environ, "PGPASSWORD": u.password or ""}
        self._db = (u.path or "/").lstrip("/")
        self._clients = clients
        self._log = log
        log(f"pgbench: initialising scale {scale} in {self._db} (tables pgbench_*)")
        self._call("-i", "-q", "-s", str(scale))

    def _call(self, *args: str, check: bool = True) -> str:
        return subprocess.run(
            [*self._base, *args, self._db],
            env=self._env,
            check=check,
            capture_output=True,
            text=True,
        ).stdout

    def tps(self, seconds: int) -> float:
        c = str(self._clients)
        self._log(f"pgbench: TPC-B-like, {c} clients, {seconds} s")
        out = self._call("-c", c, "-j", c, "-T", str(seconds), "-n")
        match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
        if not match:
            raise RuntimeError(f"could not read pgbench's tps from:\n{out}")
        return float(match.group(1))

    def drop(self) -> None:
        self._call("-i", "-I", "d", check=False)


def service_rate(*, lifecycles: int, clients: int, log) -> dict[str, Any]:
    """Complete lifecycles through the service layer by `clients` processes: how many failed,
    the seconds they took and service transactions per second. Also the reference of the
    disputes bench, measured in its own run."""
    from django.conf import settings
    from django.db import connection

    from anxin.accounts.models import Role, User
    from anxin.accounts.services import user_signup
    from anxin.bench import synthetic
    from anxin.catalog.services import ListingContent, listing_create

    settings.ANXIN_SANDBOX_DUPLICATE_RATE = 0.0
    os.environ["ANXIN_SANDBOX_DUPLICATE_RATE"] = "0"
    os.environ["ANXIN_SANDBOX_MAX_DELAY_SECONDS"] = "0"
    tag = uuid.uuid4().hex[:6]
    codes, buyers = [], []
    for c in range(clients):
        seller = user_signup(
            username=f"bench-s{c}-{tag}",
            password=uuid.uuid4().hex,
            role=Role.SELLER,
            shop_name=f"压测店铺{c}",
        )
        synthetic.verify(seller)
        listing = listing_create(
            actor=seller,
            stock=lifecycles + 1,
            content=ListingContent(
                title="压测商品", description="", price_fen=12_800, shipping_days=1
            ),
        )
        codes.append(listing.code)
        buyer = User(username=f"bench-b{c}-{tag}", role=Role.BUYER)
        buyer.set_unusable_password()
        buyer.save()
        buyers.append(buyer.username)
    connection.close()

    per_client = [
        lifecycles // clients + (1 if i < lifecycles % clients else 0) for i in range(clients)
    ]
    ctx = mp.get_context("spawn")
    done, failures = ctx.Value("i", 0), ctx.Value("i", 0)
    start = ctx.Barrier(clients + 1)
    finished = ctx.Value("d", 0.0)
    procs = [
        ctx.Process(
            target=_client, args=(i, per_client[i], codes, buyers, done, failures, start, finished)
        )
        for i in range(clients)
    ]
    log(f"service layer: {lifecycles} lifecycles over {clients} clients")
    for p in procs:
        p.start()
    start.wait()
    started = time.monotonic()
    while any(p.is_alive() for p in procs):
        time.sleep(1)
        log(f"  {done.value}/{lifecycles} lifecycles, {time.monotonic() - started:.0f} s")
    elapsed = finished.value - started
    for p in procs:
        p.join()
    ok = lifecycles - failures.value
    return {
        "failed": failures.value,
        "seconds": elapsed,
        "lifecycles_per_s": ok / elapsed,
        "service_tx_per_s": ok * SERVICE_TX_PER_LIFECYCLE / elapsed,
    }


def run(*, lifecycles: int, clients: int, pgbench_seconds: int, scale: int, log) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from anxin.disputes.audit import returns_audit
    from anxin.ledger.audit import ledger_audit
    from anxin.orders.audit import orders_audit

    if connection.vendor != "postgresql":
        raise RuntimeError(
            "bench checkout measures PostgreSQL: set DATABASE_URL "
            "(or run `make bench`, which starts a throwaway server)"
        )
    call_command("migrate", verbosity=0)
    rounds = max(1, min(ROUNDS, lifecycles // clients, pgbench_seconds))
    pgbench = _Pgbench(os.environ["DATABASE_URL"], clients, scale, log)
    services: list[dict[str, Any]] = []
    tpss: list[float] = []
    try:
        for r in range(rounds):
            share = lifecycles // rounds + (1 if r < lifecycles % rounds else 0)
            log(f"round {r + 1} of {rounds}")
            services.append(service_rate(lifecycles=share, clients=clients, log=log))
            tpss.append(pgbench.tps(pgbench_seconds // rounds))
    finally:
        pgbench.drop()
    problems = ledger_audit() + orders_audit() + returns_audit()
    rates = [s["service_tx_per_s"] for s in services]
    ratios = sorted(rate / tps for rate, tps in zip(rates, tpss, strict=True))
    ratio = statistics.median(ratios)
    failed = sum(s["failed"] for s in services)
    seconds = sum(s["seconds"] for s in services)
    service_tps = (lifecycles - failed) * SERVICE_TX_PER_LIFECYCLE / seconds
    tps = statistics.mean(tpss)  # each round runs pgbench for the same time
    log(
        f"{service_tps:,.1f} service transactions/s, pgbench {tps:,.1f} tps; "
        f"ratio by round {', '.join(f'{x:.3f}' for x in ratios)}: median {ratio:.3f}"
    )
    return {
        "bench": "checkout",
        "figures": {
            "lifecycles": lifecycles,
            "failed_lifecycles": failed,
            "clients": clients,
            "seconds": round(seconds, 2),
            "lifecycles_per_s": round((lifecycles - failed) / seconds, 1),
            "service_tx_per_s": round(service_tps, 1),
            "pgbench_tps": round(tps, 1),
            "ratio": round(ratio, 3),
            "ratio_by_round": [round(x, 3) for x in ratios],
            "ratio_of_totals": round(service_tps / tps, 3),
            "ledger_audit_violations": len(problems),
        },
        "targets": {
            "ratio": f">= {TARGET_RATIO}",
            "ledger_audit_violations": "== 0",
            "failed_lifecycles": "== 0",
        },
        "met": {
            "ratio": ratio >= TARGET_RATIO,
            "ledger_audit_violations": not problems,
            "failed_lifecycles": failed == 0,
        },
    }
