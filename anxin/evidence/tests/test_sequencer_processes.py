"""Real processes: a sequencer killed mid-batch loses nothing, and two sequencers running at
once never hand out one index twice."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import transaction

from anxin.conftest import child_env
from anxin.evidence import keys, spans
from anxin.evidence import services as evidence
from anxin.evidence.audit import audit
from anxin.evidence.models import Pending, Record, Span

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SEQUENCE = [sys.executable, "-m", "anxin", "evidence", "sequence", "--once"]


def _pending(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            evidence.append(chain=f"test:{i % 7}", kind="test.note", body={"n": i})


def test_a_sequencer_killed_mid_batch_loses_nothing() -> None:
    # Given 300 pending records
    _pending(300)
    # When a sequencer process is killed right after assigning their indexes
    env = {**child_env(), "ANXIN_CRASH_AT": "sequencer.after_assign"}
    out = subprocess.run(SEQUENCE, env=env, capture_output=True, text=True, timeout=120)
    # Then it died by SIGKILL and all 300 records are still pending: the batch rolled back whole
    assert out.returncode == -9, out.stderr
    assert Pending.objects.count() == 300  # rolled back whole
    assert not Span.objects.exists()
    # When 5 more records arrive and a sequencer runs again
    _pending(5)  # evidence keeps arriving meanwhile
    out = subprocess.run(SEQUENCE, env=child_env(), capture_output=True, text=True, timeout=120)
    # Then it integrates all 305 and the audit finds the log sound
    assert out.returncode == 0, out.stderr
    assert "integrated 305 records" in out.stdout
    rep = audit(keys.log_verifier())
    assert rep.ok, rep.problems
    assert rep.entries == 305


def test_two_sequencers_at_once_assign_each_index_once() -> None:
    # Given 3000 pending records
    _pending(3000)
    # When two sequencer processes run at once in batches of 97
    env = {**child_env(), "ANXIN_SEQUENCER_BATCH": "97"}
    procs = [
        subprocess.Popen(
            SEQUENCE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    # Then both succeed, between them integrating all 3000
    counts = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        counts.append(int(out.split()[1]))
    assert sum(counts) == 3000
    # And every index from 0 to 2999 is assigned exactly once
    where = spans.index_of(Record.objects.values_list("id", flat=True))
    assert sorted(where.values()) == list(range(3000))
    assert not Pending.objects.exists()
    # And the audit finds the log sound, with a checkpoint per batch
    rep = audit(keys.log_verifier())
    assert rep.ok, rep.problems
    assert rep.checkpoints >= 3000 // 97
