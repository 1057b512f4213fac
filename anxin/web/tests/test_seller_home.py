"""A new seller's home leads to verification first, since nothing can be listed before."""

from __future__ import annotations

import pytest
from django.test import Client

from anxin.accounts.models import Role
from anxin.conftest import make_user

pytestmark = pytest.mark.django_db


def home_of(user, lang: str = "zh-hans") -> str:
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    c.force_login(user)
    return c.get("/seller/").content.decode()


def test_an_unverified_seller_is_led_to_verification_before_listing() -> None:
    # Given a seller who has just signed up and is not verified
    new = make_user("newshop", Role.SELLER, "新店", verified=False)
    # When she opens her home
    page = home_of(new)
    # Then a card at the top asks her to verify first and links to verification
    card = page.split('data-testid="verify-first"', 1)[1].split("</section>", 1)[0]
    assert "请先完成身份认证" in card
    assert 'href="/seller/verification"' in card
    assert page.index('data-testid="verify-first"') < page.index('data-testid="held"')
    # And "New listing" is not offered yet
    assert 'data-testid="new-listing"' not in page
    assert "Verify your identity first" in home_of(new, "en")


def test_a_verified_seller_lists_without_the_card(seller) -> None:
    # Given a verified seller
    # When she opens her home
    page = home_of(seller)
    # Then there is no verification card and "New listing" is offered
    assert 'data-testid="verify-first"' not in page
    assert 'data-testid="new-listing"' in page
