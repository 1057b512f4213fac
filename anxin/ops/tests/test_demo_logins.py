"""`anxin demo --logins` lists everyone the demo creates who can sign in, with their role."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def printed_logins() -> dict[str, str]:
    """The username and role of each line of `anxin demo --logins`'s list of accounts."""
    out = io.StringIO()
    call_command("demo", logins=True, stdout=out)
    text = out.getvalue()
    accounts = text.split("\n", 1)[1].split("Operators and regulators also give", 1)[0]
    rows = [re.split(r"\s+", line.strip(), maxsplit=2) for line in accounts.splitlines()]
    return {r[0]: r[1] for r in rows if len(r) == 3}


def test_every_demo_user_who_can_sign_in_is_listed_with_their_role(tmp_path, settings) -> None:
    from anxin.accounts.models import User
    from anxin.ops.management.commands.demo import DEMO_PASSWORD
    from anxin.supervision.models import OrgKind, OrgStaff

    # Given the demo world, built from nothing
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("demo", verbosity=0)
    # When its logins are printed
    listed = printed_logins()
    # Then everyone the demo made who can sign in is listed, with the role they have, and no
    # one else (a user with no usable password, or inactive, cannot sign in)
    can_sign_in = {
        u.username: u.role for u in User.objects.filter(is_active=True) if u.has_usable_password()
    }
    assert can_sign_in, "the demo made no one"
    assert listed == can_sign_in
    # And among them the statistics' two shops, their buyers, and the staff of the regulator's
    # office and of the consumer association
    for username in ("seller-cases", "seller-snacks", "chenyu", "linxue", "zhaolei", "sunli"):
        assert username in listed, username
    for kind in (OrgKind.REGULATOR, OrgKind.ASSOCIATION):
        staff = OrgStaff.objects.filter(organisation__kind=kind).values_list(
            "user__username", flat=True
        )
        assert staff, kind
        assert set(staff) <= set(listed), kind
    # And each signs in with the password printed
    for u in User.objects.filter(username__in=listed):
        assert u.check_password(DEMO_PASSWORD), u.username
