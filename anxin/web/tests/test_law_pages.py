import datetime as dt

import pytest
from django.test import Client

from anxin.law.catalogue import FILES, statute
from anxin.web.templatetags.anxin import cite_label, cite_url

pytestmark = pytest.mark.django_db


def test_the_index_lists_every_statute_version() -> None:
    # When the law index is opened
    page = Client().get("/law/").content.decode()
    # Then it links every version of every statute
    for sid, version, _ in FILES:
        assert f"/law/{sid}/{version}/" in page
    # And a version replaced by a later one says until when it was in force
    assert "施行期间 2019-04-23 至 2025-10-14" in page
    assert "施行期间 2020-01-01 至 2026-04-14" in page


def test_a_statute_page_has_an_anchor_per_article_and_english_glosses() -> None:
    # When the consumer protection law's page is opened in Chinese
    c = Client()
    page = c.get("/law/CRPL/").content.decode()
    # Then each article has an anchor, and no English gloss is shown
    assert page.count('<article id="art-') == len(statute("CRPL").articles)
    assert 'id="art-25"' in page
    assert "七日内退货" in page
    assert "English gloss" not in page  # the default language is Chinese
    # When the reader switches to English
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get("/law/CRPL/").content.decode()
    # Then the articles carry English glosses
    assert "English gloss" in page
    assert "without giving a reason" in page


def test_versions_and_unknown_statutes() -> None:
    c = Client()
    # When the current AUCL is opened
    # Then it links its older version, which opens
    assert "2019-04-23" in c.get("/law/AUCL/").content.decode()  # links the older version
    assert c.get("/law/AUCL/2019-04-23/").status_code == 200
    # When an unknown statute or version is asked for
    # Then it is not found
    assert c.get("/law/NOPE/").status_code == 404
    assert c.get("/law/CRPL/1999-01-01/").status_code == 404


def test_citations_link_to_their_article() -> None:
    # Given a citation of an article
    c = {"statute": "NRR", "article": 10}
    # Then it links to that article's anchor on the statute's page
    assert cite_url(c) == "/law/NRR/#art-10"
    # And a citation of a paragraph is labelled with the statute's name, article and paragraph
    assert (
        cite_label({"statute": "CRPL", "article": 25, "paragraph": 1})
        == "《消费者权益保护法》第25条第1款"
    )


# --- statutes whose versions number their articles differently (CRM, AUCL) -----------------


def test_a_citation_names_the_version_in_force_on_the_day_the_rule_applied() -> None:
    from django.utils import translation

    crm14 = {"statute": "CRM", "article": 14}
    # Given CRM Art. 14 cited for a complaint received under the 2022 interim measures
    interim = dt.date(2025, 6, 2)
    # When it is linked and labelled
    # Then it opens Art. 14 of the interim measures, under their own title
    assert cite_url(crm14, interim) == "/law/CRM/2020-01-01/#art-14"
    assert cite_label(crm14, interim) == "《市场监督管理投诉举报处理暂行办法》第14条"
    # Given the same article cited for a complaint received under the 2026 measures
    measures = dt.datetime(2026, 4, 15, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    # Then it opens the 2026 measures' Art. 14
    assert cite_url(crm14, measures) == "/law/CRM/2026-04-15/#art-14"
    assert cite_label(crm14, measures) == "《市场监督管理投诉举报处理办法》第14条"
    # Given AUCL Art. 10 cited for an act the day before the 2025 revision, its versions
    # sharing one title
    aucl = {"statute": "AUCL", "article": 10, "paragraph": 1}
    # Then it opens the 2019 text, and the label says which by its year
    assert cite_url(aucl, "2025-10-14") == "/law/AUCL/2019-04-23/#art-10"
    assert cite_label(aucl, "2025-10-14") == "《反不正当竞争法》（2019年版）第10条第1款"
    assert cite_url(aucl, "2025-10-15") == "/law/AUCL/2025-10-15/#art-10"
    # And in English the version is named by the year it is known by
    with translation.override("en"):
        assert cite_label(crm14, interim) == "CRM (2022) Art. 14"
        assert cite_label(crm14, measures) == "CRM (2026) Art. 14"
        assert cite_label(aucl, "2025-10-14") == "AUCL (2019) Art. 10(1)"
    # And a case before the first version Anxin holds cites the first version
    assert cite_url(crm14, dt.date(2019, 12, 31)) == "/law/CRM/2020-01-01/#art-14"


def test_a_single_version_statute_keeps_its_plain_link_and_label() -> None:
    from django.utils import translation

    # Given a citation of a statute Anxin holds one version of, made for a dated case
    c = {"statute": "CRPL", "article": 25, "paragraph": 1}
    # When it is linked and labelled
    # Then the link and label are those of a citation with no date
    assert cite_url(c, dt.date(2025, 6, 2)) == cite_url(c) == "/law/CRPL/#art-25"
    assert cite_label(c, dt.date(2025, 6, 2)) == "《消费者权益保护法》第25条第1款"
    with translation.override("en"):
        assert cite_label(c, dt.date(2025, 6, 2)) == "CRPL Art. 25(1)"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_old_version_says_until_when_it_applied_and_links_the_current_one(lang) -> None:
    # Given a reader in Chinese or English
    c = Client(HTTP_ACCEPT_LANGUAGE=lang)
    # When they open the 2022 interim complaint-handling measures
    page = c.get("/law/CRM/2020-01-01/").content.decode()
    # Then every article has its anchor
    assert page.count('<article id="art-') == len(statute("CRM", dt.date(2025, 1, 1)).articles)
    assert 'id="art-14"' in page
    # And the page says it applied until 2026-04-14, and links the version in force today
    note = {
        "zh-hans": "此版本已失效，施行至 2026-04-14",
        "en": "This version is no longer in force: it applied until 2026-04-14",
    }[lang]
    assert note in page
    assert '<a href="/law/CRM/2026-04-15/" data-testid="version-today">' in page
    # When they open the 2026 measures
    page = c.get("/law/CRM/2026-04-15/").content.decode()
    # Then no such note shows, and the list of versions links the interim measures by title
    assert 'data-testid="version-note"' not in page
    assert '<a href="/law/CRM/2020-01-01/">市场监督管理投诉举报处理暂行办法</a>' in page
    assert {
        "zh-hans": "施行期间 2020-01-01 至 2026-04-14",
        "en": "in force from 2020-01-01 to 2026-04-14",
    }[lang] in page
