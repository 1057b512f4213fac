"""The open complaint channel's pages: filing a complaint about any seller (with the law's view
of it at once), the complainant's list, the regulator's queue, and the complaint's page with
what each reader may do there. Thin: parse the form, call a service, show the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.accounts.models import Role, SellerProfile, User
from anxin.accounts.pages import UserRequest
from anxin.core import media
from anxin.core.divisions import division_label
from anxin.core.errors import DomainError, NotFound, ValidationFailed, msg
from anxin.core.money import parse_yuan
from anxin.core.pages import error_page, user_message
from anxin.core.text import parse_int
from anxin.law.complaints import entrusting
from anxin.supervision import selectors, services
from anxin.supervision.models import ComplaintStatus, Organisation, OrgKind, RegionBasis
from anxin.web.regions import region_from

REFUSAL_GROUNDS = {
    "not_our_remit": gettext_lazy(
        "The matter is not for the market regulator, or not for this office"
    ),
    "not_consumer": gettext_lazy(
        "Not bought for personal use, or no consumer dispute with the seller shown"
    ),
    "materials": gettext_lazy("The materials the measures require are missing or false"),
    "impersonation": gettext_lazy(
        "Filed in someone else's name, or the identity could not be checked"
    ),
    "other_law": gettext_lazy("Another law or regulation says it is not to be accepted"),
}


def _date(raw: str, field: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            msg("{field}: not a date (YYYY-MM-DD)", field=field), field=field
        ) from None


def _seller_named(request: HttpRequest) -> services.SellerNamed:
    p = request.POST
    seller_id = p.get("seller_id", "")
    return services.SellerNamed(
        seller_id=parse_int(seller_id, "seller_id", minimum=1) if seller_id else None,
        name=p.get("seller_name", ""),
        wechat=p.get("seller_wechat", ""),
        platform=p.get("seller_platform", ""),
        link=p.get("seller_link", ""),
        address=p.get("seller_address", ""),
        region=region_from(p, "seller_region"),
    )


@login_required
def complaint_new(request: UserRequest) -> HttpResponse:
    """A complaint to the market regulator about any seller: an Anxin seller (?seller=ID),
    or one named by its shop name, WeChat ID, platform and link."""
    user: User = request.user
    raw = request.GET.get("seller") or request.POST.get("seller_id") or ""
    seller = None
    if raw:
        try:
            seller_id = parse_int(raw, "seller_id", minimum=1)
        except DomainError as e:
            return error_page(request, e)
        seller = SellerProfile.objects.filter(user_id=seller_id).select_related("user").first()
        if seller is None:
            return error_page(request, NotFound(msg("seller {id}: not found", id=seller_id)))
    ctx: dict[str, Any] = {
        "seller": seller,
        "form": request.POST,
        "today": timezone.localdate().isoformat(),
        "has_phone": bool(user.phone),
        "phone_url": reverse("web:phone_add") + "?next=" + request.get_full_path(),
    }
    if request.method == "POST":
        try:
            c = services.complaint_file(
                actor=user,
                seller=_seller_named(request),
                materials=services.Materials(
                    name=request.POST.get("complainant_name", ""),
                    address=request.POST.get("complainant_address", ""),
                    request=request.POST.get("request", ""),
                    facts=request.POST.get("facts", ""),
                    knew_at=_date(request.POST.get("knew_at", ""), "knew_at"),
                    paid_fen=parse_yuan(request.POST.get("paid", "") or "0", field="paid_fen"),
                    handled_elsewhere=request.POST.get("handled_elsewhere") == "1",
                ),
                files=request.FILES.getlist("evidence"),
            )
        except DomainError as e:
            ctx["error"] = user_message(e)
        else:
            if c.status == ComplaintStatus.REFUSED:
                messages.error(
                    request,
                    _(
                        "The law does not let the regulator accept this complaint. Its page "
                        "says why and what you can do instead."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Your complaint is filed. The regulator decides whether to accept it "
                        "by the date on its page."
                    ),
                )
            return redirect("web:complaint", c.number)
    return render(
        request, "supervision/complaint_new.html", ctx, status=422 if "error" in ctx else 200
    )


@login_required
def complaint_list(request: UserRequest) -> HttpResponse:
    """The reader's complaints: those one made; for a regulator's staff, its office's queue
    (waiting ones first, nearest due first); for a seller, those accepted against it."""
    org = selectors.organisation_of(request.user)
    association = None
    if org is not None and org.kind != OrgKind.REGULATOR:
        association, org = org, None  # an association's work is on its mediation page
    queue = None
    if org is not None:
        queue = selectors.complaints_for(org).order_by(
            Case(
                When(status=ComplaintStatus.RECEIVED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "decide_by",
            "-received_at",
        )[:200]
    return render(
        request,
        "supervision/complaint_list.html",
        {
            "organisation": org,
            "association": association,
            "queue": queue,
            "mine": selectors.complaints_of(request.user)[:100],
            "against": selectors.complaints_against(request.user)[:100],
            "now": timezone.now(),
        },
    )


@login_required
def complaint_page(request: UserRequest, number: str) -> HttpResponse:
    try:
        c, role = selectors.complaint_for_reader(request.user, number)
    except DomainError as e:
        return error_page(request, e)
    decision = c.law or {}
    return render(
        request,
        "supervision/complaint.html",
        {
            "c": c,
            "role": role,
            "region": division_label(c.region),
            "basis": RegionBasis(c.region_basis).label,
            "decision": decision,
            "reasons": decision.get("reasons", {}),
            "citations": decision.get("citations", []),
            "entrust_cite": entrusting(timezone.localtime(c.received_at).date()),
            "files": list(c.files.all()) if role != "seller" else [],
            "grounds": REFUSAL_GROUNDS,
            "ground_label": REFUSAL_GROUNDS.get(c.refusal_ground, ""),
            "waiting": c.status == ComplaintStatus.RECEIVED,
            "overdue": c.status == ComplaintStatus.RECEIVED and c.decide_by <= timezone.now(),
        },
    )


@login_required
@require_POST
def complaint_act(request: UserRequest, number: str, action: str) -> HttpResponse:
    """admit / refuse (the regulator's staff), withdraw (the complainant)."""
    try:
        if action == "admit":
            services.complaint_admit(actor=request.user, number=number)
            messages.success(request, _("Accepted. The complainant and the seller are told."))
        elif action == "refuse":
            services.complaint_refuse(
                actor=request.user,
                number=number,
                ground=request.POST.get("ground", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(
                request, _("Not accepted. The complainant is told why and what else to do.")
            )
        elif action == "withdraw":
            services.complaint_withdraw(actor=request.user, number=number)
            messages.success(request, _("Your complaint is withdrawn."))
        else:
            raise NotFound(msg("complaint {number}: not found", number=number))
    except DomainError as e:
        if e.status == 404:
            return error_page(request, e)
        messages.error(request, user_message(e))
    return redirect("web:complaint", number)


@login_required
def complaint_file(request: UserRequest, number: str, file_id: int) -> HttpResponseBase:
    """A piece of the complaint's evidence: for the complainant and the regulator's staff."""
    try:
        c, role = selectors.complaint_for_reader(request.user, number)
        f = c.files.filter(pk=file_id).first()
        if role == "seller" or f is None:
            raise NotFound(msg("complaint {number}: not found", number=number))
        return media.file_response(
            f.file, content_type=f.content_type, sha256=f.sha256, public=False
        )
    except DomainError as e:
        return error_page(request, e)


@login_required
def organisations(request: UserRequest) -> HttpResponse:
    """The operator's page of consumer associations and market regulators and their staff."""
    if request.user.role != Role.OPERATOR:
        return error_page(request, NotFound("page: not found"))
    error = None
    if request.method == "POST":
        p = request.POST
        try:
            if p.get("form") == "staff":
                services.organisation_staff_add(
                    actor=request.user,
                    organisation_id=parse_int(p.get("organisation"), "organisation", minimum=1),
                    username=p.get("username", ""),
                )
                messages.success(request, _("Staff member added."))
            elif p.get("form") == "remove":
                services.organisation_staff_remove(
                    actor=request.user, staff_id=parse_int(p.get("staff"), "staff", minimum=1)
                )
                messages.success(request, _("Staff member removed."))
            else:
                services.organisation_create(
                    actor=request.user,
                    kind=p.get("kind", ""),
                    name=p.get("name", ""),
                    region=region_from(p, "region"),
                )
                messages.success(request, _("Organisation added."))
            return redirect("web:organisations")
        except DomainError as e:
            error = user_message(e)
    orgs = Organisation.objects.prefetch_related("staff__user").order_by("region", "kind")
    return render(
        request,
        "supervision/organisations.html",
        {
            "organisations": [(o, division_label(o.region)) for o in orgs],
            "error": error,
            "form": request.POST,
        },
        status=422 if error else 200,
    )


# --- public figures ---------------------------------------------------------------------------
#
# The statistics page, each Anxin seller's figures with its reply, and the open data: read
# from the counters and records that supervision.figures keeps, never counted per request.

OPEN_DATA = {
    "cases.csv": "text/csv; charset=utf-8",
    "cases.json": "application/json",
    "figures.csv": "text/csv; charset=utf-8",
    "days.csv": "text/csv; charset=utf-8",
    "figures.json": "application/json",
}
RESPONSE_BUCKETS = [(0, 0), (1, 1), (2, 2), (3, 5), (6, 10), (11, None)]


def _percent(n: int | None) -> str:
    return "—" if n is None else f"{n}%"


def _days_text(d: float | None) -> str:
    return "—" if d is None else f"{d:g}"


def _category_label(code: str) -> str:
    from anxin.disputes.models import Category

    if not code:
        return str(_("Complaint to a regulator (no category)"))
    return str(Category(code).label) if code in Category.values else code


def _province_label(code: str) -> str:
    from anxin.core.divisions import division_name

    return division_name(code) or str(_("Region not known"))


def _month_days(months: list[str]) -> list[dt.date]:
    """Every month from the first to the last given, at most the last 24, as first days."""
    first = dt.date.fromisoformat(months[0] + "-01")
    last = dt.date.fromisoformat(months[-1] + "-01")
    out = []
    while first <= last:
        out.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return out[-24:]


def _labelled(key: str, title: str, summary: str, rows: list[tuple[str, int]]) -> dict[str, Any]:
    from anxin.web.charts import svg_labelled_bars

    return {
        "key": key,
        "title": title,
        "summary": summary,
        "svg": svg_labelled_bars(
            chart_id=f"chart-{key}",
            title=title,
            desc=summary,
            labels=[r[0] for r in rows],
            values=[r[1] for r in rows],
        ),
    }


def _statistics_charts(stats: dict[str, Any]) -> list[dict[str, Any]]:
    from anxin.web.charts import svg_chart

    charts: list[dict[str, Any]] = []
    months = list(stats["month"])
    if not months:
        return charts
    days = _month_days(months)
    by_month = [stats["month"].get(f"{d:%Y-%m}", {}) for d in days]
    filed = [m.get("filed", 0) for m in by_month]
    title = str(_("Cases filed by month"))
    summary = _("%(total)d cases in %(months)d months; the most in one month: %(most)d.") % {
        "total": sum(filed),
        "months": len(days),
        "most": max(filed),
    }
    charts.append(
        {
            "key": "month",
            "title": title,
            "summary": summary,
            "svg": svg_chart(
                chart_id="chart-month",
                title=title,
                desc=summary,
                days=days,
                values=filed,
                kind="bars",
                mark=lambda d: f"{d:%Y-%m}",
            ),
            "head": [_("Month"), _("Filed"), _("Resolved"), _("Resolved of closed")],
            "rows": [
                (
                    f"{d:%Y-%m}",
                    m.get("filed", 0),
                    m.get("resolved", 0),
                    _percent(m.get("resolution_rate")),
                )
                for d, m in zip(days, by_month, strict=True)
            ],
        }
    )
    cats = sorted(stats["category"].items(), key=lambda kv: (-kv[1]["filed"], kv[0]))
    chart = _labelled(
        "category",
        str(_("Cases by category")),
        _("The most common: %(name)s, %(n)d cases.")
        % {"name": _category_label(cats[0][0]), "n": cats[0][1]["filed"]},
        [(_category_label(k), v["filed"]) for k, v in cats],
    )
    chart["head"] = [_("Category"), _("Filed"), _("Resolved"), _("Resolved of closed")]
    chart["rows"] = [
        (_category_label(k), v["filed"], v["resolved"], _percent(v["resolution_rate"]))
        for k, v in cats
    ]
    charts.append(chart)
    provinces = sorted(stats["province"].items(), key=lambda kv: (-kv[1]["filed"], kv[0]))
    chart = _labelled(
        "province",
        str(_("Cases by province (the seller's shown address)")),
        _("%(count)d provinces; the most cases: %(name)s, %(n)d.")
        % {
            "count": len(provinces),
            "name": _province_label(provinces[0][0]),
            "n": provinces[0][1]["filed"],
        },
        [(_province_label(k), v["filed"]) for k, v in provinces[:12]],
    )
    chart["head"] = [_("Province"), _("Filed"), _("Resolved"), _("Resolved of closed")]
    chart["rows"] = [
        (_province_label(k), v["filed"], v["resolved"], _percent(v["resolution_rate"]))
        for k, v in provinces
    ]
    charts.append(chart)
    desk = stats["sources"]["desk"]
    hist = desk["response_histogram"]
    buckets = [
        (
            (str(lo) if hi == lo else f"{lo}–{hi}" if hi is not None else f"{lo}+"),
            sum(n for d, n in hist.items() if d >= lo and (hi is None or d <= hi)),
        )
        for lo, hi in RESPONSE_BUCKETS
    ]
    labelled = [(_("%(days)s days") % {"days": b}, n) for b, n in buckets]
    chart = _labelled(
        "response",
        str(_("Days to the seller's first answer (disputes handled by Anxin)")),
        _("Median: %(median)s days; the regulators' median decision time: %(reg)s days.")
        % {
            "median": _days_text(desk["median_response"]),
            "reg": _days_text(stats["sources"]["regulator"]["median_response"]),
        },
        labelled,
    )
    chart["head"] = [_("Days"), _("Cases")]
    chart["rows"] = labelled
    charts.append(chart)
    mediated = [
        (f"{d:%Y-%m}", m.get("mediated", 0), m.get("mediated_settled", 0))
        for d, m in zip(days, by_month, strict=True)
    ]
    rates_by_month = [round(100 * s / n) if n else 0 for _m, n, s in mediated]
    title = str(_("Mediation: share settled, by month"))
    summary = _("Of %(n)d cases closed after mediation, %(rate)s were settled.") % {
        "n": desk["mediated"],
        "rate": _percent(desk["mediation_rate"]),
    }
    charts.append(
        {
            "key": "mediation",
            "title": title,
            "summary": summary,
            "svg": svg_chart(
                chart_id="chart-mediation",
                title=title,
                desc=summary,
                days=days,
                values=rates_by_month,
                kind="bars",
                label=lambda v: f"{v}%",
                least_step=25,
                mark=lambda d: f"{d:%Y-%m}",
            ),
            "head": [_("Month"), _("Closed after mediation"), _("Settled"), _("Share settled")],
            "rows": [
                (m, n, s, _percent(round(100 * s / n) if n else None)) for m, n, s in mediated
            ],
        }
    )
    return charts


def figures_statistics(request: HttpRequest) -> HttpResponse:
    """The statistics page: every case at the desk and every complaint to a regulator,
    counted, with charts and their tables, and the open data to recompute them."""
    from anxin.supervision import figures

    stats = figures.statistics()
    return render(
        request,
        "supervision/figures_statistics.html",
        {
            "stats": stats,
            "desk": stats["sources"]["desk"],
            "regulator": stats["sources"]["regulator"],
            "charts": _statistics_charts(stats),
            "downloads": [
                ("cases.csv", _("Every case"), "CSV"),
                ("cases.json", _("Every case"), "JSON"),
                ("figures.csv", _("The figures"), "CSV"),
                ("days.csv", _("Days to answer and to resolve"), "CSV"),
                ("figures.json", _("The figures and the days"), "JSON"),
            ],
        },
    )


def figures_seller(request: HttpRequest, seller_id: int) -> HttpResponse:
    """An Anxin seller's public figures and its reply beside them."""
    from anxin.accounts.models import Role
    from anxin.supervision import figures
    from anxin.supervision.models import SellerReply

    seller = User.objects.filter(pk=seller_id, role=Role.SELLER).first()
    if seller is None:
        return error_page(request, NotFound(msg("seller {id}: not found", id=seller_id)))
    profile = SellerProfile.objects.filter(user=seller).first()
    reply = SellerReply.objects.filter(seller=seller).first()
    return render(
        request,
        "supervision/figures_seller.html",
        {
            "seller_id": seller.pk,
            "shop": profile.shop_name if profile else seller.username,
            "f": figures.seller_figures(seller.pk),
            "reply": reply,
            # The digest its evidence record holds (figures.reply_set).
            "reply_sha256": figures.reply_digest(reply.text) if reply else "",
            "is_owner": request.user.is_authenticated and request.user.pk == seller.pk,
        },
    )


@require_POST
@login_required
def figures_reply(request: UserRequest) -> HttpResponse:
    """The seller writes (or takes down) its public reply beside its figures."""
    from anxin.supervision import figures

    try:
        figures.reply_set(actor=request.user, text=request.POST.get("text", ""))
    except DomainError as e:
        if e.status == 403:
            return error_page(request, e)
        messages.error(request, user_message(e))
    else:
        messages.success(request, _("Your reply is shown beside your figures."))
    return redirect("web:figures_seller", request.user.pk)


def _csv_bytes(fields: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    import csv
    import io

    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(fields)
    out.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode()


def _cases_csv() -> bytes:
    from django.db import connection

    from anxin.supervision.figures import RECORD_FIELDS
    from anxin.supervision.models import PublicCase

    table = PublicCase._meta.db_table
    cols = ", ".join(
        "CASE WHEN mediated THEN 1 ELSE 0 END" if f == "mediated" else f for f in RECORD_FIELDS
    )
    sql = f"SELECT {cols} FROM {table} ORDER BY id"  # noqa: S608
    if connection.vendor == "postgresql":
        # The database writes the CSV itself: no row becomes a Python object.
        parts = [b"\xef\xbb\xbf" + ",".join(RECORD_FIELDS).encode() + b"\n"]
        with connection.cursor() as cur:
            with cur.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                parts.extend(bytes(data) for data in copy)
        return b"".join(parts)
    with connection.cursor() as cur:
        cur.execute(sql)
        return _csv_bytes(RECORD_FIELDS, cur.fetchall())


NL, BACKSLASH = b"\n", b"\\"


def _cases_json() -> bytes:
    import json

    from django.db import connection

    from anxin.supervision.figures import RECORD_FIELDS
    from anxin.supervision.models import PublicCase

    table = PublicCase._meta.db_table
    head = '{"fields": ' + json.dumps(RECORD_FIELDS) + ', "records": '
    if connection.vendor == "postgresql":
        # The database writes each record as a JSON array, one a line (COPY, as for the CSV):
        # the lines joined by commas are the list. COPY's text format escapes only backslashes
        # here (JSON text holds no raw control character), which are put back as they were.
        sql = (
            f"SELECT json_build_array({', '.join(RECORD_FIELDS)}) "  # noqa: S608
            f"FROM {table} ORDER BY id"
        )
        with connection.cursor() as cur:
            with cur.cursor.copy(f"COPY ({sql}) TO STDOUT") as copy:
                lines = b"".join(bytes(data) for data in copy)
        records = lines.rstrip(NL).replace(NL, b",").replace(BACKSLASH * 2, BACKSLASH)
        return head.encode() + b"[" + records + b"]}"
    rows = PublicCase.objects.order_by("id").values_list(*RECORD_FIELDS)
    return (head + json.dumps([list(r) for r in rows], ensure_ascii=False) + "}").encode()


def _aggregates() -> tuple[list[str], list[tuple[Any, ...]], list[str], list[tuple[Any, ...]]]:
    from anxin.supervision.figures import CELL_KEY, COUNTERS, site_scopes
    from anxin.supervision.models import FigureCell, FigureDays

    cell_fields = CELL_KEY + COUNTERS
    cells = list(
        FigureCell.objects.filter(filed__gt=0).order_by(*CELL_KEY).values_list(*cell_fields)
    )
    day_fields = ["scope", "kind", "days", "n"]
    # The site's histograms (by source and month); each seller's is on its own page.
    days = list(
        FigureDays.objects.filter(scope__in=site_scopes(), n__gt=0)
        .order_by("scope", "kind", "days")
        .values_list(*day_fields)
    )
    return cell_fields, cells, day_fields, days


def figures_data(request: HttpRequest, name: str) -> HttpResponse:
    """The open data: every published record, and the counters over them (recomputable from
    the records), as CSV and JSON."""
    import json

    if name not in OPEN_DATA:
        return error_page(request, NotFound(msg("{name}: no such download", name=name)))
    if name == "cases.csv":
        body = _cases_csv()
    elif name == "cases.json":
        body = _cases_json()
    else:
        cell_fields, cells, day_fields, days = _aggregates()
        if name == "figures.csv":
            body = _csv_bytes(cell_fields, cells)
        elif name == "days.csv":
            body = _csv_bytes(day_fields, days)
        else:
            body = json.dumps(
                {
                    "cells": {"fields": cell_fields, "rows": [list(r) for r in cells]},
                    "days": {"fields": day_fields, "rows": [list(r) for r in days]},
                },
                ensure_ascii=False,
            ).encode()
    response = HttpResponse(body, content_type=OPEN_DATA[name])
    response["Content-Disposition"] = f'inline; filename="anxin-{name}"'
    response["Cache-Control"] = "public, max-age=60"
    return response
