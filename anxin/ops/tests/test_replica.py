"""Reads from a streaming replica, tried on this machine (docs/SCALING.md): a hot standby of
the tests' PostgreSQL made with pg_basebackup, replaying the primary's WAL; `anxin serve` with
ANXIN_REPLICA_DATABASE_URL serves the public seller page from it (a change on the primary shows
only once the standby has replayed it), and from the primary when the standby is gone."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from anxin.ops.tests.test_stack import _free_port, _get, database, stack_env  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOST = "anxin.example.com"
PROXY = {"Host": HOST, "X-Forwarded-Proto": "https"}

SEED = """
from anxin.accounts.models import Role
from anxin.accounts.services import user_signup
from anxin.bench import synthetic
seller = user_signup(username="replica-seller", password="replica-pass-2026", role=Role.SELLER,
                     display_name="旧店名茶舍", shop_name="旧店名茶舍", wechat_id="wx_replica")
synthetic.verify(seller)
print(seller.pk)
"""


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: as scripts/with-postgres.sh does, run its programs
    as the postgres system user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@pytest.fixture
def standby(database: str) -> Iterator[tuple[str, str]]:  # noqa: F811
    """A hot standby of the tests' PostgreSQL cluster on a free port, streaming from it:
    yields (the standby's URL of `database`, its data folder)."""
    bindir = os.environ.get("ANXIN_PG_BINDIR", "")
    if not bindir:
        pytest.skip("needs the PostgreSQL programs: run under scripts/with-postgres.sh")
    primary = urlsplit(database)
    folder = Path(tempfile.mkdtemp(prefix="anxin-standby-"))
    folder.chmod(0o755)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = _free_port()
    run = [*_as_postgres()]
    # A hot standby needs at least the primary's limits (the primary may have been started
    # with them on its command line, which a base backup does not copy).
    limits = ("max_connections", "max_worker_processes", "max_locks_per_transaction")
    with psycopg.connect(database, autocommit=True) as conn:
        same = " ".join(f"-c {n}={conn.execute(f'SHOW {n}').fetchone()[0]}" for n in limits)
    source = ["-h", primary.hostname or "127.0.0.1", "-p", str(primary.port)]
    target = ["-U", primary.username or "anxin", "-D", str(data)]
    backup = subprocess.run(
        [*run, f"{bindir}/pg_basebackup", *source, *target, "-R", "-X", "stream", "-c", "fast"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert backup.returncode == 0, backup.stderr
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c hot_standby=on {same}"
    logged = ["-D", str(data), "-l", str(folder / "standby.log")]
    start = subprocess.run(
        [*run, f"{bindir}/pg_ctl", *logged, "-w", "-o", options, "start"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert start.returncode == 0, (folder / "standby.log").read_text()
    try:
        yield f"postgres://{primary.username}@127.0.0.1:{port}{primary.path}", str(data)
    finally:
        subprocess.run(
            [*run, f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _shop_name(url: str, seller_id: int) -> str | None:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shop_name FROM accounts_sellerprofile WHERE user_id = %s", [seller_id]
        ).fetchone()
    return row[0] if row else None


def _until(check, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_the_public_seller_page_is_read_from_the_replica_and_from_the_primary_without_it(
    database,  # noqa: F811
    tmp_path,
    request,
) -> None:
    # Given a migrated database on the primary with a verified seller "旧店名茶舍"
    env = stack_env(database, tmp_path)

    def anxin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "anxin", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    for step in (("collectstatic", "--noinput", "-v0"), ("migrate", "--noinput", "-v0")):
        done = anxin(*step)
        assert done.returncode == 0, done.stderr
    seeded = anxin("shell", "--no-imports", "-c", SEED)
    assert seeded.returncode == 0, seeded.stderr
    seller_id = int(seeded.stdout.strip().splitlines()[-1])
    # And a hot standby of the primary that has replayed it
    replica, _ = request.getfixturevalue("standby")
    assert _until(lambda: _shop_name(replica, seller_id) == "旧店名茶舍")
    # And the standby's replay paused, while the seller renames its shop on the primary
    with psycopg.connect(replica, autocommit=True) as conn:
        conn.execute("SELECT pg_wal_replay_pause()")
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(
            "UPDATE accounts_sellerprofile SET shop_name = '新店名茶舍' WHERE user_id = %s",
            [seller_id],
        )
    assert _shop_name(replica, seller_id) == "旧店名茶舍"
    # And the production server, told of the replica
    port = _free_port()
    server_env = env | {"ANXIN_BIND": f"127.0.0.1:{port}", "ANXIN_REPLICA_DATABASE_URL": replica}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["anxin", "serve"],
            env=server_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def healthy() -> bool:
            assert server.poll() is None, log.read_text()
            try:
                return _get(port, "/health/")[0] == 200
            except OSError:
                return False

        assert _until(healthy, 120), log.read_text()
        page = f"/s/{seller_id}"
        # When a visitor opens the seller's public page
        status, _, body = _get(port, page, PROXY)
        # Then it is read from the replica: the name the replica has replayed so far
        assert status == 200, body[:500]
        assert "旧店名茶舍" in body.decode()
        assert "新店名茶舍" not in body.decode()
        # When the standby replays the rest of the primary's log
        with psycopg.connect(replica, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")
        assert _until(lambda: _shop_name(replica, seller_id) == "新店名茶舍")
        status, _, body = _get(port, page, PROXY)
        # Then the page shows the new name
        assert status == 200
        assert "新店名茶舍" in body.decode()
        # When the standby is gone (stopped at once, as a crashed machine would be)
        pg_ctl = f"{os.environ['ANXIN_PG_BINDIR']}/pg_ctl"
        data = request.getfixturevalue("standby")[1]
        subprocess.run(
            [*_as_postgres(), pg_ctl, "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        status, _, body = _get(port, page, PROXY)
        # Then the page is still served, read from the primary, and the server says why
        assert status == 200, body[:500]
        assert "新店名茶舍" in body.decode()
        assert "replica unavailable" in log.read_text()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
