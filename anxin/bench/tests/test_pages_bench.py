"""bench pages in its agreed shape, on a tiny sample: its figures are not judged here."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from anxin.bench.pages import references
from anxin.conftest import make_listing, pay, place_order

pytestmark = pytest.mark.django_db


def test_bench_pages_weighs_and_times_the_five_pages(buyer, seller, clock, capsys) -> None:
    # Given a seller with a listing and a buyer with a paid order of it
    pay(place_order(buyer, make_listing(seller)))
    out = io.StringIO()
    # When the pages bench runs with two timed requests a page
    call_command(
        "bench",
        "pages",
        *["--requests", "2", "--buyer", buyer.username, "--seller", seller.username],
        stdout=out,
    )
    # Then it ends with one JSON line in the agreed shape, naming the five pages
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["bench"] == "pages"
    assert set(result) == {"bench", "figures", "targets", "met"}
    assert set(result["met"]) == set(result["targets"])
    names = ("landing", "login", "checkout", "order", "seller_home")
    assert set(result["figures"]) == {"requests", *names}
    for name in names:
        page = result["figures"][name]
        # And each page's first visit counts its HTML and the shell's stylesheet and scripts
        assert page["bytes"] == page["html_bytes"] + sum(page["assets"].values())
        assert page["html_bytes"] > 0
        assert any("anxin" in u and u.endswith(".css") for u in page["assets"]), page["assets"]
        assert any("htmx" in u for u in page["assets"])
        assert page["server_ms_median"] > 0
        assert {f"{name}_bytes", f"{name}_server_ms"} <= set(result["met"])
    # And it said what it measured as it went
    assert "seller_home" in capsys.readouterr().err


def test_a_page_references_what_a_browser_fetches_at_once() -> None:
    # Given a page with a stylesheet, an inline icon, a script, an image, an outside image and
    # a plain link
    html = (
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/a.css">'
        '<script src="/static/b.js" defer></script><img src="/media/c.png" alt="">'
        '<img src="https://elsewhere.example/d.png"><a href="/orders/">orders</a>'
        '<script src="/static/b.js"></script>'
    )
    # When its references are read
    # Then they are the same-site files a browser fetches at once, each once, in order
    assert references(html) == ["/static/a.css", "/static/b.js", "/media/c.png"]
