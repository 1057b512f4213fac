"""A phone that looks at each page the way a person would, and says what is wrong with it.

`Phone.look(name)` checks the page now showing and saves its screenshot: no image failed to
load, no error in the console (a refused Content-Security-Policy included), nothing wider
than the screen, no English words on a Chinese page, every tap target at least 44 × 44 px with
its text inside it (not spilling over its neighbours), and no accessibility violation of
serious or critical impact found by axe-core. Problems are collected, not raised at once, so
that one run lists every page's problems; the test asserts the list is empty at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTIFACTS = Path(os.environ.get("ANXIN_TEST_ARTIFACTS", "test-artifacts"))
PHONE = {"width": 390, "height": 844}
TAP_PX = 44
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

# Latin words a Chinese page may show: units, file formats and names that are written in
# Latin letters in Chinese too. Anything else of three letters or more is English left in.
LATIN_IN_CHINESE = frozenset(
    {
        "UTC",
        "PDF",
        "SVG",
        "PNG",
        "JPEG",
        "JPG",
        "WebP",
        "GIF",
        "ZIP",
        "EMS",
        "API",
        "HTTPS",
        "URL",
        "WiFi",
    }
)

# In the page: the visible text outside elements marked translate="no" (order numbers, hashes,
# user names, what people typed), as a list of strings.
_VISIBLE_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim()) continue;
    if (el.closest('script,style,noscript,template,[translate="no"]')) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('input[placeholder],textarea[placeholder]')) {
    if (el.checkVisibility() && !el.closest('[translate="no"]')) out.push(el.placeholder);
  }
  for (const el of document.querySelectorAll('img[alt]')) {
    if (el.checkVisibility() && !el.closest('[translate="no"]')) out.push(el.alt);
  }
  return out;
}"""

# In the page: tap targets smaller than the minimum. A link inside a sentence (an inline link
# in text that goes on around it) is exempt, as WCAG 2.5.5 exempts it; a checkbox or radio
# counts by its label.
_SMALL_TARGETS = """(px) => {
  const out = [];
  const sel = 'a[href],button,input:not([type=hidden]),select,textarea,summary,[role=button]';
  for (const el of document.querySelectorAll(sel)) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    let box = el;
    if (el.matches('input[type=checkbox],input[type=radio]')) {
      box = el.closest('label') || el;
    }
    const style = getComputedStyle(box);
    if (box.tagName === 'A' && style.display === 'inline') {
      const around = (box.parentElement.textContent || '').trim();
      if (around.length > (box.textContent || '').trim().length + 1) continue;
    }
    const r = box.getBoundingClientRect();
    if (style.display !== 'inline' && box.scrollWidth > box.clientWidth + 1 &&
        style.overflowX === 'visible') {
      out.push(`${box.tagName.toLowerCase()} "${(box.textContent || '').trim().slice(0, 30)}" ` +
               `spills out of its ${Math.round(r.width)} px box into its neighbours`);
    }
    if (Math.round(r.width) < px || Math.round(r.height) < px) {
      const text = (box.textContent || box.value || box.name || box.tagName).trim();
      out.push(`${box.tagName.toLowerCase()} "${text.slice(0, 30)}" ` +
               `${Math.round(r.width)}×${Math.round(r.height)}, under ${px} px`);
    }
  }
  return out;
}"""

# In the page: the elements that stick out past the right edge of the screen.
_OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && el.checkVisibility()) {
      out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ` +
               `right edge ${Math.round(r.right)} > ${w}`);
    }
  }
  return out.slice(0, 5);
}"""

# Images that load lazily are loaded first, as scrolling to them would: a person scrolls.
_BROKEN_IMAGES = """async () => {
  const shown = [...document.images].filter(i => i.checkVisibility());
  for (const i of shown) i.loading = 'eager';
  await Promise.all(shown.map(i => i.decode().catch(() => null)));
  return shown.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.currentSrc || i.src);
}"""


def english_words(texts: list[str]) -> list[str]:
    """Latin words of three letters or more that are neither part of a code with digits
    (AX2026…, SF0012…) nor written in Latin letters in Chinese too."""
    found = []
    for text in texts:
        for word in re.findall(r"[A-Za-z0-9_]+", text):
            if len(word) >= 3 and word.isalpha() and word.isascii():
                if word not in LATIN_IN_CHINESE:
                    found.append(word)
    return found


@dataclass
class Phone:
    """One person's phone (a browser context at 390 × 844) and what it found wrong."""

    page: Any
    role: str
    lang: str
    problems: list[str] = field(default_factory=list)
    shots: int = 0
    _console: list[str] = field(default_factory=list)
    _failed: list[str] = field(default_factory=list)
    # Which document each request belongs to: a request the page abandons when the person moves
    # on to another page fails with net::ERR_ABORTED, which nobody sees.
    _document: int = 0
    _aborted: list[tuple[int, str]] = field(default_factory=list)
    _born: dict[Any, int] = field(default_factory=dict)

    @classmethod
    def open(cls, browser: Any, base_url: str, role: str, lang: str = "zh-CN") -> Phone:
        ctx = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale=lang,
            base_url=base_url,
        )
        ctx.set_default_timeout(15_000)
        phone = cls(ctx.new_page(), role, lang)
        ctx.on("console", phone._on_console)
        ctx.on("weberror", lambda e: phone._console.append(f"page error: {e.error}"))
        ctx.on("requestfailed", phone._on_failed)
        phone.page.on("framenavigated", phone._on_navigated)
        ctx.on("response", phone._on_response)
        ctx.on("request", phone._on_request)
        ctx.on("requestfinished", lambda r: phone._born.pop(r, None))
        return phone

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self._console.append(message.text)

    def _on_navigated(self, frame: Any) -> None:
        if frame.parent_frame is None:
            self._document += 1

    def _on_failed(self, request: Any) -> None:
        what = f"{request.url} ({request.failure})"
        born = self._born.pop(request, self._document)
        if request.failure == "net::ERR_ABORTED":
            # Judged in look(), once the navigation that may have abandoned it has committed.
            self._aborted.append((born, what))
        else:
            self._failed.append(what)

    def _on_request(self, request: Any) -> None:
        self._born[request] = self._document

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self._failed.append(f"{response.url} ({response.status})")

    @property
    def chinese(self) -> bool:
        return self.lang.startswith("zh")

    def login(self, username: str, password: str, *, look: bool = False) -> None:
        """Sign in with the password, and the second factor if the page asks for one (see
        second_step); `look` checks the two-step pages on the way."""
        self.page.goto("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        with self.page.expect_navigation():
            self.page.click("main form button[type=submit]")
        second_step(self.page, username, self.look if look else None)

    def visit(self, path: str, name: str) -> None:
        self.page.goto(path)
        self.look(name)

    def look(self, name: str) -> None:
        """Check the page now showing, and save its screenshot."""
        page = self.page
        page.wait_for_load_state("load")
        where = f"{self.role}/{self.lang} {name} ({page.url})"
        found: list[str] = []
        found += [f"broken image {src}" for src in page.evaluate(_BROKEN_IMAGES)]
        self.shots += 1
        folder = ARTIFACTS / "screens" / f"{self.role}-{self.lang}"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{self.shots:02d}-{name}.png"), full_page=True)
        # Images the full-page screenshot brought into view load before the person moves on.
        page.wait_for_load_state("networkidle")
        found += [f"failed request {r}" for r in self._failed]
        found += [f"failed request {r}" for born, r in self._aborted if born == self._document]
        found += [f"console: {m}" for m in self._console]
        self._failed.clear()
        self._aborted.clear()
        self._console.clear()
        found += [f"wider than the screen: {e}" for e in page.evaluate(_OVERFLOW)]
        found += [f"tap target: {t}" for t in page.evaluate(_SMALL_TARGETS, TAP_PX)]
        if self.chinese:
            words = english_words(page.evaluate(_VISIBLE_TEXT))
            if words:
                found.append(f"English on a Chinese page: {', '.join(sorted(set(words))[:12])}")
        found += [f"accessibility: {v}" for v in axe_violations(page)]
        self.problems += [f"{where}: {p}" for p in found]

    def close(self) -> None:
        self.page.context.close()


_AXE_SOURCE: str | None = None


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations of serious or critical impact in the page, one line each."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        data = AXE.read_bytes()
        if hashlib.sha256(data).hexdigest() != AXE_SHA256:
            raise RuntimeError(f"{AXE} is not the axe-core its README names")
        _AXE_SOURCE = data.decode()
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    # not govern: the page itself still may not run inline scripts.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_AXE_SOURCE)
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    out = []
    for v in json.loads(result)["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
            out.append(f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(targets)}")
    return out


def second_step(page: Any, username: str, look: Any = None) -> None:
    """If the sign-in asks an operator or a regulator for a second factor, give it as they
    would. A staff member with no app yet reads the key off the enrolment page into one (its
    code is computed here from that key), confirms, and moves on from the backup codes; one
    with an app types the code it shows now (computed from the app's key in the database),
    or, when that half-minute's code was already used, a backup code."""
    import base64
    from urllib.parse import urlsplit

    from django_otp.oath import TOTP

    path = urlsplit(page.url).path
    if path == "/login/enrol":
        if look:
            look("two-step-enrol")
        secret = page.locator(".secret").inner_text().replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("input[name=code]", f"{TOTP(key).token():06d}")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        if look:
            look("backup-codes")
        with page.expect_navigation():
            page.click("main a.button")
    elif path == "/login/verify":
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if look:
            look("two-step")
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        if device.last_t < totp.t():
            page.fill("main form >> nth=0 >> input[name=code]", f"{totp.token():06d}")
            with page.expect_navigation():
                page.click("main form >> nth=0 >> button[type=submit]")
        else:
            backup, _ = StaticDevice.objects.get_or_create(
                user=device.user, name="backup", defaults={"confirmed": True}
            )
            token = StaticToken.random_token()
            StaticToken.objects.create(device=backup, token=token)
            page.click("main details summary")
            page.fill("main details input[name=code]", token)
            with page.expect_navigation():
                page.click("main details button[type=submit]")
