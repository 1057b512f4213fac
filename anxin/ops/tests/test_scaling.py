"""Beyond one machine, tried on one (docs/SCALING.md): two web servers (`anxin serve`) and two
task workers (`anxin db_worker`) against one PostgreSQL, with a sequencer and a standby. Buyers'
order lifecycles are spread across both servers (each step on the other server from the step
before), the payment's notification is delivered by whichever worker takes it; afterwards
every order is completed once, and the ledger and evidence audits pass."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from anxin.ops.tests.test_stack import _free_port, _get, database, stack_env  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOST = "anxin.example.com"
BUYERS = 6
ORDERS_EACH = 3

# Run by `anxin shell` in the new installation: a verified seller with a listing, buyers, and
# an API token for each, printed as JSON.
SEED = """
import json
from anxin.accounts.models import Role, SellerProfile
from anxin.accounts.services import api_token_create, user_signup
from anxin.bench import synthetic
from anxin.catalog.services import ListingContent, listing_create
seller = user_signup(username="scale-seller", password="scale-pass-2026", role=Role.SELLER,
                     display_name="两台机器茶舍", shop_name="两台机器茶舍", wechat_id="wx_scale")
SellerProfile.objects.filter(user=seller).update(return_address="杭州市西湖区文三路 1 号")
synthetic.verify(seller)
listing = listing_create(actor=seller, stock=1000, content=ListingContent(
    title="明前龙井", description="手工炒制", price_fen=1000, shipping_days=2))
buyers = [user_signup(username=f"scale-buyer-{i}", password="scale-pass-2026", role=Role.BUYER,
                      display_name=f"买家{i}", shop_name="", wechat_id=f"wx_b{i}")
          for i in range(%(buyers)d)]
print(json.dumps({
    "code": listing.code,
    "seller": api_token_create(user=seller)[1],
    "buyers": [api_token_create(user=b)[1] for b in buyers],
}))
"""


def _call(port: int, method: str, path: str, token: str, body: Any = None, **headers: str) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1{path}",
        data=data,
        method=method,
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            **headers,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raise AssertionError(f"{method} {path} on :{port}: {e.code} {e.read()[:300]!r}") from None


def test_two_servers_and_two_workers_share_one_database(database, tmp_path) -> None:  # noqa: F811
    # Given one PostgreSQL database, migrated, with a seller, a listing and buyers
    env = stack_env(database, tmp_path) | {
        "ANXIN_SANDBOX_DUPLICATE_RATE": "0",
        "ANXIN_SANDBOX_MAX_DELAY_SECONDS": "0",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "anxin", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    for step in (("collectstatic", "--noinput", "-v0"), ("migrate", "--noinput", "-v0")):
        done = run(*step)
        assert done.returncode == 0, done.stderr
    seeded = run("shell", "--no-imports", "-c", SEED % {"buyers": BUYERS})
    assert seeded.returncode == 0, seeded.stderr
    world = json.loads(seeded.stdout.strip().splitlines()[-1])
    # When two web servers, two workers, a sequencer and a standby sequencer start
    ports = [_free_port(), _free_port()]
    logs = tmp_path / "logs"
    logs.mkdir()
    commands = {
        "web-a": ["anxin", "serve"],
        "web-b": ["anxin", "serve"],
        "worker-a": ["anxin", "db_worker", "--queue-name", "*", "--interval", "0.2"],
        "worker-b": ["anxin", "db_worker", "--queue-name", "*", "--interval", "0.2"],
        "sequencer": ["anxin", "evidence", "sequence", "--interval", "0.2"],
        "standby": ["anxin", "evidence", "sequence", "--interval", "0.2"],
    }
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for name, cmd in commands.items():
        own = dict(env)
        if name.startswith("web"):
            own["ANXIN_BIND"] = f"127.0.0.1:{ports[name == 'web-b']}"
        with (logs / f"{name}.log").open("wb") as out:
            procs[name] = subprocess.Popen(
                cmd, env=own, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log(name: str) -> str:
        return (logs / f"{name}.log").read_text(errors="replace")

    try:
        for port in ports:
            until = time.monotonic() + 120
            status = 0
            while time.monotonic() < until and status != 200:
                for name, p in procs.items():
                    assert p.poll() is None, f"{name} exited {p.returncode}:\n{log(name)}"
                try:
                    status = _get(port, "/health/")[0]
                except OSError:
                    status = 0
                time.sleep(0.3)
            assert status == 200, log("web-a") + log("web-b")

        code = world["code"]

        def lifecycle(job: tuple[int, int]) -> str:
            """One buyer's order, each step on the other server from the one before."""
            b, k = job
            token = world["buyers"][b]
            first, second = ports[(b + k) % 2], ports[(b + k + 1) % 2]
            snap = _call(first, "GET", f"/checkout/{code}", token)["snapshot"]["id"]
            order = _call(
                second,
                "POST",
                "/orders",
                token,
                {
                    "listing_code": code,
                    "snapshot_id": snap,
                    "recipient_name": "张三",
                    "recipient_phone": "13900000000",
                    "shipping_address": "杭州西湖区",
                },
                **{"Idempotency-Key": f"scale-{b}-{k}-{uuid.uuid4().hex[:6]}"},
            )
            number = order["number"]
            payment = _call(first, "POST", f"/orders/{number}/pay", token)
            # The buyer pays at the sandbox (the payment network, outside Anxin): its
            # notification is queued for whichever worker takes it.
            paid = run(
                "shell",
                "--no-imports",
                "-c",
                "from anxin.payments.providers.sandbox import SandboxProvider; "
                f"SandboxProvider().buyer_pays({payment['provider_payment_id']!r})",
            )
            assert paid.returncode == 0, paid.stderr
            until = time.monotonic() + 60
            while _call(second, "GET", f"/orders/{number}", token)["status"] != "paid":
                assert time.monotonic() < until, f"{number} never paid"
                time.sleep(0.2)
            _call(
                first,
                "POST",
                f"/orders/{number}/ship",
                world["seller"],
                {"carrier": "顺丰速运", "tracking_number": f"SF{b:03d}{k:03d}0000001"},
            )
            done = _call(second, "POST", f"/orders/{number}/confirm", token)
            assert done["status"] == "completed"
            return str(number)

        jobs = [(b, k) for b in range(BUYERS) for k in range(ORDERS_EACH)]
        with ThreadPoolExecutor(max_workers=BUYERS) as pool:
            numbers = list(pool.map(lifecycle, jobs))
        # Then every lifecycle completed once, across both servers
        assert len(set(numbers)) == len(jobs)
        # And both servers and both workers did their share
        served = [
            sum('"status": 200' in line or '"status": 201' in line for line in log(w).splitlines())
            for w in ("web-a", "web-b")
        ]
        assert min(served) > 0, served
    finally:
        for p in procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
    # When the evidence is integrated and both audits run
    integrated = run("evidence", "sequence", "--once")
    assert integrated.returncode == 0, integrated.stderr
    ledger = run("ledger", "audit")
    evidence = run("evidence", "audit")
    # Then both pass, and every order is completed
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
    assert evidence.returncode == 0, evidence.stderr
    assert "audit OK" in evidence.stdout
    counted = run(
        "shell",
        "--no-imports",
        "-c",
        "from anxin.orders.models import Order; "
        "print(sorted(set(Order.objects.values_list('status', flat=True))), Order.objects.count())",
    )
    assert counted.stdout.strip().splitlines()[-1] == f"['completed'] {len(jobs)}"
    # And the tasks (the notifications, the timers) were run by both workers
    workers = run(
        "shell",
        "--no-imports",
        "-c",
        "from django_tasks_db.models import DBTaskResult; "
        "print(len({tuple(w)[-1] for w in DBTaskResult.objects.filter(status='SUCCESSFUL')"
        ".values_list('worker_ids', flat=True) if w}))",
    )
    assert int(workers.stdout.strip().splitlines()[-1]) >= 2, workers.stdout + workers.stderr
