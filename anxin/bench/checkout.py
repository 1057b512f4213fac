"""`anxin bench checkout`: complete order lifecycles through the service layer on PostgreSQL,
against pgbench's TPC-B-like script on the same server with the same number of clients."""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
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


def _pgbench(url: str, clients: int, seconds: int, scale: int, log) -> float:
    u = urlparse(url)
    base = [
        _pgbench_bin(),
        "-h",
        u.hostname or "127.0.0.1",
        "-p",
        str(u.port or 5432),
        "-U",
        u.username or "postgres",
    ]
    env = {**os.environ, "PGPASSWORD": u.password or ""}
    db = (u.path or "/").lstrip("/")
    log(f"pgbench: initialising scale {scale} in {db} (tables pgbench_*)")
    subprocess.run(
        [*base, "-i", "-q", "-s", str(scale), db], env=env, check=True, capture_output=True
    )
    log(f"pgbench: TPC-B-like, {clients} clients, {seconds} s")
    out = subprocess.run(
        [*base, "-c", str(clients), "-j", str(clients), "-T", str(seconds), "-n", db],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    subprocess.run([*base, "-i", "-I", "d", db], env=env, check=False, capture_output=True)
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    if not match:
        raise RuntimeError(f"could not read pgbench's tps from:\n{out}")
    return float(match.group(1))


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
    service = service_rate(lifecycles=lifecycles, clients=clients, log=log)
    problems = ledger_audit() + orders_audit() + returns_audit()
    tps = _pgbench(
        os.environ["DATABASE_URL"],
        clients,
        pgbench_seconds,
        scale,
        log,
    )
    service_tps = service["service_tx_per_s"]
    ratio = service_tps / tps if tps else 0.0
    log(f"{service_tps:,.1f} service transactions/s, pgbench {tps:,.1f} tps: ratio {ratio:.3f}")
    return {
        "bench": "checkout",
        "figures": {
            "lifecycles": lifecycles,
            "failed_lifecycles": service["failed"],
            "clients": clients,
            "seconds": round(service["seconds"], 2),
            "lifecycles_per_s": round(service["lifecycles_per_s"], 1),
            "service_tx_per_s": round(service_tps, 1),
            "pgbench_tps": round(tps, 1),
            "ratio": round(ratio, 3),
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
            "failed_lifecycles": service["failed"] == 0,
        },
    }
