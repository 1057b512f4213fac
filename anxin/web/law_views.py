"""The statutes, readable by anyone: /law/ lists them, /law/<ID>/ shows the version in force today
with an anchor per article (#art-25), /law/<ID>/<version>/ one version. Every citation in Anxin
links there (templatetags `cite_url`): to the dated version, for a statute whose versions
number their articles differently (CRM, AUCL)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from anxin.law import catalogue


def law_index(request: HttpRequest) -> HttpResponse:
    statutes = sorted(catalogue.catalogue().values(), key=lambda s: (s.id, s.version))
    return render(
        request,
        "web/law_index.html",
        {
            # Each version with its last day in force (None for the latest).
            "statutes": [(s, catalogue.in_force_until(s)) for s in statutes],
            "names_en": catalogue.NAMES_EN,
        },
    )


def law_statute(request: HttpRequest, statute_id: str, version: str = "") -> HttpResponse:
    try:
        if version:
            s = catalogue.catalogue()[(statute_id, version)]
        else:
            s = catalogue.statute(statute_id, timezone.localdate())
    except (KeyError, ValueError):
        raise Http404(f"no statute {statute_id} {version}".strip()) from None
    today = timezone.localdate()
    # Every version, with its last day in force, for a reader to see which one this is and go
    # to the others (a citation links to the version in force on the day the rule applied).
    held = [(v, catalogue.in_force_until(v)) for v in catalogue.versions(statute_id)]
    versions = [
        {
            "s": v,
            "until": until,
            "current": v.version == s.version,
            "today": v.version <= today.isoformat() and (until or today) >= today,
        }
        for v, until in held
    ]
    shown = next(v for v in versions if v["current"])
    english = (get_language() or "").startswith("en")
    articles = [
        (a, catalogue.gloss(s.id, s.version, a.number) if english else None)
        for a in sorted(s.articles.values(), key=lambda a: a.number)
    ]
    return render(
        request,
        "web/law_statute.html",
        {
            "s": s,
            "name_en": catalogue.NAMES_EN.get(s.id, ""),
            "articles": articles,
            "versions": versions if len(versions) > 1 else [],
            "until": shown["until"],
            "in_force_today": shown["today"],
            "today_version": next((v["s"] for v in versions if v["today"]), None),
        },
    )
