"""The role matrix of the supervision pages: every form that changes something (a complaint's
actions, opening and running a mediation, referrals and their answers, typical cases, a
seller's reply beside its figures, the operator's organisations, a regulator's acts and data
requests), posted by every role that may not, is refused (the sign-in page for anyone signed
out, else the status the page gives) and changes nothing; and the rightful actor's same post
goes through, so no denial here passes by denying everyone. The world is the API matrix's
(test_role_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from anxin.supervision.tests.test_complaints import XIHU
from anxin.supervision.tests.test_role_matrix import (
    CONSUMERS,
    ROLES,
    Act,
    Scene,
    only,
    png,
    scene,  # noqa: F401
    snapshot,
)

pytestmark = pytest.mark.django_db


def _complaint_form() -> dict[str, str]:
    return {
        "seller_name": "小美美妆",
        "seller_wechat": "wx_xiaomei",
        "seller_platform": "微信朋友圈",
        "seller_region": XIHU,
        "complainant_name": "李娜",
        "complainant_address": "杭州市西湖区文三路 2 号",
        "request": "退还货款 268 元",
        "facts": "收到的面霜是假货。",
        "paid": "268",
        "knew_at": timezone.localdate().isoformat(),
    }


def _complaint_act(action: str) -> Callable[[Any, Scene], Any]:
    def call(c: Any, s: Scene) -> Any:
        return c.post(
            f"/complaints/{s.waiting.number}/{action}", {"ground": "not_consumer", "note": "x"}
        )

    return call


def _day() -> str:
    return timezone.localdate().isoformat()


PAGE_ACTS = [
    Act(
        "complaint_new",
        "POST complaints/new",
        lambda c, s: c.post("/complaints/new", _complaint_form()),
        CONSUMERS,
        "other_buyer",
        # The form shows why it cannot be filed ("staff do not file complaints here").
        status=422,
    ),
    *(
        Act(
            f"complaint_{action}",
            "POST complaints/<str:number>/<str:action>",
            _complaint_act(action),
            only(who),
            who,
        )
        for action, who in (
            ("admit", "regulator"),
            ("refuse", "regulator"),
            ("withdraw", "complainant"),
        )
    ),
    Act(
        "mediation_start_complaint",
        "POST mediations/start",
        lambda c, s: c.post("/mediations/start", {"complaint": s.waiting.number}),
        only("complainant"),
        "complainant",
    ),
    Act(
        "mediation_start_case",
        "POST mediations/start",
        lambda c, s: c.post("/mediations/start", {"case": s.case}),
        only("complainant"),
        "complainant",
    ),
    Act(
        "mediation_start_entrust",
        "POST mediations/start",
        lambda c, s: c.post(
            "/mediations/start", {"entrust": s.admitted.number, "parties_agree": "1"}
        ),
        only("regulator"),
        "regulator",
    ),
    Act(
        "mediation_testing_start",
        "POST mediations/<str:number>/<str:action>",
        lambda c, s: c.post(f"/mediations/{s.running.number}/testing-start", {"note": "送检"}),
        only("association"),
        "association",
    ),
    Act(
        "mediation_testing_end",
        "POST mediations/<str:number>/<str:action>",
        lambda c, s: c.post(f"/mediations/{s.testing.number}/testing-end"),
        only("association"),
        "association",
    ),
    Act(
        "mediation_agreed",
        "POST mediations/<str:number>/<str:action>",
        lambda c, s: c.post(
            f"/mediations/{s.running.number}/agreed", {"text": "退款 268 元", "settled": "268"}
        ),
        only("association"),
        "association",
    ),
    Act(
        "mediation_failed",
        "POST mediations/<str:number>/<str:action>",
        lambda c, s: c.post(f"/mediations/{s.running.number}/failed", {"text": "商家拒绝"}),
        only("association"),
        "association",
    ),
    Act(
        "mediation_package",
        "GET mediations/<str:number>/package/<str:route>",
        lambda c, s: c.get(f"/mediations/{s.failed.number}/package/regulator"),
        only("complainant", "association"),
        "association",
        changes=False,
    ),
    Act(
        "referral_new",
        "POST referrals/new",
        lambda c, s: c.post("/referrals/new", {"seller_name": "小美美妆", "text": "多起投诉"}),
        # Any association's staff refer to their own region's regulator.
        only("association", "other_association"),
        "association",
    ),
    Act(
        "referral_answer",
        "POST referrals/<str:number>",
        lambda c, s: c.post(f"/referrals/{s.referral.number}", {"answer": "已立案"}),
        only("regulator"),
        "regulator",
    ),
    Act(
        "typical_case_new",
        "POST typical-cases/new",
        lambda c, s: c.post(
            "/typical-cases/new",
            {
                "mediation": s.running.number,
                "title": "网购面霜退款",
                "summary": "消费者买到假面霜，经调解退款。",
                "lesson": "保留聊天记录。",
            },
        ),
        only("association"),
        "association",
    ),
    Act(
        "figures_reply",
        "POST figures/reply",
        lambda c, s: c.post("/figures/reply", {"text": "我们已改进包装。"}),
        # Each seller replies beside its own figures, and no one else does.
        only("seller", "other_seller"),
        "seller",
        status=403,
    ),
    Act(
        "organisation_create",
        "POST desk/organisations",
        lambda c, s: c.post(
            "/desk/organisations", {"kind": "regulator", "name": "滨江区", "region": "330108"}
        ),
        only("operator"),
        "operator",
    ),
    Act(
        "organisation_staff_add",
        "POST desk/organisations",
        lambda c, s: c.post(
            "/desk/organisations",
            {
                "form": "staff",
                "organisation": str(s.association_org.pk),
                "username": "lone-mediator",
            },
        ),
        only("operator"),
        "operator",
    ),
    Act(
        "organisation_staff_remove",
        "POST desk/organisations",
        lambda c, s: c.post("/desk/organisations", {"form": "remove", "staff": str(s.leaving.pk)}),
        only("operator"),
        "operator",
    ),
    Act(
        "regulator_action_new",
        "POST supervision/actions/new",
        lambda c, s: c.post(
            "/supervision/actions/new",
            {"kind": "warning", "seller_id": str(s.penalty.seller_id), "summary": "警告"},
        ),
        only("regulator"),
        "regulator",
    ),
    Act(
        "regulator_action_publish",
        "POST supervision/actions/<str:number>/<str:action>",
        lambda c, s: c.post(f"/supervision/actions/{s.penalty.number}/publish"),
        only("regulator"),
        "regulator",
    ),
    Act(
        "regulator_action_answer",
        "POST supervision/actions/<str:number>/<str:action>",
        lambda c, s: c.post(
            f"/supervision/actions/{s.correction.number}/answer",
            {"note": "已改正", "evidence": png()},
        ),
        only("seller"),
        "seller",
    ),
    Act(
        "data_request_new",
        "POST supervision/data-requests/new",
        lambda c, s: c.post(
            "/supervision/data-requests/new",
            {
                "seller_id": str(s.penalty.seller_id),
                "purpose": "调查",
                "period_from": _day(),
                "period_to": _day(),
            },
        ),
        only("regulator"),
        "regulator",
    ),
    Act(
        "data_request_answer",
        "POST supervision/data-requests/<str:number>/answer",
        lambda c, s: c.post(f"/supervision/data-requests/{s.request.number}/answer"),
        only("operator"),
        "operator",
    ),
]


def test_the_matrix_names_every_page_that_takes_a_post() -> None:
    # Given the supervision pages that take a POST (each one a form, its own action)
    from anxin.supervision.urls import urlpatterns

    posted = {
        "complaint_new",
        "complaint_act",
        "organisations",
        "mediation_start",
        "mediation_act",
        "referral_new",
        "referral",
        "typical_case_new",
        "figures_reply",
        "regulator_action_new",
        "regulator_action_act",
        "data_request_new",
        "data_request_answer",
    }
    routes = {str(p.pattern): p.name for p in urlpatterns}
    # When the matrix is laid beside them
    tried = {routes[a.route.split(" ", 1)[1]] for a in PAGE_ACTS if a.route.startswith("POST")}
    # Then every one of them is tried
    assert tried == posted


def signed_in(user: Any) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def _refused(response: Any, act: Act, role: str) -> None:
    if role == "anonymous":
        # Signed out: the sign-in page, to come back after
        assert response.status_code == 302, (act.name, response.status_code)
        assert response["Location"].startswith(reverse("web:login") + "?next="), act.name
    else:
        assert response.status_code == act.status, (act.name, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_action_by_a_role_that_may_not_changes_anything(
    role: str,
    scene: Scene,  # noqa: F811
) -> None:
    # Given Xihu's world and someone in `role`, signed in (or not)
    client = signed_in(scene.users[role])
    tried = [a for a in PAGE_ACTS if role not in a.allowed]
    before = snapshot()
    # When they post every form they may not
    for act in tried:
        got = act.call(client, scene)
        # Then each is refused: the sign-in page, or the status the page gives
        _refused(got, act, role)
    # And nothing changed: no row of any supervision table, no record, no notice
    assert snapshot() == before
    scene.assert_untouched()
    assert tried


@pytest.mark.parametrize("act", PAGE_ACTS, ids=lambda a: a.name)
def test_the_rightful_actor_s_same_post_goes_through(act: Act, scene: Scene) -> None:  # noqa: F811
    # Given the same world, and the one the form is for, signed in
    client = signed_in(scene.users[act.rightful])
    before = snapshot()
    # When they post the same form
    got = act.call(client, scene)
    # Then it goes through (a redirect to what was done, or the download), and (but for a
    # download) something is written
    assert got.status_code == (200 if not act.changes else 302), (act.name, got.status_code)
    if act.changes:
        assert not got["Location"].startswith(reverse("web:login"))
    assert (snapshot() != before) is act.changes
