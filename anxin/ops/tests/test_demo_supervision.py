"""The demo gives the consumer association and the market regulator work in every state, and
the public statistics real figures to draw (issue: supervision's demo)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_the_demo_has_supervision_work_in_every_state(tmp_path, settings) -> None:
    from anxin.supervision import figures
    from anxin.supervision.models import (
        CaseSource,
        Complaint,
        ComplaintStatus,
        Organisation,
        OrgKind,
        PublicCase,
        SellerReply,
    )
    from anxin.supervision.models_association import (
        Mediation,
        MediationOrigin,
        MediationStatus,
        Referral,
        TypicalCase,
    )
    from anxin.supervision.models_regulator import (
        ActionKind,
        ActionStatus,
        DataRequest,
        EarlyWarning,
        RegulatorAction,
        RequestStatus,
    )

    # Given a fresh database, and media written to a temporary folder
    settings.MEDIA_ROOT = str(tmp_path)
    # When the demo is built
    call_command("demo", verbosity=0)
    # Then there is an association and a regulator, each with staff
    for kind in (OrgKind.ASSOCIATION, OrgKind.REGULATOR):
        org = Organisation.objects.filter(kind=kind).first()
        assert org is not None, kind
        assert org.staff.exists(), kind
    # And complaints to the regulator in every state
    assert set(Complaint.objects.values_list("status", flat=True)) == set(ComplaintStatus.values)
    # And mediations in every state, started every way the law allows
    assert set(Mediation.objects.values_list("status", flat=True)) == set(MediationStatus.values)
    assert set(Mediation.objects.values_list("origin", flat=True)) == set(MediationOrigin.values)
    # And referrals answered and waiting, and typical cases published
    referrals = Referral.objects.all()
    assert referrals.filter(answered_at__isnull=True).exists()
    assert referrals.filter(answered_at__isnull=False).exists()
    assert TypicalCase.objects.exists()
    # And every kind of regulator's act; orders to correct open, answered and defaulted;
    # penalties published and still to publish
    actions = RegulatorAction.objects.all()
    assert set(actions.values_list("kind", flat=True)) == set(ActionKind.values)
    corrections = actions.filter(kind=ActionKind.CORRECTION)
    assert {ActionStatus.OPEN, ActionStatus.CORRECTED, ActionStatus.DEFAULTED} <= set(
        corrections.values_list("status", flat=True)
    )
    assert corrections.filter(answer_files__isnull=False).exists()
    penalties = actions.filter(kind=ActionKind.PENALTY)
    assert penalties.filter(published_at__isnull=False).exists()
    assert penalties.filter(published_at__isnull=True).exists()
    # And data requests waiting and answered, and an early warning
    assert set(DataRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert EarlyWarning.objects.exists()
    # And a seller's public reply beside its figures
    assert SellerReply.objects.exists()
    # And the statistics have cases of both sources over more than one month to chart,
    # counted from the published records
    stats = figures.statistics()
    assert stats["total"]["filed"] == PublicCase.objects.count()
    sources = set(PublicCase.objects.values_list("source", flat=True))
    assert sources == set(CaseSource.values)
    assert len(stats["month"]) > 1
