"""The catalogue splits every official text into exactly its articles."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.law.catalogue import catalogue, cn_number, statute


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("一", 1),
        ("七", 7),
        ("十", 10),
        ("十五", 15),
        ("二十五", 25),
        ("一百零八", 108),
        ("一百五十四", 154),
        ("一千二百五十九", 1259),
        ("五百八十六", 586),
    ],
)
def test_chinese_numerals(text: str, n: int) -> None:
    # Then each Chinese numeral reads as its number
    assert cn_number(text) == n


def test_a_bad_numeral_is_refused() -> None:
    # When a numeral with a stray letter is read
    # Then it is refused
    with pytest.raises(ValueError, match="not a Chinese numeral"):
        cn_number("十X")


# The article counts the texts' README states for each file.
COUNTS = {
    "crpl.md": 63,
    "crpl-implementing-regulation.md": 53,
    "no-reason-return-measures.md": 38,
    "e-commerce-law.md": 89,
    "online-trading-supervision-measures.md": 56,
    "price-marking-and-price-fraud-rules.md": 27,
    "food-safety-law.md": 154,
    "pyramid-selling-prohibition.md": 30,
    "pipl.md": 74,
    "anti-unfair-competition-law-2019.md": 33,
    "anti-unfair-competition-law-2025.md": 41,
    "spc-online-consumption-disputes-2022.md": 20,
    "promotion-conduct-rules.md": 31,
    "civil-procedure-law-2023.md": 306,
    "litigation-fees-measures.md": 56,
    "price-law.md": 48,
    "price-violation-penalty-rules.md": 25,
    "advertising-law.md": 74,
    "direct-selling-regulation.md": 55,
    "contract-general-interpretation-2023.md": 69,
    "complaint-handling-measures-2022.md": 40,
    "complaint-handling-measures-2026.md": 46,
    "penalty-disclosure-rules-2021.md": 19,
    "people-mediation-law.md": 35,
}
# The excerpt files and the articles each holds.
EXCERPTS = {
    "civil-code-excerpts.md": [200, 201, 202, 203, 204, 586, 587, 588, 1259],
    "civil-procedure-interpretation-excerpts.md": [20, *range(271, 284)],
}


def test_every_text_has_its_articles_numbered_from_one() -> None:
    # When every text in the catalogue is split into articles
    seen = set()
    for s in catalogue().values():
        seen.add(s.file)
        # Then the excerpts hold exactly their articles
        if s.file in EXCERPTS:
            assert sorted(s.articles) == EXCERPTS[s.file], s.file
            continue
        # And every other text holds articles 1 to its README count, each with words
        assert sorted(s.articles) == list(range(1, COUNTS[s.file] + 1)), s.file
        assert all(a.text for a in s.articles.values()), s.file
    # And no text file is missing or extra
    assert seen == {*COUNTS, *EXCERPTS}


def test_articles_read_as_the_law_does() -> None:
    # When the consumer-protection law is looked up
    crpl = statute("CRPL")
    # Then its title and article 25 read as the official text
    assert crpl.title == "中华人民共和国消费者权益保护法"
    a25 = crpl.article(25)
    assert a25.text.startswith("经营者采用网络、电视、电话、邮购等方式销售商品")
    assert "七日内退货" in a25.text
    assert len(a25.paragraphs) >= 2
    # And the punitive-damages articles name three-fold and ten-fold damages
    assert "三倍" in crpl.article(55).text
    assert "十倍" in statute("FSL").article(148).text
    # And an article past the last one is refused naming the statute and number
    with pytest.raises(KeyError, match="CRPL has no article 64"):
        crpl.article(64)


def test_the_version_in_force_on_a_date() -> None:
    # When the competition law is asked for on the day before and the day of its 2025 revision
    # Then each date gets the version then in force
    assert statute("AUCL", dt.date(2025, 10, 14)).version == "2019-04-23"
    assert statute("AUCL", dt.date(2025, 10, 15)).version == "2025-10-15"
    # And a law asked for before it came into force is refused
    with pytest.raises(KeyError, match="not in force"):
        statute("PIPL", dt.date(2020, 1, 1))
