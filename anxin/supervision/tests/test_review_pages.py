"""What a second look at the supervision pages on a phone found: labels that said something
else in Chinese, a list a buyer could not read, amounts without thousands separators,
abbreviations a reader without legal training does not know, and public pages nobody could
reach."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anxin.law.days import BEIJING
from anxin.supervision import mediation, services
from anxin.supervision.tests.test_complaints import materials, outside
from anxin.supervision.tests.test_mediation import world  # noqa: F401
from anxin.supervision.tests.test_pages import signed_in

pytestmark = pytest.mark.django_db


def test_a_referral_names_the_office_it_was_sent_to_not_a_payee_account(world) -> None:  # noqa: F811
    # Given a referral the association sent to Xihu's regulator
    r = mediation.referral_make(
        actor=world["association"], seller_name="小美美妆", text="多起假货投诉。", cases=[]
    )
    # When the regulator opens it in Chinese
    page = signed_in(world["regulator"]).get(f"/referrals/{r.number}").content.decode()
    # Then the office it went to is labelled as the receiving office, not as an account
    assert "接收部门" in page
    assert "收款账户" not in page


def test_the_regulator_reads_the_complainant_s_contact_address_not_a_shipping_one(
    world,  # noqa: F811
) -> None:
    # Given a complaint with the complainant's contact address
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    # When the regulator opens it in Chinese
    page = signed_in(world["regulator"]).get(f"/complaints/{c.number}").content.decode()
    # Then the address is labelled as the form asked for it, a contact address
    assert "联系地址" in page
    assert "收货地址" not in page


def test_a_complainant_s_list_names_the_seller_with_the_day_and_the_decision_s_date(
    world,  # noqa: F811
) -> None:
    # Given a complaint the buyer filed today, waiting for the regulator's decision
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    # When she opens her complaints
    page = signed_in(world["buyer"]).get("/complaints/").content.decode()
    # Then the seller's name is the link, not glued to the complaint's number
    assert f'translate="no">{c.seller_name}</a>' in page
    assert f"{c.number}</span> · " not in page
    # And it says the day she filed it and the day the regulator decides by
    assert "提交于" in page
    assert "决定期限" in page
    # And no date breaks at its hyphens on a narrow screen
    assert f'<span class="date">{c.received_at.astimezone(BEIJING):%Y-%m-%d}</span>' in page


def test_the_association_s_complaints_page_sends_its_staff_to_the_mediations(
    world,  # noqa: F811
) -> None:
    # When the association's staff open the complaints page from the menu
    page = signed_in(world["association"]).get("/complaints/").content.decode()
    # Then it says the regulator decides complaints and links the mediations
    assert 'data-testid="association-note"' in page
    assert 'href="/mediations/"' in page
    # And it does not invite them to complain about a seller as if they were a buyer
    assert "您还没有提出过投诉" not in page


def test_a_mediation_names_anxin_s_case_without_the_word_desk(world) -> None:  # noqa: F811
    # Given a mediation the buyer asked for
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    m = mediation.mediation_ask(actor=world["buyer"], complaint_number=c.number)
    m.case_number = "DS20261205000000AA"
    m.save(update_fields=["case_number"])
    # When the association's staff open it in English
    staff = Client(HTTP_ACCEPT_LANGUAGE="en")
    staff.force_login(world["association"])
    page = staff.get(f"/mediations/{m.number}").content.decode()
    # Then Anxin's case is named as a dispute case, not as a case at a desk
    assert "Anxin dispute case" in page
    assert "Case at Anxin&#x27;s desk" not in page


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_english_citations_spell_out_the_statutes_they_abbreviate(world, lang) -> None:  # noqa: F811
    # Given a complaint, whose page cites the complaint-handling measures
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    # When the complainant opens it
    reader = Client(HTTP_ACCEPT_LANGUAGE=lang)
    reader.force_login(world["buyer"])
    page = reader.get(f"/complaints/{c.number}").content.decode()
    if lang == "en":
        # Then in English the abbreviation is spelled out under the citations
        assert 'data-testid="cite-names"' in page
        assert "Measures for Handling Complaints and Reports to Market Regulators" in page
    else:
        # And in Chinese, where each label is the statute's full title, nothing is added
        assert 'data-testid="cite-names"' not in page


def test_the_statistics_page_says_received_and_links_the_other_public_pages(
    clock, buyer, seller, operator, listing, settings
) -> None:
    from anxin.supervision.tests.test_figures import mixed_history

    # Given a mixed history of cases and complaints, most not accepted by any regulator
    mixed_history(clock, buyer, seller, operator, listing, settings)
    # When a visitor opens the statistics page in Chinese
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/figures/").content.decode()
    # Then the monthly chart counts complaints received, not "accepted" (受理)
    assert "每月收到的投诉" in page
    assert "每月受理的投诉" not in page
    # And the tables say the rate is among closed cases (2 resolved of 7 reads as 100%)
    assert '<th scope="col">结案解决率</th>' in page
    # And it links the published penalties and the typical cases
    assert 'href="/penalties/"' in page
    assert 'href="/typical-cases/"' in page


def test_the_english_figures_pages_do_not_call_anxin_a_desk(
    clock, buyer, seller, operator, listing, settings
) -> None:
    from anxin.supervision.tests.test_figures import mixed_history

    # Given a mixed history
    mixed_history(clock, buyer, seller, operator, listing, settings)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    # When a visitor opens the statistics page and the seller's figures in English
    pages = [
        english.get("/figures/").content.decode(),
        english.get(f"/figures/sellers/{seller.pk}").content.decode(),
    ]
    # Then both say "disputes handled by Anxin", not the staff's word "desk"
    for page in pages:
        shown = re.sub(r"<[^>]+>", " ", page)  # the text a reader sees, not the test ids
        assert "Disputes handled by Anxin" in shown
        assert "desk" not in shown.lower()


def test_a_buyer_s_mediations_lead_with_the_seller_and_staff_rows_keep_their_spaces(
    world,  # noqa: F811
) -> None:
    # Given a mediation the buyer asked for on her complaint
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    m = mediation.mediation_ask(actor=world["buyer"], complaint_number=c.number)
    # When she opens her mediations
    page = signed_in(world["buyer"]).get("/mediations/").content.decode()
    # Then the seller's name is the link, with the status, the limit and the day it began
    assert f'translate="no">{m.seller_name}</a>' in page
    assert "调解编号" in page
    # When the regulator and the association open their lists
    queue = signed_in(world["regulator"]).get("/complaints/").content.decode()
    mediations = signed_in(world["association"]).get("/mediations/").content.decode()
    # Then number and seller are apart: plain spaces in a link laid out as a flex box are
    # dropped, so they are non-breaking
    assert f"{c.number}</span>&nbsp;·&nbsp;<span" in queue
    assert f"{m.number}</span>&nbsp;·&nbsp;<span" in mediations


def test_an_ended_mediation_says_when_it_ended(world) -> None:  # noqa: F811
    # Given a mediation the association ended without agreement
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    m = mediation.mediation_ask(actor=world["buyer"], complaint_number=c.number)
    signed_in(world["association"]).post(f"/mediations/{m.number}/failed", {"text": "拒绝调解"})
    m.refresh_from_db()
    assert m.ended_at is not None
    # When the buyer opens it
    page = signed_in(world["buyer"]).get(f"/mediations/{m.number}").content.decode()
    # Then it says when it ended
    assert 'data-testid="ended-at"' in page
    assert "结束时间" in page


def test_an_accepted_complaint_tells_the_complainant_what_happens_next(world) -> None:  # noqa: F811
    # Given a complaint the regulator accepted
    c = services.complaint_file(actor=world["buyer"], seller=outside(), materials=materials())
    services.complaint_admit(actor=world["regulator"], number=c.number)
    # When the complainant and the regulator open it
    mine = signed_in(world["buyer"]).get(f"/complaints/{c.number}").content.decode()
    staff = signed_in(world["regulator"]).get(f"/complaints/{c.number}").content.decode()
    # Then the complainant reads what comes after "accepted", the regulator does not
    assert 'data-testid="next-after-admitted"' in mine
    assert "组织调解" in mine
    assert 'data-testid="next-after-admitted"' not in staff
