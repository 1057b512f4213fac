"""What a hostile visitor meets: a Content-Security-Policy that runs no inline script and no
eval (htmx configured to match), and HTTPS enforced behind TLS with `check --deploy` clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from anxin.conftest import child_env

pytestmark = pytest.mark.django_db

ANXIN = Path(__file__).resolve().parents[2]


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


# --- Content-Security-Policy -----------------------------------------------------------------


def _policy(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_every_page_carries_a_strict_content_security_policy(buyer) -> None:
    # When an anonymous visitor and a buyer open the home, sign-in, orders and law pages
    for user, path in ((None, "/"), (None, "/login/"), (buyer, "/orders/"), (None, "/law/")):
        r = client_for(user).get(path)
        # Then each carries a policy allowing only the site's own scripts, styles and images,
        # no framing and no plugins
        assert r.status_code == 200, path
        csp = _policy(r["Content-Security-Policy"])
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
        assert csp["style-src"] == ["'self'"]
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["object-src"] == ["'none'"]
    # And htmx may not evaluate strings, run scripts it swaps in, or inject its own <style>
    page = client_for().get("/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["includeIndicatorStyles"] is False


def test_no_template_has_inline_script_or_event_handlers() -> None:
    # The policy would refuse them in the browser (the browser tests fail on any refusal);
    # this finds them before a page is ever opened. The evidence bundle's summary page is a
    # file opened offline, not a page we serve.
    # Given every template Anxin serves
    offline = {"orders/evidence_summary.html"}
    found = []
    # When each is searched for inline scripts, styles and event handlers
    for path in sorted(ANXIN.glob("*/templates/**/*.html")):
        name = path.as_posix().split("/templates/", 1)[1]
        if name in offline:
            continue
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\ssrc=)[^>]*>",
            r"\son[a-z]+\s*=",
            r"javascript:",
            r"<style",
            r"\sstyle\s*=",
            r"hx-on",
        ):
            found += [f"{name}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    # Then none has any
    assert found == []


# --- behind TLS ------------------------------------------------------------------------------


def _child(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = child_env() | {
        "ANXIN_SECRET_KEY": "k" * 20 + "-s3cr3t-" + "x" * 40 + "Z9!q",
        "ANXIN_ALLOWED_HOSTS": "anxin.example",
        "ANXIN_DEBUG": "0",
        **env_extra,
    }
    if "ANXIN_HTTPS" not in env_extra:
        env.pop("ANXIN_HTTPS", None)
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_its_security_checks_with_anxin_https() -> None:
    # When Django's deploy checks run without ANXIN_HTTPS
    cmd = ("-m", "anxin", "check", "--deploy", "--fail-level", "WARNING")
    plain = _child({}, *cmd)
    # Then they fail with the HTTPS warnings
    assert plain.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in plain.stderr + plain.stdout
    # When they run with ANXIN_HTTPS
    https = _child({"ANXIN_HTTPS": "1"}, *cmd)
    # Then they pass without a security warning
    assert https.returncode == 0, https.stderr + https.stdout
    assert "security." not in https.stderr + https.stdout


HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
c = Client(HTTP_HOST="anxin.example")
plain = c.get("/law/")
behind = c.get("/law/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "status": behind.status_code,
    "hsts": behind.get("Strict-Transport-Security", ""),
    "csrf_secure": bool(behind.cookies["csrftoken"]["secure"]),
}))
"""


def test_behind_tls_http_is_redirected_and_cookies_are_secure() -> None:
    # When a process with ANXIN_HTTPS gets a page over plain HTTP, and one behind TLS
    out = _child({"ANXIN_HTTPS": "1"}, "-c", HEADERS_SCRIPT)
    # Then plain HTTP is redirected to HTTPS, and behind TLS the page has HSTS and a secure
    # CSRF cookie
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["plain"] == [301, "https://anxin.example/law/"]
    assert got["status"] == 200
    assert got["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert got["csrf_secure"] is True
