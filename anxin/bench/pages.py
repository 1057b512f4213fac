"""anxin bench pages: what a first visit to five key pages weighs, and how long the server
takes to make each page.

The pages: the landing page and the sign-in page (a visitor), a listing's checkout page and an
order's page (its buyer), the seller's home (its seller). For each, in-process with Django's
test client:

- weight: the bytes a first visit transfers, with an empty cache: the HTML, then every
  stylesheet, script, icon and image it references (and whatever the stylesheets reference),
  each fetched once saying `Accept-Encoding: gzip`, so a file the server has compressed counts
  compressed (the static files: WhiteNoise serves their gzip copies), one it sends as it is
  counts as it is (the HTML: Anxin does not compress pages, which carry CSRF tokens);
- server time: the median of `requests` requests for the HTML alone, after one to warm up.

Bodies only; headers are left out. Targets: at most 100 KB and 50 ms a page."""

from __future__ import annotations

import gzip
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.test import Client

from anxin.accounts.models import User
from anxin.catalog.models import Listing
from anxin.orders.models import Order

TARGET_BYTES = 100_000
TARGET_MS = 50.0

# What a stylesheet makes a browser fetch (fonts, images).
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
# Link relations a browser fetches at once (not navigation links, not prefetch hints).
_FETCHED_RELS = {"stylesheet", "icon", "preload", "modulepreload", "apple-touch-icon"}


class _Refs(HTMLParser):
    """The files a page's HTML makes a browser fetch: stylesheets, icons, scripts, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and _FETCHED_RELS & set(a.get("rel", "").lower().split()):
            self.urls.append(a.get("href", ""))
        elif tag in ("script", "img", "source", "video", "audio") and a.get("src"):
            self.urls.append(a["src"])


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    user: User | None  # signed in as; None: a visitor


def references(html: str) -> list[str]:
    """The same-site files a page's HTML makes a browser fetch, in order, once each."""
    parser = _Refs()
    parser.feed(html)
    return list(dict.fromkeys(u for u in parser.urls if u and _same_site(u)))


def _same_site(url: str) -> bool:
    return not url.startswith(("data:", "#")) and not urlsplit(url).netloc


def _client(user: User | None) -> Client:
    host = next((h for h in settings.ALLOWED_HOSTS if h not in ("*", "")), "127.0.0.1")
    c = Client(HTTP_HOST=host.lstrip("."), headers={"accept-language": "zh-hans"})
    if user is not None:
        c.force_login(user)
    return c


def _get(c: Client, url: str, **headers: str) -> Any:
    return c.get(url, headers=headers, secure=settings.SECURE_SSL_REDIRECT)


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def weigh(page: Page) -> dict[str, Any]:
    """The first visit's bytes: the HTML and everything it references, as transferred."""
    c = _client(page.user)
    r = _get(c, page.url, **{"accept-encoding": "gzip"})
    if r.status_code != 200:
        raise RuntimeError(f"{page.name}: {page.url} answered {r.status_code}")
    html = _body(r)
    assets: dict[str, int] = {}
    compressed: list[str] = []
    queue = [urljoin(page.url, u) for u in references(html.decode())]
    while queue:
        url = queue.pop(0)
        if url in assets:
            continue
        a = _get(c, url, **{"accept-encoding": "gzip"})
        if a.status_code != 200:
            raise RuntimeError(f"{page.name}: {url} answered {a.status_code}")
        body = _body(a)
        assets[url] = len(body)
        if a.get("Content-Encoding") == "gzip":
            compressed.append(url)
        if a.get("Content-Type", "").startswith("text/css"):
            # What a stylesheet pulls in (fonts, images), gzip-decoded to be read.
            text = gzip.decompress(body) if url in compressed else body
            queue += [urljoin(url, u) for u in _CSS_URL.findall(text.decode()) if _same_site(u)]
    return {
        "url": page.url,
        "html_bytes": len(html),
        "assets": assets,
        "gzipped": compressed,
        "bytes": len(html) + sum(assets.values()),
    }


def server_ms(page: Page, requests: int) -> float:
    """The median time of `requests` requests for the page's HTML, after one to warm up."""
    c = _client(page.user)
    _get(c, page.url)
    times = []
    for _ in range(requests):
        t0 = time.perf_counter()
        r = _get(c, page.url)
        times.append(time.perf_counter() - t0)
        if r.status_code != 200:
            raise RuntimeError(f"{page.name}: {page.url} answered {r.status_code}")
    return statistics.median(times) * 1000


def pages_for(*, buyer: str, seller: str) -> list[Page]:
    """The five pages, for `buyer` and `seller` (user names): the seller's first listing on
    sale, and the buyer's latest order."""
    b = User.objects.get(username=buyer)
    s = User.objects.get(username=seller)
    listing = Listing.objects.filter(seller=s, is_active=True).order_by("pk").first()
    order = Order.objects.filter(buyer=b).order_by("-pk").first()
    if listing is None or order is None:
        raise RuntimeError(f"bench pages needs a listing of {seller} and an order of {buyer}")
    return [
        Page("landing", "/", None),
        Page("login", "/login/", None),
        Page("checkout", f"/c/{listing.code}", b),
        Page("order", f"/orders/{order.number}", b),
        Page("seller_home", "/seller/", s),
    ]


def run(*, buyer: str, seller: str, requests: int, log: Callable[[str], None]) -> dict[str, Any]:
    pages = pages_for(buyer=buyer, seller=seller)
    figures: dict[str, Any] = {"requests": requests}
    targets: dict[str, str] = {}
    met: dict[str, bool] = {}
    for page in pages:
        weight = weigh(page)
        ms = server_ms(page, requests)
        figures[page.name] = {**weight, "server_ms_median": round(ms, 2)}
        targets[f"{page.name}_bytes"] = f"<= {TARGET_BYTES}"
        targets[f"{page.name}_server_ms"] = f"<= {TARGET_MS:g}"
        met[f"{page.name}_bytes"] = weight["bytes"] <= TARGET_BYTES
        met[f"{page.name}_server_ms"] = ms <= TARGET_MS
        log(
            f"{page.name:<12} {page.url:<32} {weight['bytes']:>7,} B first visit "
            f"(HTML {weight['html_bytes']:,} B, {len(weight['assets'])} files, "
            f"{len(weight['gzipped'])} gzipped); server {ms:.1f} ms median of {requests}"
        )
    return {"bench": "pages", "figures": figures, "targets": targets, "met": met}
