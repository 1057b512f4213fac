"""The role matrix of the regulator's API (regulator_api.py) on the same world and roles as
test_role_matrix.py: every act of Xihu's office (about a seller or about a complaint, a
penalty and its publication, a referral to the blacklist, a data request), the seller's
answer to an order to correct (as JSON and with files), and the operator's answer to a data
request, tried by every role that may not, is refused with the code's exact status and problem
code and changes nothing; the rightful actor's same call succeeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from anxin.conftest import Api
from anxin.supervision.tests.test_role_matrix import (
    ROLES,
    Act,
    Scene,
    only,
    png,
    refused,
    scene,  # noqa: F401
    snapshot,
)

pytestmark = pytest.mark.django_db


def _day(days: int = 0) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _multipart(api: Api, path: str, data: dict[str, Any]) -> Any:
    """A multipart POST with the client's token, as a program uploading files sends it."""
    return api.client.post(f"/api/v1{path}", data, headers=api.headers)


OFFICE = only("regulator")

REGULATOR_ACTS = [
    Act(
        "interview",
        "POST /supervision/actions",
        lambda api, s: api.post(
            "/supervision/actions",
            {"kind": "interview", "seller_id": s.penalty.seller_id, "summary": "约谈"},
        ),
        OFFICE,
        "regulator",
    ),
    Act(
        "correction_about_a_complaint",
        "POST /supervision/actions",
        lambda api, s: api.post(
            "/supervision/actions",
            {
                "kind": "correction",
                "complaint": s.admitted.number,
                "summary": "改正",
                "correct_days": 5,
            },
        ),
        OFFICE,
        "regulator",
    ),
    Act(
        "penalty",
        "POST /supervision/penalties",
        lambda api, s: api.post(
            "/supervision/penalties",
            {
                "seller_id": s.penalty.seller_id,
                "summary": "虚假宣传",
                "offence": "crpl_56",
                "committed_at": _day(10),
                "fine_fen": 1000,
            },
        ),
        OFFICE,
        "regulator",
    ),
    Act(
        "referral_to_the_blacklist",
        "POST /supervision/referrals",
        lambda api, s: api.post(
            "/supervision/referrals",
            {"seller_id": s.penalty.seller_id, "summary": "屡次售假", "evidence": []},
        ),
        OFFICE,
        "regulator",
    ),
    Act(
        "penalty_publish",
        "POST /supervision/actions/{number}/publish",
        lambda api, s: api.post(f"/supervision/actions/{s.penalty.number}/publish"),
        OFFICE,
        "regulator",
    ),
    Act(
        "correction_answer",
        "POST /supervision/actions/{number}/answer",
        lambda api, s: api.post(
            f"/supervision/actions/{s.correction.number}/answer", {"note": "已改正"}
        ),
        only("seller"),
        "seller",
    ),
    Act(
        "correction_answer_with_files",
        "POST /supervision/actions/{number}/answer",
        lambda api, s: _multipart(
            api,
            f"/supervision/actions/{s.correction.number}/answer",
            {"note": "已改正", "evidence": png()},
        ),
        only("seller"),
        "seller",
    ),
    Act(
        "data_request",
        "POST /supervision/data-requests",
        lambda api, s: api.post(
            "/supervision/data-requests",
            {
                "seller_id": s.penalty.seller_id,
                "purpose": "调查",
                "period_from": _day(),
                "period_to": _day(),
            },
        ),
        OFFICE,
        "regulator",
    ),
    Act(
        "data_request_answer",
        "POST /supervision/data-requests/{number}/answer",
        lambda api, s: api.post(f"/supervision/data-requests/{s.request.number}/answer", {}),
        only("operator"),
        "operator",
    ),
]


def test_the_matrix_names_every_state_changing_endpoint_of_the_regulator() -> None:
    # Given the routes of the regulator's router
    from anxin.supervision.regulator_api import router

    routes = {
        f"{method} {path}"
        for path, op in router.path_operations.items()
        for o in op.operations
        for method in o.methods
        if method != "GET"
    }
    # When the matrix is laid beside them
    tried = {a.route for a in REGULATOR_ACTS}
    # Then every POST, PUT, PATCH and DELETE route is in it, and nothing else
    assert tried == routes


@pytest.mark.parametrize("role", ROLES)
def test_no_regulator_api_act_by_a_role_that_may_not_changes_anything(
    role: str,
    scene: Scene,  # noqa: F811
) -> None:
    # Given Xihu's world and someone in `role`, with a token (or none)
    api = Api(scene.users[role])
    tried = [a for a in REGULATOR_ACTS if role not in a.allowed]
    before = snapshot()
    # When they try every act they may not make
    for act in tried:
        got = act.call(api, scene)
        # Then each is refused, with the status the code gives and a problem with its code
        refused(got, act, role)
    # And nothing changed: no row of any supervision table, no record, no notice, no
    # blacklist entry
    assert snapshot() == before
    scene.assert_untouched()
    assert tried


@pytest.mark.parametrize("act", REGULATOR_ACTS, ids=lambda a: a.name)
def test_the_rightful_actor_s_same_regulator_call_succeeds(act: Act, scene: Scene) -> None:  # noqa: F811
    # Given the same world, and the one the act is for
    api = Api(scene.users[act.rightful])
    before = snapshot()
    # When they make the same call
    got = act.call(api, scene)
    # Then it succeeds, and something is written
    assert got.status_code in (200, 201), (act.name, got.content)
    assert snapshot() != before
