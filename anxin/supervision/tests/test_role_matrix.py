"""The role matrix of the supervision API: every state-changing endpoint of the open complaint
channel and of the consumer association (api.py, mediation_api.py), tried by every role that
may not use it, is refused with the code's exact status and a problem body, and changes
nothing (every supervision table, the evidence log and the notices as they were); and the
rightful actor's same call succeeds, so no denial here passes by denying everyone. The
regulator's own endpoints have their matrix in test_regulator_api.py. The pages' matrix, on
the same world, is in test_role_matrix_pages.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from anxin.accounts.models import Role, SellerProfile, User
from anxin.api.errors import PROBLEM_TYPE
from anxin.conftest import Api, make_user, shipped
from anxin.disputes.services import dispute_file
from anxin.evidence.models import Record
from anxin.notices.models import Notification
from anxin.reputation.models import BlacklistEntry
from anxin.supervision import mediation, services
from anxin.supervision import regulator as reg
from anxin.supervision.models import (
    Complaint,
    ComplaintFile,
    ComplaintStatus,
    Organisation,
    OrgKind,
    OrgStaff,
    SellerReply,
)
from anxin.supervision.models_association import (
    Mediation,
    MediationStatus,
    Referral,
    TypicalCase,
)
from anxin.supervision.models_regulator import (
    ActionStatus,
    CorrectionFile,
    DataRequest,
    EarlyWarning,
    RegulatorAction,
    RequestStatus,
)
from anxin.supervision.tests.test_complaints import XIHU, materials
from anxin.supervision.tests.test_correction_files import PNG

pytestmark = pytest.mark.django_db

SHANGCHENG = "330102"  # another district of Hangzhou: its offices cover nothing in Xihu

# Every role there is to try: the complainant (a buyer), another buyer, the seller the
# complaint is about, another seller, a mediator of no organisation, the staff of Xihu's
# association and regulator (each the rightful actor of some acts, and of no other), the staff
# of Shangcheng's association and regulator, a regulator-role account of no office, the
# platform's operator, and the desk's adjudicator.
ROLES = [
    "anonymous",
    "complainant",
    "other_buyer",
    "seller",
    "other_seller",
    "mediator",
    "association",
    "other_association",
    "regulator",
    "other_regulator",
    "regulator_no_office",
    "operator",
    "adjudicator",
]

MODELS: list[Any] = [
    Organisation,
    OrgStaff,
    Complaint,
    ComplaintFile,
    Mediation,
    Referral,
    TypicalCase,
    RegulatorAction,
    CorrectionFile,
    DataRequest,
    EarlyWarning,
    SellerReply,
]


def snapshot() -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Every row of every supervision table, and how many evidence records, notices and
    blacklist entries there are."""
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}
    counts = {m.__name__: m.objects.count() for m in (Record, Notification, BlacklistEntry)}
    return rows, counts


def _staff(kind: str, region: str, username: str) -> User:
    org = Organisation.objects.get_or_create(kind=kind, region=region, defaults={"name": username})
    person = make_user(username, Role.REGULATOR if kind == OrgKind.REGULATOR else Role.MEDIATOR)
    OrgStaff.objects.create(user=person, organisation=org[0])
    return person


@dataclass
class Scene:
    """Xihu's world: a seller there, complaints about it at every stage, mediations running,
    paused for testing and failed, a desk case, a referral waiting for its answer, a penalty
    to publish, an order to correct, a data request; and someone in every role."""

    users: dict[str, User | None]
    waiting: Complaint  # received, not yet decided, not in mediation
    admitted: Complaint  # accepted by Xihu's regulator, not in mediation
    running: Mediation
    testing: Mediation
    failed: Mediation
    case: str  # a desk case of the complainant's about the seller
    referral: Referral
    penalty: RegulatorAction
    correction: RegulatorAction
    request: DataRequest
    association_org: Organisation
    leaving: OrgStaff  # Shangcheng association's staff membership, for the operator to end
    numbers: dict[str, str] = field(default_factory=dict)

    def assert_untouched(self) -> None:
        """Each object's status as the scene made it."""
        for obj in (self.waiting, self.admitted, self.running, self.testing, self.failed):
            obj.refresh_from_db()
        for obj2 in (self.referral, self.penalty, self.correction, self.request):
            obj2.refresh_from_db()
        assert self.waiting.status == ComplaintStatus.RECEIVED
        assert self.admitted.status == ComplaintStatus.ADMITTED
        assert self.running.status == MediationStatus.OPEN
        assert self.testing.status == MediationStatus.TESTING
        assert self.failed.status == MediationStatus.FAILED
        assert self.referral.answered_at is None
        assert self.penalty.published_at is None
        assert self.correction.status == ActionStatus.OPEN
        assert self.request.status == RequestStatus.OPEN
        assert OrgStaff.objects.filter(pk=self.leaving.pk).exists()


@pytest.fixture
def scene(
    buyer: User,
    other_buyer: User,
    seller: User,
    other_seller: User,
    operator: User,
    listing: Any,
    settings: Any,
) -> Scene:
    settings.ANXIN_PLATFORM_REGION = XIHU
    SellerProfile.objects.filter(user=seller).update(address_region=XIHU)
    regulator = _staff(OrgKind.REGULATOR, XIHU, "xihu-regulator")
    association = _staff(OrgKind.ASSOCIATION, XIHU, "xihu-association")
    users: dict[str, User | None] = {
        "anonymous": None,
        "complainant": buyer,
        "other_buyer": other_buyer,
        "seller": seller,
        "other_seller": other_seller,
        "mediator": make_user("lone-mediator", Role.MEDIATOR),
        "association": association,
        "other_association": _staff(OrgKind.ASSOCIATION, SHANGCHENG, "sc-association"),
        "regulator": regulator,
        "other_regulator": _staff(OrgKind.REGULATOR, SHANGCHENG, "sc-regulator"),
        "regulator_no_office": make_user("lone-regulator", Role.REGULATOR),
        "operator": operator,
        "adjudicator": make_user("adjudicator", Role.ADJUDICATOR),
    }
    # Everyone has a verified number: a refusal is for the role, never for a missing number.
    for n, role in enumerate(ROLES[1:]):
        who = users[role]
        assert who is not None
        who.phone = f"1390000{n:04d}"
        who.save(update_fields=["phone"])
    about = services.SellerNamed(seller_id=seller.pk)

    def complaint() -> Complaint:
        return services.complaint_file(actor=buyer, seller=about, materials=materials())

    waiting, admitted = complaint(), complaint()
    services.complaint_admit(actor=regulator, number=admitted.number)
    running = mediation.mediation_ask(actor=buyer, complaint_number=complaint().number)
    testing = mediation.mediation_ask(actor=buyer, complaint_number=complaint().number)
    mediation.mediation_testing(actor=association, number=testing.number, start=True)
    failed = mediation.mediation_ask(actor=buyer, complaint_number=complaint().number)
    mediation.mediation_end(actor=association, number=failed.number, agreed=False, text="拒绝")
    order = shipped(buyer, seller, listing)
    case = dispute_file(
        actor=buyer,
        number=order.number,
        category="quality_defect",
        claim="茶叶发霉。",
        claimed_fen=order.amount_fen,
    ).number
    referral = mediation.referral_make(
        actor=association, seller_name="小美美妆", text="多起投诉", cases=[]
    )
    whom = reg.Target(seller_id=seller.pk)
    today = timezone.localdate()
    penalty = reg.penalty_decide(
        actor=regulator,
        target=whom,
        summary="虚假宣传",
        terms=reg.PenaltyTerms("crpl_56", today, 0, 1000),
    )
    correction = reg.action_record(
        actor=regulator, target=whom, kind="correction", summary="改正", correct_days=5
    )
    request = reg.data_request_make(
        actor=regulator, seller_id=seller.pk, purpose="调查", period_from=today, period_to=today
    )
    return Scene(
        users=users,
        waiting=Complaint.objects.get(pk=waiting.pk),
        admitted=Complaint.objects.get(pk=admitted.pk),
        running=running,
        testing=Mediation.objects.get(pk=testing.pk),
        failed=Mediation.objects.get(pk=failed.pk),
        case=case,
        referral=referral,
        penalty=penalty,
        correction=correction,
        request=request,
        association_org=Organisation.objects.get(kind=OrgKind.ASSOCIATION, region=XIHU),
        leaving=OrgStaff.objects.get(user=users["other_association"]),
    )


def png() -> SimpleUploadedFile:
    return SimpleUploadedFile("page.png", PNG, "image/png")


@dataclass(frozen=True)
class Act:
    """One action: how to make it, who may (`allowed`, never tried as a denial), who shows it
    works (`rightful`), and how everyone else is refused (`status`, `code`)."""

    name: str
    route: str  # its method and path, as the router has it
    call: Callable[[Any, Scene], Any]
    allowed: frozenset[str]
    rightful: str
    status: int = 404
    code: str = "not_found"
    changes: bool = True  # False for a download, which must work but writes nothing


def only(*roles: str) -> frozenset[str]:
    return frozenset(roles)


CONSUMERS = only("complainant", "other_buyer", "seller", "other_seller")

COMPLAINT = {
    "seller_name": "小美美妆",
    "seller_wechat": "wx_xiaomei",
    "seller_platform": "微信朋友圈",
    "seller_region": XIHU,
    "complainant_name": "李娜",
    "complainant_address": "杭州市西湖区文三路 2 号",
    "request": "退还货款 268 元",
    "facts": "收到的面霜是假货。",
    "paid_fen": 26800,
}


def _complaint_body() -> dict[str, Any]:
    return {**COMPLAINT, "knew_at": timezone.localdate().isoformat()}


API_ACTS = [
    Act(
        "complaint_file",
        "POST /complaints",
        lambda api, s: api.post("/complaints", _complaint_body()),
        CONSUMERS,
        "other_buyer",
        status=403,
        code="not_a_consumer",
    ),
    Act(
        "complaint_admit",
        "POST /complaints/{number}/admit",
        lambda api, s: api.post(f"/complaints/{s.waiting.number}/admit"),
        only("regulator"),
        "regulator",
    ),
    Act(
        "complaint_refuse",
        "POST /complaints/{number}/refuse",
        lambda api, s: api.post(
            f"/complaints/{s.waiting.number}/refuse", {"ground": "not_consumer", "note": "x"}
        ),
        only("regulator"),
        "regulator",
    ),
    Act(
        "complaint_withdraw",
        "POST /complaints/{number}/withdraw",
        lambda api, s: api.post(f"/complaints/{s.waiting.number}/withdraw"),
        only("complainant"),
        "complainant",
    ),
    Act(
        "mediation_ask",
        "POST /mediations",
        lambda api, s: api.post("/mediations", {"complaint": s.waiting.number}),
        only("complainant"),
        "complainant",
    ),
    Act(
        "mediation_from_case",
        "POST /mediations",
        lambda api, s: api.post("/mediations", {"case": s.case}),
        only("complainant"),
        "complainant",
    ),
    Act(
        "mediation_entrust",
        "POST /mediations",
        lambda api, s: api.post(
            "/mediations", {"entrust": s.admitted.number, "parties_agree": True}
        ),
        only("regulator"),
        "regulator",
    ),
    Act(
        "mediation_testing_start",
        "POST /mediations/{number}/testing",
        lambda api, s: api.post(f"/mediations/{s.running.number}/testing", {"start": True}),
        only("association"),
        "association",
    ),
    Act(
        "mediation_testing_end",
        "POST /mediations/{number}/testing",
        lambda api, s: api.post(f"/mediations/{s.testing.number}/testing", {"start": False}),
        only("association"),
        "association",
    ),
    Act(
        "mediation_end",
        "POST /mediations/{number}/end",
        lambda api, s: api.post(
            f"/mediations/{s.running.number}/end",
            {"agreed": True, "text": "退款 268 元", "settled_fen": 26800},
        ),
        only("association"),
        "association",
    ),
    Act(
        "mediation_package",
        "GET /mediations/{number}/package/{route}",
        lambda api, s: api.get(f"/mediations/{s.failed.number}/package/court"),
        only("complainant", "association"),
        "complainant",
        changes=False,
    ),
    Act(
        "referral_make",
        "POST /referrals",
        lambda api, s: api.post("/referrals", {"seller_name": "小美美妆", "text": "多起投诉"}),
        # Any association's staff refer to their own region's regulator.
        only("association", "other_association"),
        "association",
        code="not_association_staff",
    ),
    Act(
        "referral_answer",
        "POST /referrals/{number}/answer",
        lambda api, s: api.post(f"/referrals/{s.referral.number}/answer", {"answer": "已立案"}),
        only("regulator"),
        "regulator",
    ),
]


def test_the_matrix_names_every_state_changing_endpoint() -> None:
    # Given the routes of the complaint and association routers
    from anxin.supervision.api import router as complaints
    from anxin.supervision.mediation_api import router as associations

    routes = {
        f"{method} {path}"
        for r in (complaints, associations)
        for path, op in r.path_operations.items()
        for o in op.operations
        for method in o.methods
        if method != "GET"
    }
    # When the matrix is laid beside them
    tried = {a.route for a in API_ACTS if not a.route.startswith("GET")}
    # Then every POST, PUT, PATCH and DELETE route is in it, and nothing else
    assert tried == routes


def refused(response: Any, act: Act, role: str) -> None:
    """An API act refused as the matrix expects: 401 without a token, else the act's status,
    as a problem with the act's code."""
    status, code = (401, "unauthorized") if role == "anonymous" else (act.status, act.code)
    assert response.status_code == status, (act.name, role, response.content)
    assert response["Content-Type"] == PROBLEM_TYPE, (act.name, role)
    assert response.json()["code"] == code, (act.name, role, response.content)


@pytest.mark.parametrize("role", ROLES)
def test_no_api_act_by_a_role_that_may_not_changes_anything(role: str, scene: Scene) -> None:
    # Given Xihu's world and someone in `role`, with a token (or none)
    api = Api(scene.users[role])
    tried = [a for a in API_ACTS if role not in a.allowed]
    before = snapshot()
    # When they try every act they may not make
    for act in tried:
        got = act.call(api, scene)
        # Then each is refused, with the status the code gives and a problem with its code
        refused(got, act, role)
    # And nothing changed: no row of any supervision table, no record, no notice
    assert snapshot() == before
    scene.assert_untouched()
    assert tried


@pytest.mark.parametrize("act", API_ACTS, ids=lambda a: a.name)
def test_the_rightful_actor_s_same_call_succeeds(act: Act, scene: Scene) -> None:
    # Given the same world, and the one the act is for
    api = Api(scene.users[act.rightful])
    before = snapshot()
    # When they make the same call
    got = act.call(api, scene)
    # Then it succeeds, and (but for a download) something is written
    assert got.status_code in (200, 201), got.content
    assert (snapshot() != before) is act.changes
