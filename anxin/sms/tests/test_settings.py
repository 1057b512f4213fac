"""A production site (behind TLS) refuses to start with the SMS sandbox, which texts no one,
unless a trial allows it explicitly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from anxin.conftest import child_env

START = "import django; django.setup(); print('started')"


def start(**extra: str) -> subprocess.CompletedProcess[str]:
    env = child_env()
    env.pop("ANXIN_SMS_SANDBOX_ALLOWED", None)
    env.pop("ANXIN_SMS_PROVIDER", None)
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-c", START], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.django_db
def test_a_site_behind_tls_refuses_the_sms_sandbox_unless_allowed() -> None:
    # Given a site behind TLS (ANXIN_HTTPS), taken for production
    # When it starts with the sandbox as its SMS provider
    refused = start(ANXIN_HTTPS="1")
    # Then it refuses to start, naming the setting that allows it
    assert refused.returncode != 0
    assert "ANXIN_SMS_SANDBOX_ALLOWED" in refused.stderr
    # When the trial allows it explicitly
    allowed = start(ANXIN_HTTPS="1", ANXIN_SMS_SANDBOX_ALLOWED="1")
    # Then it starts
    assert allowed.returncode == 0, allowed.stderr
    assert "started" in allowed.stdout
    # And the demo (no TLS) starts with the sandbox as it is
    assert start().returncode == 0


@pytest.mark.django_db
def test_an_unknown_sms_provider_is_refused() -> None:
    # Given a provider Anxin has no adapter for
    # When a site starts with it
    refused = start(ANXIN_SMS_PROVIDER="twilio")
    # Then it refuses to start, naming the setting
    assert refused.returncode != 0
    assert "ANXIN_SMS_PROVIDER" in refused.stderr


@pytest.mark.django_db
def test_an_unknown_role_for_two_step_sign_in_is_refused() -> None:
    # Given a misspelt role among those that need a second factor
    # When a site starts with it
    refused = start(ANXIN_2FA_ROLES="operator,regulater")
    # Then it refuses to start, naming the setting, instead of leaving the role unprotected
    assert refused.returncode != 0
    assert "ANXIN_2FA_ROLES" in refused.stderr
