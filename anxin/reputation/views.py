"""Reputation's pages: a seller's public record (who it is, how it is verified, its reviews,
credit and standing, and whether a scanned badge is genuine), the operator's adjustment of a
score, the public blacklist; and its sections on the order's pages: the buyer's review on the
order page, the seller's credit on the checkout."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from anxin.accounts.models import Role, User
from anxin.accounts.pages import UserRequest, role_required
from anxin.catalog import services as catalog
from anxin.catalog.models import ListingImage
from anxin.core.errors import DomainError, ValidationFailed, msg
from anxin.core.pages import user_message
from anxin.core.replica import replica_reads
from anxin.core.text import parse_int
from anxin.orders.models import OrderStatus
from anxin.orders.views import order_action_run
from anxin.reputation import blacklist, credit
from anxin.reputation import services as reviews
from anxin.reputation.api import review_out
from anxin.reputation.models import (
    BlacklistEntry,
    Ground,
    HideReason,
    Review,
    ReviewReport,
    Score,
)
from anxin.reputation.selectors import review_closes
from anxin.sellers import badge
from anxin.sellers import services as sellers
from anxin.sellers.models import Badge, Level, Verification


def review_ratings(r: Review) -> list[tuple[str, int]]:
    """A review's three ratings with their names, as the stars show them."""
    return [
        (_("As described"), r.as_described),
        (_("Shipping"), r.shipping),
        (_("Service"), r.service),
    ]


def review_images(photos: list[str]) -> list[ListingImage]:
    """A review's photos from catalog's image store, in the order the buyer gave them."""
    found = {i.sha256: i for i in ListingImage.objects.filter(sha256__in=photos)}
    return [found[sha] for sha in photos if sha in found]


def _review_rows(rows: list[Review], viewer: User | None) -> list[dict[str, Any]]:
    """The seller page's reviews: each as the API gives it, with the item bought, the date,
    the ratings, the photos, and whether the viewer may report it or has."""
    mine: set[int] = set()
    if viewer is not None:
        mine = set(
            ReviewReport.objects.filter(by=viewer, review__in=rows).values_list(
                "review_id", flat=True
            )
        )
    out = []
    for r in rows:
        row = review_out(r)
        reported = r.pk in mine
        row |= {
            "at": r.created_at,
            "item": r.order.snapshot.title,
            "ratings": review_ratings(r),
            "images": review_images(row["photos"]),
            "reported": reported,
            "may_report": viewer is not None
            and not reported
            and r.hidden_at is None
            and reviews.review_may_report(viewer, r),
        }
        out.append(row)
    return out


def _public_reader(request: HttpRequest) -> bool:
    """A reader who only looks (no account, or a buyer) may be served from a replica; the
    seller itself and staff, who act on what they see, read the primary."""
    user = request.user
    return not user.is_authenticated or getattr(user, "role", "") == Role.BUYER


@replica_reads(when=_public_reader)
def seller_public(request: HttpRequest, seller_id: int) -> HttpResponse:
    """The seller's live page: who it is, how it is verified, its licences; with a scanned
    badge (?badge=), whether that badge is genuine, current or revoked."""
    seller = (
        User.objects.filter(pk=seller_id, role=Role.SELLER).select_related("seller_profile").first()
    )
    if seller is None:
        return render(request, "web/error.html", {"message": _("No such seller.")}, status=404)
    v = Verification.objects.filter(seller=seller).first()
    verdict = None
    if request.GET.get("badge"):
        try:
            note = badge.decode(request.GET["badge"])
        except ValueError:
            note = ""
        checked, verdict = badge.live(note)
        if checked is not None and checked.fields.get("seller") != str(seller.pk):
            verdict = "forged"
    profile = getattr(seller, "seller_profile", None)
    viewer = request.user if isinstance(request.user, User) else None
    return render(
        request,
        "reputation/seller_public.html",
        {
            "shop": profile.shop_name if profile else seller.username,
            "seller_id": seller.pk,
            "level": Level(sellers.seller_level(seller)).label,
            "lapsed": v is not None and v.status == "lapsed",
            "since": v.verified_at if v else None,
            "licences": sellers.seller_active_licences(seller),
            "verdict": verdict,
            "is_owner": request.user.is_authenticated and request.user.pk == seller.pk,
            "badge_url": Badge.objects.filter(seller=seller, revoked_at__isnull=True).exists(),
            "reviews": _review_rows(reviews.reviews_of(seller), viewer),
            "report_reasons": HideReason.choices,
            "credit": credit.explain(seller.pk),
            "min_orders": settings.ANXIN_CREDIT_MIN_ORDERS,
            "standing": blacklist.standing(seller.pk),
            "closure": sellers.shop_closure_of(seller.pk),
            "now": timezone.now(),
            "may_adjust": request.user.is_authenticated
            and getattr(request.user, "role", "") == Role.OPERATOR,
            "may_blacklist": viewer is not None and blacklist.may_decide(viewer),
            "may_identity": viewer is not None and sellers.seller_identity_may_ask(viewer),
        },
    )


@require_POST
@role_required(Role.OPERATOR)
def seller_adjust(request: UserRequest, seller_id: int) -> HttpResponse:
    """The operator's adjustment of a seller's score, from the seller's page."""
    try:
        credit.adjust(
            actor=request.user,
            seller_id=seller_id,
            points=parse_int(request.POST.get("points"), "points"),
            days=parse_int(request.POST.get("days"), "days"),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The adjustment is recorded and shown on the seller's page."))
    except DomainError as e:
        messages.error(request, user_message(e))
    return redirect("web:seller_public", seller_id)


@login_required
@require_POST
def review_report(request: UserRequest, seller_id: int) -> HttpResponse:
    """A buyer's or seller's report of a review, from the seller's page."""
    try:
        reviews.review_report(
            actor=request.user,
            number=request.POST.get("order", ""),
            reason=request.POST.get("reason", ""),
            text=request.POST.get("text", ""),
        )
        messages.success(
            request, _("Thank you. The platform will read the review against its rules.")
        )
    except DomainError as e:
        messages.error(request, user_message(e))
    return redirect("web:seller_public", seller_id)


@replica_reads(when=_public_reader)
def blacklist_page(request: HttpRequest) -> HttpResponse:
    """The public blacklist; a seller with a notice sees it here and appeals."""
    if request.method == "POST" and request.user.is_authenticated:
        try:
            blacklist.appeal(
                actor=request.user,  # type: ignore[arg-type]
                entry_id=parse_int(request.POST.get("entry"), "entry"),
                text=request.POST.get("text", ""),
            )
            messages.success(request, _("Your appeal is recorded."))
        except DomainError as e:
            messages.error(request, user_message(e))
        return redirect("web:blacklist")
    grounds = dict(Ground.choices)
    rows = [{**r, "ground": grounds.get(r["ground"], r["ground"])} for r in blacklist.public_list()]
    mine = (
        BlacklistEntry.objects.filter(seller_id=request.user.pk).order_by("-noticed_at")
        if request.user.is_authenticated
        else []
    )
    return render(request, "reputation/blacklist.html", {"rows": rows, "mine": mine})


# --- on the order's pages ------------------------------------------------------------------


def _stars(p: Any, field: str) -> int:
    return parse_int(p.get(field), field, minimum=1, maximum=5)


REVIEW_ACTIONS = {
    "review": lambda u, n, p: reviews.review_create(
        actor=u,
        number=n,
        as_described=_stars(p, "as_described"),
        shipping=_stars(p, "shipping"),
        service=_stars(p, "service"),
        text=p.get("text", ""),
    ),
    "review-followup": lambda u, n, p: reviews.review_followup(
        actor=u, number=n, text=p.get("text", "")
    ),
    "review-reply": lambda u, n, p: reviews.review_reply(actor=u, number=n, text=p.get("text", "")),
}


# What the order page says once each is done (msgids, translated by order_action_run).
REVIEW_DONE = {
    "review": gettext_noop("Your review is submitted."),
    "review-followup": gettext_noop("Your follow-up review is submitted."),
    "review-reply": gettext_noop("Your reply is submitted."),
}


def _review_with_photos(request: UserRequest, number: str, p: Any) -> Review:
    """The review form with its photos: each photo checked and stored as a listing's
    picture is (catalog.listing_image_upload), in the same transaction as the review, so a
    refused review leaves no photo behind (its rows roll back; the files it wrote are
    removed)."""
    files = request.FILES.getlist("photos")
    if len(files) > reviews.MAX_PHOTOS:
        raise ValidationFailed(
            msg("photos: at most {MAX_PHOTOS}", MAX_PHOTOS=reviews.MAX_PHOTOS), field="photos"
        )
    ratings = {f: _stars(p, f) for f in ("as_described", "shipping", "service")}
    stored: list[ListingImage] = []  # files this request wrote, removed if it is refused
    try:
        with transaction.atomic():
            shas = []
            for f in files:
                data = f.read()
                new = not ListingImage.objects.filter(
                    sha256=hashlib.sha256(data).hexdigest()
                ).exists()
                image = catalog.listing_image_upload(actor=request.user, data=data)
                stored += [image] if new else []
                shas.append(image.sha256)
            return reviews.review_create(
                actor=request.user, number=number, text=p.get("text", ""), photos=shas, **ratings
            )
    except DomainError:
        for image in stored:
            image.file.storage.delete(image.file.name)
        raise


@login_required
@require_POST
def review_action(request: UserRequest, number: str, action: str) -> HttpResponse:
    """A review posted from the order page, at the order's action address."""
    call = REVIEW_ACTIONS.get(action)
    if action == "review":
        call = lambda u, n, p: _review_with_photos(request, n, p)  # noqa: E731
    return order_action_run(request, number, call, REVIEW_DONE.get(action, "Done."))


def order_review_panel(request: HttpRequest, ctx: dict[str, Any]) -> str:
    """The order page's review section: the buyer's review and the seller's reply, or the
    form once the order is completed."""
    order = ctx["order"]
    review = Review.objects.filter(order=order).first()
    return render_to_string(
        "reputation/_order_review.html",
        {
            **ctx,
            "review": review,
            "ratings": review_ratings(review) if review else [],
            "images": review_images(review.photos) if review and not review.hidden_at else [],
            "max_photos": reviews.MAX_PHOTOS,
            "can_review": ctx["is_buyer"]
            and order.status == OrderStatus.COMPLETED
            and review is None
            and order.completed_at is not None
            and timezone.now() <= review_closes(order.completed_at),
            "review_fields": [
                ("as_described", _("As described")),
                ("shipping", _("Shipping")),
                ("service", _("Service")),
            ],
        },
        request=request,
    )


def checkout_credit_panel(request: HttpRequest, ctx: dict[str, Any]) -> str:
    """The checkout's line on the seller's credit grade, and how the grade is made."""
    score = Score.objects.filter(seller_id=ctx["seller_id"]).first()
    return render_to_string(
        "reputation/_seller_credit.html",
        {
            "seller_id": ctx["seller_id"],
            "credit": score,
            "credit_factors": credit.rows(score.factors) if score else [],
        },
        request=request,
    )


# --- the staff's pages: the blacklist's due process, hiding a review ------------------------


def _refused(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/error.html", {"message": _("This page is not for your role.")}, status=403
    )


@login_required
def blacklist_desk(request: UserRequest) -> HttpResponse:
    """The operator's and regulators' blacklist desk: open a notice against a seller (with
    the ground, reasons and evidence), read the seller's appeal, and decide each notice once
    its appeal window has closed or the seller has appealed (listed for a term, or
    dismissed); and lift a listing before its term ends, with reasons. Who may is the
    blacklist's own rule (blacklist.may_decide)."""
    if not blacklist.may_decide(request.user):
        return _refused(request)
    src = request.POST if request.method == "POST" else request.GET
    form = {k: src.get(k, "") for k in ("seller", "ground", "reasons", "evidence")}
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "open":
                blacklist.open_entry(
                    actor=request.user,
                    seller_id=parse_int(p.get("seller"), "seller", minimum=1),
                    ground=p.get("ground", ""),
                    reasons=p.get("reasons", ""),
                    evidence_refs=[r for r in p.get("evidence", "").replace(",", " ").split()],
                )
                messages.success(
                    request, _("The notice is sent to the seller, who may now appeal.")
                )
            elif p.get("form") == "lift":
                blacklist.lift(
                    actor=request.user,
                    entry_id=parse_int(p.get("entry"), "entry", minimum=1),
                    reasons=p.get("reasons", ""),
                )
                messages.success(
                    request,
                    _(
                        "The listing is lifted and the seller has been told. Its shops take "
                        "orders again once the seller verifies again."
                    ),
                )
            else:
                listing = p.get("list") == "1"
                blacklist.decide(
                    actor=request.user,
                    entry_id=parse_int(p.get("entry"), "entry", minimum=1),
                    list_seller=listing,
                    reasons=p.get("reasons", ""),
                    term_days=parse_int(p.get("term_days"), "term_days") if listing else 0,
                )
                messages.success(
                    request,
                    _("The seller is on the blacklist for the term you set.")
                    if listing
                    else _("The notice is dismissed. The seller has been told."),
                )
            return redirect("web:blacklist_desk")
        except DomainError as e:
            messages.error(request, user_message(e))
    return render(
        request,
        "reputation/blacklist_desk.html",
        {
            "entries": blacklist.awaiting_decision(),
            "listed": blacklist.in_force(),
            "grounds": Ground.choices,
            "max_days": settings.ANXIN_BLACKLIST_MAX_DAYS,
            "appeal_days": settings.ANXIN_BLACKLIST_APPEAL_DAYS,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def review_desk(request: UserRequest) -> HttpResponse:
    """The operator's reviews: those buyers or sellers reported first, with their reports,
    then the rest of the last 30 days; each with the form that hides it for a reason the
    rules list (which closes its reports); the review's place then says it was hidden, when
    and why. Who may is the review service's own rule (reviews.review_may_hide)."""
    if not reviews.review_may_hide(request.user):
        return _refused(request)
    if request.method == "POST":
        try:
            if request.POST.get("form") == "keep":
                reviews.review_reports_dismiss(
                    actor=request.user, number=request.POST.get("order", "")
                )
                done = _("The review stays as it is; its reports are closed.")
            else:
                reviews.review_hide(
                    actor=request.user,
                    number=request.POST.get("order", ""),
                    reason=request.POST.get("reason", ""),
                    note=request.POST.get("note", ""),
                )
                done = _("The review is hidden. Its place shows that the platform hid it, and why.")
            messages.success(request, done)
        except DomainError as e:
            messages.error(request, user_message(e))
        return redirect("web:review_desk")
    return render(
        request,
        "reputation/review_desk.html",
        {
            "reviews": [
                (r, review_ratings(r), review_images([] if r.hidden_at else r.photos))
                for r in reviews.review_desk_list()
            ],
            "reasons": HideReason.choices,
        },
    )
