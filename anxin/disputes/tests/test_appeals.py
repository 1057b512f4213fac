"""Appeals: the panel drawn verifiably from users who never traded with the parties, its
deadline, and an appeal refused when too few can sit."""

from __future__ import annotations

import pytest

from anxin.conftest import deliver_all
from anxin.core.errors import Conflict, Forbidden, NotFound
from anxin.disputes import panel, services
from anxin.disputes.models import Outcome, Step
from anxin.disputes.tests.helpers import (
    books_balance,
    completed,
    decided,
    past,
    to_decision,
)
from anxin.ops.deadlines import deadlines_run

pytestmark = pytest.mark.django_db


def test_appeal_panel_is_drawn_verifiably_and_decides_by_majority(
    clock, buyer, seller, listing
) -> None:
    # Given a case the adjudicator decided with the price and 500 yuan of damages
    d, _, people = decided(clock, buyer, seller, listing)
    # When an adjudicator not on the case appeals
    # Then the case does not exist for her
    with pytest.raises(NotFound):  # not on the case: it does not exist for them
        services.dispute_appeal(actor=people["adj2"], number=d.number, reason="x")
    # When the seller appeals
    a = services.dispute_appeal(actor=seller, number=d.number, reason="鉴定机构不权威")
    # Then the buyer cannot appeal as well
    with pytest.raises(Conflict):
        services.dispute_appeal(actor=buyer, number=d.number, reason="再来一次")
    # And a panel of three is drawn without the first adjudicator, by a draw anyone can check
    # and a changed seed source would change
    assert a.body == "panel"
    assert len(a.members) == 3
    assert people["adj1"].pk not in a.members  # the first adjudicator does not sit
    assert panel.verify_draw(a)
    assert panel.draw(a.seed, a.pool, 3) == a.members
    tampered = {**a.seed_source, "appellant": buyer.pk}
    assert panel.seed_of(tampered) != a.seed
    from anxin.accounts.models import User

    members = [User.objects.get(pk=pk) for pk in a.members]
    # When the buyer votes
    # Then she is refused
    with pytest.raises(Forbidden):
        services.dispute_vote(actor=buyer, number=d.number, uphold=True, reasons="x")
    # When a member votes to lower the remedy to 200 yuan
    services.dispute_vote(
        actor=members[0], number=d.number, uphold=False, remedy_fen=20000, reasons="酌减"
    )
    # Then she cannot vote again
    with pytest.raises(Conflict):
        services.dispute_vote(actor=members[0], number=d.number, uphold=True, reasons="改主意")
    # When a second member votes to change it, to 300 yuan
    services.dispute_vote(
        actor=members[1], number=d.number, uphold=False, remedy_fen=30000, reasons="酌减"
    )
    d.refresh_from_db()
    # Then two of three changed it: the median of their remedies
    assert d.outcome == Outcome.APPEAL_DECIDED
    assert d.remedy_fen == 20000
    deliver_all()
    books_balance()


def test_panel_deadline_decides_on_the_votes_cast(clock, buyer, seller, listing) -> None:
    # Given a default decision the seller appealed, with one panel vote to uphold it
    d, order, _ = to_decision(clock, buyer, seller, listing)
    assert past(clock, d).startswith("default")  # the engine's proposal decides
    a = services.dispute_appeal(actor=seller, number=d.number, reason="不服")
    from anxin.accounts.models import User

    services.dispute_vote(
        actor=User.objects.get(pk=a.members[0]), number=d.number, uphold=True, reasons="维持"
    )
    # When the panel's deadline passes
    # Then the appeal is decided on that vote, upholding the refund alone
    assert past(clock, d) == "default: appeal decided on the votes cast"
    d.refresh_from_db()
    assert d.remedy_fen == order.amount_fen  # upheld: the default decision, the refund alone
    deliver_all()
    books_balance()


def test_the_safety_net_decides_a_panel_deadline_as_the_single_timer_does(
    clock, buyer, seller, listing
) -> None:
    # Given an appeal with one vote to uphold, whose panel deadline has passed
    d, order, _ = to_decision(clock, buyer, seller, listing)
    assert past(clock, d).startswith("default")
    a = services.dispute_appeal(actor=seller, number=d.number, reason="不服")
    from anxin.accounts.models import User

    services.dispute_vote(
        actor=User.objects.get(pk=a.members[0]), number=d.number, uphold=True, reasons="维持"
    )
    d.refresh_from_db()
    clock.move_to(d.due_at)
    # When the safety net fires it in a batch
    counts = deadlines_run()
    # Then the appeal is decided on the votes cast and the upheld refund is paid
    assert counts["dispute_defaults"] == 1
    a.refresh_from_db()
    assert a.decided_at is not None
    d.refresh_from_db()
    assert d.outcome == Outcome.APPEAL_DECIDED
    assert d.remedy_fen == order.amount_fen
    assert d.events.filter(kind="appeal_decided").count() == 1
    deliver_all()
    books_balance()


def test_a_jury_of_users_who_never_traded_with_the_parties_hears_the_appeal(
    clock, buyer, seller, listing, settings, tmp_path
) -> None:
    import json
    import subprocess
    import sys

    from anxin.accounts.models import Role
    from anxin.conftest import child_env, make_listing, make_user

    # Given appeals heard by a jury of three; users who completed purchases with another
    # seller, and that seller: eligible. The case's own buyer and seller, and anyone who
    # traded with them, are not.
    settings.ANXIN_DISPUTE_APPEAL_BODY = "jury"
    settings.ANXIN_DISPUTE_JURY_SIZE = 3
    other_seller = make_user("seller9", Role.SELLER)
    other_listing = make_listing(other_seller)
    jurors = [make_user(f"juror{i}", Role.BUYER) for i in range(4)]
    for j in jurors:
        completed(j, other_seller, other_listing, tracking=f"SF31{j.pk:08d}")
    traded = make_user("friend1", Role.BUYER)
    completed(traded, seller, listing, tracking="SF3200000001")
    # And a default decision on a case between the buyer and the seller
    d, order, _ = to_decision(clock, buyer, seller, listing, tracking="SF3200000002")
    assert past(clock, d).startswith("default")
    # When the seller appeals
    a = services.dispute_appeal(actor=seller, number=d.number, reason="不服")
    # Then a jury of three is drawn
    assert a.body == "jury"
    assert len(a.members) == 3
    # Buyers and sellers who completed orders: not the parties, nor who traded with them.
    assert set(a.pool) == {j.pk for j in jurors} | {other_seller.pk}
    assert panel.verify_draw(a)
    # When anyone checks the draw from what the case publishes
    case = tmp_path / "case.json"
    case.write_text(
        json.dumps(
            {"appeal": {k: getattr(a, k) for k in ("seed", "seed_source", "pool", "members")}}
        )
    )
    ok = subprocess.run(
        [sys.executable, "-m", "anxin", "draw", str(case)],
        env=child_env(),
        capture_output=True,
        text=True,
    )
    # Then it checks out
    assert ok.returncode == 0, ok.stderr
    assert "ok: 3 of 5" in ok.stdout, ok.stderr
    # When the published members are changed
    forged = json.loads(case.read_text())
    forged["appeal"]["members"] = sorted(forged["appeal"]["members"])[::-1]
    if forged["appeal"]["members"] == a.members:
        forged["appeal"]["members"] = (
            forged["appeal"]["members"][1:] + forged["appeal"]["members"][:1]
        )
    case.write_text(json.dumps(forged))
    bad = subprocess.run(
        [sys.executable, "-m", "anxin", "draw", str(case)],
        env=child_env(),
        capture_output=True,
        text=True,
    )
    # Then the check fails, naming the members
    assert bad.returncode == 1
    assert "members" in bad.stderr
    from anxin.accounts.models import User

    # When two of the jurors vote to uphold
    voters = [User.objects.get(pk=pk) for pk in a.members]
    services.dispute_vote(actor=voters[0], number=d.number, uphold=True, reasons="维持")
    services.dispute_vote(actor=voters[1], number=d.number, uphold=True, reasons="维持")
    # Then the appeal is decided, upholding the refund
    d.refresh_from_db()
    assert d.outcome == Outcome.APPEAL_DECIDED
    assert d.remedy_fen == order.amount_fen


def test_an_appeal_with_too_few_eligible_members_is_refused_clearly(
    clock, buyer, seller, listing, settings
) -> None:
    # Given appeals heard by a jury of three, and a decided case with no one else eligible
    settings.ANXIN_DISPUTE_APPEAL_BODY = "jury"
    settings.ANXIN_DISPUTE_JURY_SIZE = 3
    d, _, _ = to_decision(clock, buyer, seller, listing)
    past(clock, d)
    # When the seller appeals
    # Then she is told there are not enough eligible jury members, and the case is unchanged
    with pytest.raises(Conflict, match="not enough eligible jury members"):
        services.dispute_appeal(actor=seller, number=d.number, reason="不服")
    d.refresh_from_db()
    assert d.step == Step.APPEAL_WINDOW  # nothing changed; the window still runs
