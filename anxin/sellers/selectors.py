"""Reads of sellers' records that are more than a .get()."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile

from anxin.accounts.models import Role, User
from anxin.core.errors import NotFound
from anxin.core.uploads import looks_like
from anxin.sellers.models import Licence, LicenceStatus, Verification
from anxin.sellers.services import DOCUMENT_TYPES


def document_for(
    actor: User, seller_id: int, *, licence_id: int | None = None
) -> tuple[FieldFile, str, str]:
    """The file of a seller's verification (its business licence) or of one of its licences,
    with its SHA-256 and type: to the seller itself, the operator who reviews them and
    regulators. Everyone else gets the same 404 as for a document that does not exist."""
    if not (actor.pk == seller_id or actor.role in (Role.OPERATOR, Role.REGULATOR)):
        raise NotFound("document: not found")
    if licence_id is None:
        v = Verification.objects.filter(seller_id=seller_id).exclude(licence_file="").first()
        found = (v.licence_file, v.licence_sha256) if v else None
    else:
        lic = Licence.objects.filter(seller_id=seller_id, pk=licence_id).first()
        found = (lic.document, lic.document_sha256) if lic else None
    if found is None:
        raise NotFound("document: not found")
    f, sha = found
    return f, sha, _checked_type(f)


def _checked_type(f: FieldFile) -> str:
    """The type the upload check accepted. The documents' rows keep no type, but the check
    matched the file's first bytes against its declared type, and no two of DOCUMENT_TYPES
    start alike: matching them again gives the same type, never one read from a file name."""
    try:
        f.open("rb")
    except FileNotFoundError:
        raise NotFound("document: not found") from None
    head = f.read(16)
    f.seek(0)
    return next((t for t in sorted(DOCUMENT_TYPES) if looks_like(head, t)), "")


def licences_pending() -> list[Licence]:
    """The licences waiting for the operator's review, the longest waiting first."""
    return list(
        Licence.objects.filter(status=LicenceStatus.PENDING)
        .select_related("seller__seller_profile")
        .order_by("submitted_at", "pk")
    )
