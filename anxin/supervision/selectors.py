"""Who sees which complaint: the complainant; the staff of the organisation it went to; the
seller complained about, once the regulator has accepted it, without the complainant's
phone and address. Nobody else: a complaint one may not see reads as none at all."""

from __future__ import annotations

from django.db.models import QuerySet

from anxin.accounts.models import User
from anxin.core.errors import NotFound, msg
from anxin.supervision.models import Complaint, ComplaintStatus, Organisation, OrgStaff


def organisation_of(user: User) -> Organisation | None:
    staff = OrgStaff.objects.filter(user_id=user.pk).select_related("organisation").first()
    return staff.organisation if staff else None


def complaint_role(user: User, c: Complaint) -> str | None:
    """complainant | staff | mediator | seller, or None: not theirs to see."""
    if c.complainant_id == user.pk:
        return "complainant"
    org = organisation_of(user)
    if org is not None and org.pk == c.regulator_id:
        return "staff"
    if org is not None and c.mediations.filter(association=org).exists():
        # The association mediating it (at the complainant's request or entrusted): it
        # contacts both parties, so it reads the file as the regulator does.
        return "mediator"
    if c.seller_id == user.pk and c.status == ComplaintStatus.ADMITTED:
        return "seller"
    return None


def complaints_of(user: User) -> QuerySet[Complaint]:
    return Complaint.objects.filter(complainant=user).order_by("-received_at")


def complaints_for(org: Organisation) -> QuerySet[Complaint]:
    """An organisation's complaints: those waiting for its decision first, nearest due first."""
    return Complaint.objects.filter(regulator=org).order_by("status", "decide_by", "received_at")


def complaints_against(user: User) -> QuerySet[Complaint]:
    return Complaint.objects.filter(seller=user, status=ComplaintStatus.ADMITTED).order_by(
        "-received_at"
    )


def complaint_for_reader(user: User, number: str) -> tuple[Complaint, str]:
    """The complaint and the reader's role in it; not found for anyone who may not see it."""
    c = Complaint.objects.filter(number=number).select_related("regulator").first()
    role = complaint_role(user, c) if c is not None else None
    if c is None or role is None:
        raise NotFound(msg("complaint {number}: not found", number=number))
    return c, role
