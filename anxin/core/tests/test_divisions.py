"""The administrative divisions Anxin places organisations and complaints by."""

from __future__ import annotations

import hashlib

import pytest

from anxin.core import divisions
from anxin.core.errors import ValidationFailed


def test_the_data_file_is_the_one_the_readme_names() -> None:
    # Given the vendored file and the checksum its README gives
    readme = (divisions.DATA.parent / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(divisions.DATA.read_bytes()).hexdigest()
    # Then they agree
    assert f"`divisions.json` SHA-256: `{digest}`" in readme


def test_a_county_climbs_to_its_city_and_province() -> None:
    # When Xihu district's chain is asked for
    # Then it is the district, Hangzhou, Zhejiang, nearest first, each with its name
    assert divisions.division_chain("330106") == ["330106", "330100", "330000"]
    assert divisions.division_label("330106") == "浙江省 杭州市 西湖区"
    # And a municipality's 市辖区 level is left out of the label
    assert divisions.division_label("110105") == "北京市 朝阳区"


def test_the_pickers_list_what_lies_under_a_division() -> None:
    # When the provinces, Zhejiang's cities and Hangzhou's districts are listed
    provinces = dict(divisions.divisions_under(""))
    cities = dict(divisions.divisions_under("330000"))
    districts = dict(divisions.divisions_under("330100"))
    # Then each level holds its own divisions only
    assert len(provinces) == 31
    assert provinces["330000"] == "浙江省"
    assert cities["330100"] == "杭州市"
    assert "330106" not in cities
    assert districts["330106"] == "西湖区"


@pytest.mark.parametrize("raw", ["", "33010", "3301066", "999999", "abcdef", None])
def test_a_code_that_is_not_a_division_is_refused(raw: object) -> None:
    # When a form gives something that is not a six-digit division code
    with pytest.raises(ValidationFailed) as e:
        divisions.division_clean(raw, "region")
    # Then it is refused naming the field
    assert e.value.field == "region"
