"""Child processes for the payouts' race and crash tests: separate OS processes with their
own database connections.

    python -m anxin.payouts.tests.procs race GO_FILE USERNAME ACCOUNT_ID AMOUNT KEY
    python -m anxin.payouts.tests.procs drive USERNAME ACCOUNT_ID AMOUNT KEY [KEY ...]

`race` prints "ready", waits for GO_FILE, asks for one payout and prints its outcome as JSON.
`drive` takes each withdrawal through its whole life, idempotently, from whatever state it is
in: requested, submitted, settled by the sandbox's bank (at once, not after its delay) and
notified. Run it again after a crash and it finishes the job.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    import django

    django.setup()


def race(go_file: str, username: str, account_id: str, amount: str, key: str) -> None:
    from anxin.accounts.models import User
    from anxin.core.errors import DomainError
    from anxin.payouts.services import payout_request

    actor = User.objects.get(username=username)
    print("ready", flush=True)
    go = Path(go_file)
    while not go.exists():
        time.sleep(0.001)
    try:
        p = payout_request(actor=actor, amount_fen=int(amount), account_id=int(account_id), key=key)
        print(json.dumps({"ok": True, "result": p.payout_key}), flush=True)
    except DomainError as e:
        print(json.dumps({"ok": False, "code": e.code}), flush=True)


def drive(username: str, account_id: str, amount: str, keys: list[str]) -> None:
    from anxin.accounts.models import User
    from anxin.core.worker import run_due_tasks
    from anxin.payments.models import SandboxNotification, SandboxPayout
    from anxin.payments.providers.sandbox import SandboxProvider
    from anxin.payouts.models import Payout
    from anxin.payouts.services import payout_request
    from anxin.payouts.submission import payout_submit

    actor = User.objects.get(username=username)
    provider = SandboxProvider()
    for key in keys:
        p = payout_request(actor=actor, amount_fen=int(amount), account_id=int(account_id), key=key)
        # The submission (the task queued with the payout, or a crash's leftover).
        payout_submit(payout_id=p.pk)
        # The bank answers now, and returns what it returns.
        for _ in range(2):
            for sp in SandboxPayout.objects.filter(payout_key=p.payout_key):
                provider.payout_settle(sp.pk)
            for row in SandboxNotification.objects.filter(delivered_at__isnull=True):
                provider.deliver(row.pk)
        run_due_tasks()
        print(f"payout {key} {Payout.objects.get(pk=p.pk).status}", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    _setup()
    if sys.argv[1] == "race":
        race(*sys.argv[2:7])
    elif sys.argv[1] == "drive":
        drive(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        raise SystemExit(f"unknown command {sys.argv[1]}")
