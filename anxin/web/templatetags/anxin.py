from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django import template
from django.utils import dateformat, timezone

from anxin.core.money import format_fen
from anxin.orders import labels

if TYPE_CHECKING:
    from anxin.law.catalogue import Statute

register = template.Library()


@register.simple_tag
def colon() -> str:
    """The colon between a label and its value, as the page's language writes it: a Chinese
    page takes the full-width "：" (no space after), an English one ": "."""
    from django.utils.translation import get_language

    return ": " if (get_language() or "").startswith("en") else "："


@register.filter
def deadline(value: dt.datetime | None, fmt: str = "Y-m-d H:i") -> str:
    """A deadline as the law counts time: a period's last day ends at 24:00 (Civil Code Art.
    203), so a deadline at midnight reads "12-10 24:00", not "12-11 00:00", which a person
    takes for a day still open."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if fmt.endswith(" H:i") and (local.hour, local.minute, local.second) == (0, 0, 0):
        return f"{dateformat.format(local - dt.timedelta(days=1), fmt[:-4])} 24:00"
    return dateformat.format(local, fmt)


@register.filter
def fen(value: int | None) -> str:
    return "" if value is None else format_fen(int(value))


register.filter("event_label", labels.event_label)
register.filter("record_label", labels.record_label)
register.filter("record_time", labels.record_time)


@register.filter
def event_reason(reason: str) -> str:
    """A reason the system or a provider recorded, in the reader's language; a person's own
    words (a cancellation's reason) are shown as they wrote them."""
    from django.utils.translation import gettext as _

    kind = re.fullmatch(r"after-sales ([a-z_]+)", reason)
    if kind:
        from anxin.aftersales.models import Kind

        label = dict(Kind.choices).get(kind.group(1))
        if label is not None:
            return _("Refunded after an after-sales request (%(kind)s).") % {"kind": label}
    case = re.fullmatch(r"case (\S+)", reason)
    if case:
        return _("Refunded on complaint case %(number)s.") % {"number": case.group(1)}
    return {
        "insufficient balance": _("The payment was declined: insufficient balance."),
        "payment arrived after the order closed": _(
            "The payment arrived after the order had closed."
        ),
        "order closed": _("The order closed."),
        "not paid in time": _("Not paid in time."),
        "withdrawn by the buyer": _("Withdrawn by the buyer."),
    }.get(reason, reason)


@register.filter
def actor_label(role: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "system": _("Anxin"),
        "provider": _("Payment provider"),
        "buyer": _("Buyer"),
        "seller": _("Seller"),
        "operator": _("Platform operator"),
    }.get(role, role)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if mapping else None


def _cite_parts(c: object) -> tuple[str, int, int | None]:
    if isinstance(c, dict):
        return c["statute"], int(c["article"]), c.get("paragraph")
    return c.statute, c.article, c.paragraph  # type: ignore[attr-defined]


def _cite_day(on: object) -> dt.date | None:
    """The day a citation was made for (a date, a datetime, read in Beijing, or an ISO date);
    None when a template passes nothing."""
    if isinstance(on, dt.datetime):
        return timezone.localtime(on).date() if timezone.is_aware(on) else on.date()
    if isinstance(on, dt.date):
        return on
    if isinstance(on, str) and on:
        try:
            return dt.date.fromisoformat(on[:10])
        except ValueError:
            return None
    return None


def _cited(sid: str, on: object) -> Statute | None:
    """The version of a statute with several (CRM, AUCL) that a citation made for the day `on`
    names; None for a statute with one version, or when no day is given."""
    from anxin.law import catalogue

    day = _cite_day(on)
    if day is None or len(catalogue.versions(sid)) < 2:
        return None
    return catalogue.cited_version(sid, day)


@register.filter
def cite_url(c: object, on: object = None) -> str:
    """The article a citation names, on the law pages. A statute whose versions number their
    articles differently links to the version in force on `on`, the day the rule applied (a
    complaint's receipt, a purchase): /law/CRM/2020-01-01/#art-14. Otherwise /law/CRPL/#art-25."""
    from django.urls import reverse

    sid, article, _ = _cite_parts(c)
    version = _cited(sid, on)
    if version is not None:
        url = reverse("web:law_statute_version", args=[sid, version.version])
    else:
        url = reverse("web:law_statute", args=[sid])
    return url + f"#art-{article}"


@register.filter
def cite_label(c: object, on: object = None) -> str:
    """《消费者权益保护法》第25条第1款, or CRPL Art. 25(1) in English. A statute with several
    versions names the one in force on `on`: by its own title, 《市场监督管理投诉举报处理暂行办法》
    第14条, or by a title its versions share and the year, 《反不正当竞争法》（2019年版）第9条;
    in English CRM (2022) Art. 14."""
    from django.utils.translation import get_language

    from anxin.law import catalogue

    sid, article, para = _cite_parts(c)
    version = _cited(sid, on)
    where = f"第{article}条" + (f"第{para}款" if para else "")
    if (get_language() or "").startswith("en"):
        edition = f" ({catalogue.edition(version)})" if version is not None else ""
        return f"{sid}{edition} Art. {article}" + (f"({para})" if para else "")
    s = version if version is not None else catalogue.statute(sid)
    title = f"《{s.title.removeprefix('中华人民共和国')}》"
    if version is not None and any(
        v.title == s.title and v.version != s.version for v in catalogue.versions(sid)
    ):
        # The versions share a title (AUCL): the year tells them apart.
        title += f"（{catalogue.edition(version)}年版）"
    return title + where


@register.filter
def cite_names(citations: object) -> list[tuple[str, str]]:
    """In English, the full names of the statutes a list of citations abbreviates (CRM:
    Measures for Handling Complaints and Reports to Market Regulators), each once, in the
    order cited; a reader without legal training does not know the abbreviations. In Chinese
    the labels already give each statute's full title, so nothing."""
    from django.utils.translation import get_language

    from anxin.law import catalogue

    if not (get_language() or "").startswith("en") or not citations:
        return []
    names: dict[str, str] = {}
    for c in citations:  # type: ignore[attr-defined]
        sid = _cite_parts(c)[0]
        if sid not in names and sid in catalogue.NAMES_EN:
            names[sid] = catalogue.NAMES_EN[sid]
    return list(names.items())


@register.filter
def yuan(value: int | None) -> str:
    """Fen as a plain yuan amount for a form field: 12800 -> 128.00."""
    if value is None:
        return ""
    v = int(value)
    return f"{v // 100}.{v % 100:02d}"


def _case_labels() -> dict[str, object]:
    from django.utils.translation import gettext_lazy as _

    return {
        "filed": _("Complaint filed"),
        "evidence": _("Evidence added"),
        "answered": _("The seller answered"),
        "offer_accepted": _("The buyer accepted the offer"),
        "offer_refused": _("The buyer refused the offer"),
        "withdrawn": _("Withdrawn"),
        "to_mediation": _("Sent to mediation"),
        "proposed": _("The mediator proposed a settlement"),
        "proposal_accepted": _("Proposal accepted"),
        "proposal_refused": _("Proposal refused"),
        "mediation_failed": _("Mediation ended without agreement"),
        "to_adjudication": _("Sent to adjudication"),
        "evidence_closed": _("Evidence closed"),
        "decided": _("Decided"),
        "decision_accepted": _("Decision accepted"),
        "appealed": _("Appealed; panel drawn"),
        "voted": _("A panel member voted"),
        "appeal_decided": _("Appeal decided"),
        "seller_silent": _("The seller did not answer in time"),
        "buyer_silent": _("The buyer did not reply in time"),
        "remedy_paid": _("Remedy paid"),
        "debt_repaid": _("The seller repaid what it owed"),
        "transferred": _("Transferred to the market regulator"),
        "mediator_assigned": _("Mediator assigned"),
        "adjudicator_assigned": _("Adjudicator assigned"),
    }


@register.filter
def case_event_label(kind: str) -> str:
    return str(_case_labels().get(kind, kind))


@register.filter
def role_label(role: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "system": _("Anxin"),
        "buyer": _("Buyer"),
        "seller": _("Seller"),
        "mediator": _("Mediator"),
        "adjudicator": _("Adjudicator"),
        "panel": _("Appeal panel"),
        "operator": _("Platform operator"),
        "regulator": _("Regulator"),
    }.get(role, role)


@register.filter
def paid_from_label(key: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "escrow": _("from escrow"),
        "fee": _("platform fee returned"),
        "seller": _("from the seller's balance"),
        "fund": _("advanced by the guarantee fund"),
        "debt": _("owed by the seller"),
    }.get(key, key)


@register.filter
def evidence_label(key: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "listing": _("The listing as you bought it"),
        "promised_days": _("The promised shipping time"),
        "shipment": _("The shipment"),
        "tracking": _("The tracking number"),
        "delivery": _("The delivery record"),
        "photos": _("Photos of the goods"),
        "authenticity": _("Proof it is not genuine (an appraisal, the brand's answer)"),
        "after_sale": _("The refused after-sales request"),
        "price_history": _("The prices shown before"),
    }.get(key, key)


@register.filter
def route_label(key: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "anxin": _("Anxin's dispute desk"),
        "12315": _("The 12315 complaint line"),
        "small_claims": _("A small-claims suit"),
    }.get(key, key)


@register.filter
def hide_reason_label(reason: str) -> str:
    from anxin.reputation.models import HideReason

    return str(HideReason(reason).label) if reason in HideReason.values else reason


@register.filter
def credit_factor_label(name: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "complaints": _("Few complaints"),
        "disputes_lost": _("Few disputes lost"),
        "silent_defaults": _("Answers every complaint"),
        "on_time_shipping": _("Ships on time"),
        "after_sales_answered": _("Answers after-sales requests"),
        "refunds_on_time": _("Refunds on time"),
        "reviews": _("Review stars"),
        "verification": _("Verification"),
        "tenure": _("Time on Anxin"),
    }.get(name, name)


@register.filter
def time_left(due: object) -> str:
    """A deadline as a plain countdown: "3 days left", "30 hours left", or how late it is
    ("2 days overdue"): whole days while two or more remain, hours below that, both rounded
    down so that a countdown never promises more time than there is."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.translation import gettext, ngettext

    if not isinstance(due, dt.datetime):
        return ""
    left = (due - timezone.now()).total_seconds()
    late = left < 0
    seconds = abs(left)
    if seconds >= 2 * 86400:
        days = int(seconds // 86400)
        if late:
            return ngettext("%(n)d day overdue", "%(n)d days overdue", days) % {"n": days}
        return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    hours = int(seconds // 3600)
    if late:
        hours = max(1, hours)
        return ngettext("%(n)d hour overdue", "%(n)d hours overdue", hours) % {"n": hours}
    if hours == 0:
        return gettext("Less than an hour left")
    return ngettext("%(n)d hour left", "%(n)d hours left", hours) % {"n": hours}


@register.filter
def overdue(due: object) -> bool:
    """Whether a deadline has passed."""
    import datetime as dt

    from django.utils import timezone

    return isinstance(due, dt.datetime) and due < timezone.now()


@register.filter
def parcel_status(status: str) -> str:
    """A carrier's tracking status in the reader's language."""
    from anxin.carriers.selectors import status_label

    return status_label(status)


@register.inclusion_tag("web/_region_picker.html")
def region_picker(name: str, code: str = "", label: str = "") -> dict[str, object]:
    """The province / city / county picker for the form field `name`, standing at `code`."""
    from anxin.web.regions import picker_context

    return picker_context(name, code or "", label)
