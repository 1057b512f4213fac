"""`anxin bench http`: the production server under load from phone-like sessions (locust), on
PostgreSQL, beside `anxin bench checkout`'s service-layer figure measured in the same run.

The bench migrates, builds its world (sellers with a listing each and stock enough, buyers,
an operator; each signed in with a session made here), collects the static files into a
temporary folder, and starts what production runs (compose.yaml): `anxin serve` (gunicorn,
ANXIN_DEBUG off, a fresh secret key, on 127.0.0.1 and a free port, its workers by its own rule
for this machine's cores), two task workers (`anxin db_worker`: the sandbox's payment
notifications) and the evidence sequencer. Once /health/ answers, locust
(anxin/bench/locustfile.py, in its own process: it patches the standard library with gevent)
runs the sessions in steps of 2, 4, 8, ... users, each for `step_seconds` after all its users
have started (the statistics are reset then). The first step where a page's p95 reaches the
limit (150 ms) or any request fails ends the climb; the step before it is the one reported:
per page, requests a second and p50/p95/p99, and the order lifecycles completed a second over
HTTP. Once the server has stopped, it measures the service layer's order lifecycles a second
(anxin.bench.checkout.service_rate, the checkout bench's own function). Target: HTTP
lifecycles at the reported load at least half the service layer's.

The sandbox sends its notifications at once and once (no delay, no duplicates), as in the
checkout bench, so both figures count the same work."""

from __future__ import annotations

import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from importlib import import_module
from pathlib import Path
from typing import Any

P95_LIMIT_MS = 150.0
TARGET_RATIO = 0.5
LIFECYCLE = "lifecycle done"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")

Log = Callable[[str], None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def steps(start: int, most: int) -> list[int]:
    """Users at each step: `start`, doubled each step, up to `most` (which is always the last
    step when it is not a power-of-two multiple of `start`)."""
    out = []
    users = start
    while users < most:
        out.append(users)
        users *= 2
    return [*out, most]


def first_buyers(plan: list[int], warmup: bool) -> tuple[list[int], int]:
    """Each step's first buyer in the world, and how many buyers the world needs: every step
    (and the warm-up, which comes first with the first step's users) has people of its own."""
    first = plan[0] if warmup else 0
    out = []
    for users in plan:
        out.append(first)
        first += users
    return out, first


def _session(user: Any) -> str:
    """A signed-in session for `user`, as the sign-in page would make it (the bench does not
    time password hashing)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.role in settings.ANXIN_2FA_ROLES:
        # Staff who sign in in two steps: the session has passed the second as well (an
        # authenticator app of theirs, confirmed), as the two-step page leaves it.
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="bench", defaults={"confirmed": True}
        )
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.save()
    return str(store.session_key)


def world(*, sellers: int, buyers: int, stock: int, secret_key: str) -> dict[str, Any]:
    """The sellers (verified, one listing each), buyers and an operator, with their sessions
    signed with the server's `secret_key`: the locustfile's configuration."""
    from django.test import override_settings

    with override_settings(SECRET_KEY=secret_key):
        return _world(sellers=sellers, buyers=buyers, stock=stock)


def _world(*, sellers: int, buyers: int, stock: int) -> dict[str, Any]:
    from django.conf import settings

    from anxin.accounts.models import Role, User
    from anxin.accounts.services import user_signup
    from anxin.bench import synthetic
    from anxin.catalog.services import ListingContent, listing_create

    tag = uuid.uuid4().hex[:6]
    shops = []
    for i in range(sellers):
        seller = user_signup(
            username=f"http-s{i}-{tag}",
            password=uuid.uuid4().hex,
            role=Role.SELLER,
            shop_name=f"压测茶庄{i}",
        )
        synthetic.verify(seller)
        listing = listing_create(
            actor=seller,
            stock=stock,
            content=ListingContent(
                title="明前龙井 250 克", description="压测商品", price_fen=12_800, shipping_days=2
            ),
        )
        shops.append(
            {
                "public": f"/s/{seller.pk}",
                "checkout": f"/c/{listing.code}",
                "session": _session(seller),
            }
        )
    people = []
    for i in range(buyers):
        buyer = User(username=f"http-b{i}-{tag}", role=Role.BUYER)
        buyer.set_unusable_password()
        buyer.save()
        people.append(_session(buyer))
    operator = User(username=f"http-op-{tag}", role=Role.OPERATOR)
    operator.set_unusable_password()
    operator.save()
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "shops": shops,
        "buyers": people,
        "staff": [_session(operator)],
        # A person files at most this many complaints a day (the product's own limit): a
        # session past it files none, as a person told "try again tomorrow" would.
        "complaints_per_day": settings.ANXIN_DISPUTE_MAX_PER_DAY,
    }


def _wait_healthy(url: str, procs: list[subprocess.Popen[bytes]], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"{' '.join(map(str, p.args))} exited with {p.returncode}")  # type: ignore[arg-type]
        with suppress(OSError):
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (our own server)
                if r.status == 200:
                    return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.5)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM (gunicorn and the workers stop gracefully), then SIGKILL after 30 s."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@contextmanager
def production(folder: Path, log: Log, web_workers: int, secret_key: str) -> Iterator[str]:
    """The production server, two task workers and the sequencer on this database; yields the
    server's address and stops them all on the way out (an error, Ctrl-C)."""
    port = _free_port()
    # Nothing of a development process's own: Django's async-safety switch (which a test
    # session's browser sets) is refused by the deploy checks `anxin serve` runs.
    own = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **own,
        "ANXIN_DEBUG": "0",
        "ANXIN_SECRET_KEY": secret_key,
        "ANXIN_BIND": f"127.0.0.1:{port}",
        "ANXIN_STATIC_ROOT": str(folder / "static"),
        "ANXIN_STATIC_MANIFEST": "1",
        "ANXIN_SANDBOX_DUPLICATE_RATE": "0",
        "ANXIN_SANDBOX_MAX_DELAY_SECONDS": "0",
        "PROMETHEUS_MULTIPROC_DIR": str(folder / "prometheus"),
    }
    if web_workers:
        env["ANXIN_WEB_WORKERS"] = str(web_workers)
    anxin = [sys.executable, "-m", "anxin"]
    log("collecting the static files (anxin collectstatic) into a temporary folder")
    subprocess.run([*anxin, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    # As compose.yaml runs them: the server, two task workers, the sequencer.
    worker = [*anxin, "db_worker", "--queue-name", "*", "--interval", "1", "--no-reload"]
    commands = {
        "server": [*anxin, "serve"],
        "worker-1": worker,
        "worker-2": worker,
        "sequencer": [*anxin, "evidence", "sequence", "--interval", "0.5"],
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name, cmd in commands.items():
            out = open(folder / f"{name}.log", "wb")
            procs.append(subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT))
            out.close()
        url = f"http://127.0.0.1:{port}"
        log(f"anxin serve on {url}, two task workers and the sequencer: waiting for /health/")
        _wait_healthy(f"{url}/health/", procs, 90)
        yield url
    except BaseException:
        for name in commands:
            with suppress(OSError):
                tail = (folder / f"{name}.log").read_text(errors="replace")[-2000:]
                log(f"--- {name}.log (end) ---\n{tail}")
        raise
    finally:
        _stop(procs)


def _read_stats(path: Path) -> dict[str, dict[str, Any]]:
    """Locust's per-request statistics (its _stats.csv), by request name."""
    rows: dict[str, dict[str, Any]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue

            def num(key: str, row: dict[str, str] = row) -> float:
                raw = row.get(key) or "0"
                return float(raw) if raw != "N/A" else 0.0

            rows[row["Name"]] = {
                "type": row["Type"],
                "requests": num("Request Count"),
                "failures": num("Failure Count"),
                "rps": num("Requests/s"),
                "p50_ms": num("50%"),
                "p95_ms": num("95%"),
                "p99_ms": num("99%"),
            }
    return rows


def _failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return [f"{r['Name']}: {r['Error']} ({r['Occurrences']}×)" for r in csv.DictReader(f)]


def load_step(
    url: str,
    config: Path,
    folder: Path,
    *,
    users: int,
    seconds: int,
    spawn_rate: float,
    first_buyer: int = 0,
) -> dict[str, Any]:
    """One step: `users` sessions for `seconds` once all have started; its statistics. Its
    buyers are the world's from `first_buyer` on: each step (a locust process of its own) has
    people of its own, so none carries an earlier step's complaints into the product's daily
    limit."""
    prefix = folder / f"step-{users}"
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        url,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds + users / spawn_rate:.0f}s",
        "--reset-stats",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    env = {
        **os.environ,
        "ANXIN_BENCH_HTTP_CONFIG": str(config),
        "ANXIN_BENCH_HTTP_FIRST_BUYER": str(first_buyer),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    stats_csv = Path(f"{prefix}_stats.csv")
    if out.returncode != 0 or not stats_csv.exists():
        raise RuntimeError(f"locust failed ({out.returncode}):\n{out.stderr[-3000:]}")
    rows = _read_stats(stats_csv)
    # Not pages: the lifecycles counted and a session's unexpected errors (failures, below).
    pages = {
        name: {k: v for k, v in r.items() if k != "type"}
        for name, r in rows.items()
        if r["type"] not in ("LIFECYCLE", "ERROR")
    }
    done = rows.get(LIFECYCLE, {"requests": 0.0, "rps": 0.0})
    return {
        "users": users,
        "pages": pages,
        "lifecycles": int(done["requests"]),
        "lifecycles_per_s": done["rps"],
        "failures": int(sum(r["failures"] for r in rows.values())),
        "errors": _failures(Path(f"{prefix}_failures.csv")),
    }


def passes(step: dict[str, Any], p95_limit: float) -> bool:
    return step["failures"] == 0 and all(r["p95_ms"] < p95_limit for r in step["pages"].values())


def _table(step: dict[str, Any], log: Log) -> None:
    log(f"  {'page':<22}{'requests':>9}{'rps':>8}{'p50':>7}{'p95':>7}{'p99':>7}  ms")
    for name, r in sorted(step["pages"].items()):
        log(
            f"  {name:<22}{r['requests']:>9.0f}{r['rps']:>8.1f}{r['p50_ms']:>7.0f}"
            f"{r['p95_ms']:>7.0f}{r['p99_ms']:>7.0f}"
            + (f"  {r['failures']:.0f} failed" if r["failures"] else "")
        )


def run(
    *,
    start_users: int,
    max_users: int,
    step_seconds: int,
    spawn_rate: float,
    sellers: int,
    lifecycles: int,
    clients: int,
    p95_ms: float,
    web_workers: int,
    warmup_seconds: int,
    log: Log,
) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from anxin.bench import checkout

    if connection.vendor != "postgresql":
        raise RuntimeError(
            "bench http measures PostgreSQL: set DATABASE_URL "
            "(or run `make bench BENCH=http`, which starts a throwaway server)"
        )
    call_command("migrate", "--noinput", "-v0")
    plan = steps(start_users, max_users)
    # Each step's sessions are people of their own (the warm-up's too).
    offsets, buyers = first_buyers(plan, bool(warmup_seconds))
    log(f"building the world: {sellers} sellers, {buyers} buyers, an operator")
    # A fresh key for this run's server; the sessions made here are signed with it.
    secret_key = secrets.token_urlsafe(50)
    config = world(sellers=sellers, buyers=buyers, stock=1_000_000, secret_key=secret_key)
    connection.close()  # the server's processes use their own connections
    done: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="anxin-bench-http-") as tmp:
        folder = Path(tmp)
        (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        with production(folder, log, web_workers, secret_key) as url:
            if warmup_seconds:
                # Each gunicorn worker's first requests load templates, translations and the
                # URL patterns: not what the steps measure.
                log(f"warming up: {plan[0]} users, {warmup_seconds} s (not reported)")
                (folder / "warmup").mkdir()
                load_step(
                    url,
                    folder / "config.json",
                    folder / "warmup",
                    users=plan[0],
                    seconds=warmup_seconds,
                    spawn_rate=spawn_rate,
                )
            for users, first in zip(plan, offsets, strict=True):
                log(f"step: {users} users, {step_seconds} s after all have started")
                step = load_step(
                    url,
                    folder / "config.json",
                    folder,
                    users=users,
                    seconds=step_seconds,
                    spawn_rate=spawn_rate,
                    first_buyer=first,
                )
                done.append(step)
                _table(step, log)
                log(
                    f"  {step['lifecycles']} lifecycles, {step['lifecycles_per_s']:.2f}/s; "
                    f"{step['failures']} failed requests"
                )
                for e in step["errors"][:10]:
                    log(f"  failed: {e}")
                if not passes(step, p95_ms):
                    log(f"  a page's p95 reached {p95_ms:g} ms or a request failed: stop")
                    break
    # The service layer after the load, once the server's processes have stopped: the checkout
    # bench's own function. (Before, its orders' queued tasks would hold up the worker that
    # delivers the HTTP sessions' payment notifications, and its orders would weigh on the
    # pages that read the whole history.)
    service = checkout.service_rate(lifecycles=lifecycles, clients=clients, log=log)
    log(
        f"service layer: {service['lifecycles_per_s']:.1f} lifecycles/s "
        f"({service['failed']} failed)"
    )
    passing = [s for s in done if passes(s, p95_ms)]
    best = passing[-1] if passing else None
    http_rate = best["lifecycles_per_s"] if best else 0.0
    ratio = http_rate / service["lifecycles_per_s"] if service["lifecycles_per_s"] else 0.0
    worst = max(best["pages"].items(), key=lambda kv: kv[1]["p95_ms"])[0] if best else None
    if best:
        log(
            f"highest load with every page's p95 under {p95_ms:g} ms and no error: "
            f"{best['users']} users"
        )
        _table(best, log)
        log(f"  worst p95: {worst}")
    else:
        log(f"no step kept every page's p95 under {p95_ms:g} ms without an error")
    log(
        f"lifecycles/s: HTTP {http_rate:.2f}, service layer {service['lifecycles_per_s']:.2f}: "
        f"ratio {ratio:.3f} (target >= {TARGET_RATIO})"
    )
    r2 = lambda x: round(x, 2)  # noqa: E731
    return {
        "bench": "http",
        "figures": {
            "p95_limit_ms": p95_ms,
            "steps": [
                {
                    "users": s["users"],
                    "lifecycles_per_s": r2(s["lifecycles_per_s"]),
                    "failures": s["failures"],
                    "worst_p95_ms": max((r["p95_ms"] for r in s["pages"].values()), default=0),
                    "passed": passes(s, p95_ms),
                }
                for s in done
            ],
            "users": best["users"] if best else 0,
            "pages": {
                name: {k: r2(v) if k in ("rps",) else v for k, v in r.items()}
                for name, r in (best["pages"].items() if best else [])
            },
            "worst_page": worst,
            # The step that ended the climb, to see why (None: every step passed).
            "stopped_at": (
                {
                    "users": done[-1]["users"],
                    "pages": done[-1]["pages"],
                    "errors": done[-1]["errors"],
                }
                if done and not passes(done[-1], p95_ms)
                else None
            ),
            "failed_requests": best["failures"] if best else None,
            "http_lifecycles_per_s": r2(http_rate),
            "service_lifecycles_per_s": r2(service["lifecycles_per_s"]),
            "service_failed_lifecycles": service["failed"],
            "ratio": round(ratio, 3),
        },
        "targets": {
            "passing_step": "a step with every page's p95 under the limit and no error",
            "ratio": f">= {TARGET_RATIO}",
        },
        "met": {
            "passing_step": best is not None,
            "ratio": best is not None and ratio >= TARGET_RATIO,
        },
    }
