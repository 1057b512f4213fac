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
