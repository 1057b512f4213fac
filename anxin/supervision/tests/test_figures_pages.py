"""The public figures' pages and open data: the statistics page's charts, a seller's figures
with its reply, and downloads from which anyone recomputes every published figure."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client

from anxin.accounts.models import User
from anxin.supervision.tests.test_figures import mixed_history

pytestmark = pytest.mark.django_db

COUNTERS = [
    "filed",
    "open",
    "accepted",
    "resolved",
    "unresolved",
    "mediated",
    "mediated_settled",
    "advance_n",
    "advance_fen",
    "resolve_n",
    "resolve_days",
    "response_n",
    "response_days",
]


def visitor(lang: str = "zh-hans") -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE=lang)


def recompute(records: list[dict[str, Any]]) -> tuple[dict, dict]:
    """The counters from the records alone, as the open data's reader would: written here
    from the published definitions, not with the app's own code."""
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    days: dict[tuple, int] = defaultdict(int)
    for r in records:
        c = cells[(r["month"], r["category"], r["province"], r["source"])]
        closed = r["status"] in ("resolved", "unresolved")
        resolved = r["status"] == "resolved"
        mediated = bool(r["mediated"]) and closed
        c["filed"] += 1
        c[r["status"]] += 1
        c["mediated"] += mediated
        c["mediated_settled"] += mediated and r["outcome"] == "settled"
        c["advance_n"] += r["advance_fen"] > 0
        c["advance_fen"] += r["advance_fen"]
        scope = f"{r['source']}:{r['month']}"
        if resolved and r["days_to_resolve"] is not None:
            c["resolve_n"] += 1
            c["resolve_days"] += r["days_to_resolve"]
            days[(scope, "resolve", r["days_to_resolve"])] += 1
        if r["response_days"] is not None:
            c["response_n"] += 1
            c["response_days"] += r["response_days"]
            days[(scope, "response", r["response_days"])] += 1
    return {k: tuple(v[c] for c in COUNTERS) for k, v in cells.items()}, dict(days)


def _csv(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _int(v: str) -> int | None:
    return None if v == "" else int(v)


def test_the_open_data_recomputes_to_the_published_figures(
    clock, buyer, seller, operator, listing, settings
) -> None:
    # Given a mixed history of desk cases and complaints about a shop whose name has a
    # backslash, quotes and a comma (the downloads escape them as their formats say)
    from anxin.accounts.models import SellerProfile

    shop = '茶\\舍 "A", B'
    SellerProfile.objects.filter(user=seller).update(shop_name=shop)
    mixed_history(clock, buyer, seller, operator, listing, settings)
    c = visitor()
    # When a visitor downloads the records and the figures, as CSV and as JSON
    cases_json = json.loads(c.get("/figures/data/cases.json").content)
    records = [dict(zip(cases_json["fields"], row, strict=True)) for row in cases_json["records"]]
    from_csv = [
        {
            **r,
            "seller_id": _int(r["seller_id"]),
            "mediated": r["mediated"] == "1",
            "response_days": _int(r["response_days"]),
            "days_to_resolve": _int(r["days_to_resolve"]),
            "advance_fen": int(r["advance_fen"]),
        }
        for r in _csv(c.get("/figures/data/cases.csv").content)
    ]
    figures_json = json.loads(c.get("/figures/data/figures.json").content)
    figures_csv = _csv(c.get("/figures/data/figures.csv").content)
    days_csv = _csv(c.get("/figures/data/days.csv").content)
    # Then both downloads hold the same records, one for each case
    assert len(records) == 10
    assert from_csv == records
    assert shop in {r["shop_name"] for r in records}
    # And the counters recomputed from the records are the published ones, in both formats
    cells, days = recompute(records)
    key = ("month", "category", "province", "source")
    published = {tuple(r[k] for k in key): tuple(int(r[c]) for c in COUNTERS) for r in figures_csv}
    assert published == cells
    fields = figures_json["cells"]["fields"]
    as_json = {
        tuple(row[fields.index(k)] for k in key): tuple(row[fields.index(c)] for c in COUNTERS)
        for row in figures_json["cells"]["rows"]
    }
    assert as_json == cells
    assert {(r["scope"], r["kind"], int(r["days"])): int(r["n"]) for r in days_csv} == days
    assert {tuple(r[:3]): r[3] for r in figures_json["days"]["rows"]} == days
    # And no record carries a party's words or contact: only the published fields
    assert set(cases_json["fields"]) == {
        "number",
        "source",
        "seller_id",
        "shop_name",
        "category",
        "region",
        "province",
        "month",
        "status",
        "outcome",
        "mediated",
        "response_days",
        "days_to_resolve",
        "advance_fen",
    }


def test_the_statistics_page_draws_its_charts_from_the_figures(
    clock, buyer, seller, operator, listing, settings
) -> None:
    # Given a mixed history
    mixed_history(clock, buyer, seller, operator, listing, settings)
    # When a visitor opens the statistics page, in Chinese and in English
    zh = visitor().get("/figures/")
    en = visitor("en").get("/figures/").content.decode()
    page = zh.content.decode()
    # Then it shows five charts drawn on the server, each with its table
    assert zh.status_code == 200
    for key in ("month", "category", "province", "response", "mediation"):
        assert f'data-testid="chart-{key}"' in page
        assert f'data-testid="table-{key}"' in page
    assert page.count("<svg") == 5
    # And the totals of the desk and of the regulators
    assert 'data-testid="desk-filed">6<' in page
    assert 'data-testid="regulator-filed">4<' in page
    assert "投诉统计" in page
    assert "Complaint statistics" in en
    # And a link to each download
    assert page.count('data-testid="download"') == 5


def test_an_empty_statistics_page_says_so(db: None) -> None:
    # Given no case at all
    # When a visitor opens the statistics page
    page = visitor().get("/figures/").content.decode()
    # Then it says there is none, with no chart
    assert 'data-testid="no-cases"' in page
    assert "<svg" not in page


def test_a_seller_s_figures_page_shows_its_counts_and_its_reply(
    clock, buyer, seller, operator, listing, settings
) -> None:
    # Given a mixed history about one seller
    mixed_history(clock, buyer, seller, operator, listing, settings)
    owner = visitor()
    owner.force_login(seller)
    # When the seller writes its public reply
    r = owner.post("/figures/reply", {"text": "我们对每一单都认真处理。"})
    assert r.status_code == 302
    # Then a visitor sees its figures and the reply beside them, linked from its page
    page = visitor().get(f"/figures/sellers/{seller.pk}").content.decode()
    assert 'data-testid="seller-filed">6<' in page
    assert 'data-testid="seller-rate">80%' in page
    assert 'data-testid="seller-regulator">1<' in page
    assert "我们对每一单都认真处理。" in page
    assert 'data-testid="reply-form"' not in page
    # And the reference of its evidence record: the text's SHA-256, as the log holds it
    digest = hashlib.sha256("我们对每一单都认真处理。".encode()).hexdigest()
    assert f'已记入证据日志 · <span translate="no">SHA-256 {digest[:16]}…</span>' in page
    assert f"/figures/sellers/{seller.pk}" in visitor().get(f"/s/{seller.pk}").content.decode()
    # When the seller empties the reply
    owner.post("/figures/reply", {"text": ""})
    # Then it is taken down
    assert (
        "我们对每一单都认真处理。"
        not in visitor().get(f"/figures/sellers/{seller.pk}").content.decode()
    )


def test_only_a_seller_replies_and_only_sellers_have_figures_pages(
    buyer: User, seller: User
) -> None:
    # Given a buyer signed in
    c = visitor()
    c.force_login(buyer)
    # When the buyer posts a reply
    r = c.post("/figures/reply", {"text": "我是卖家"})
    # Then it is refused, and a buyer has no figures page
    assert r.status_code == 403
    assert visitor().get(f"/figures/sellers/{buyer.pk}").status_code == 404
    assert visitor().get(f"/figures/sellers/{seller.pk}").status_code == 200
    assert visitor().get("/figures/data/secrets.csv").status_code == 404
