"""The statutes, readable by anyone: /law/ lists them, /law/<ID>/ shows one with an anchor per
article (#art-25), and every citation in Anxin links there (templatetags `cite_url`)."""

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
        {"statutes": statutes, "names_en": catalogue.NAMES_EN},
    )


def law_statute(request: HttpRequest, statute_id: str, version: str = "") -> HttpResponse:
    try:
        if version:
            s = catalogue.catalogue()[(statute_id, version)]
        else:
            s = catalogue.statute(statute_id, timezone.localdate())
    except (KeyError, ValueError):
        raise Http404(f"no statute {statute_id} {version}".strip()) from None
    others = sorted(v for (sid, v) in catalogue.catalogue() if sid == statute_id)
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
            "versions": others,
        },
    )
