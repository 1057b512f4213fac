"""The region picker: province, then city, then county, as three selects that fill each
other (htmx swaps the picker when one changes; without scripts, the form posts all three and
`region_from` takes the most specific that fits). Used wherever a page asks for an
administrative division: a complaint's seller, a shop's address, an organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from anxin.core.divisions import division_chain, division_name, divisions_under


def region_from(data: QueryDict | dict[str, Any], name: str) -> str:
    """The code the picker `name` stands at: its county, else its city, else its province,
    each kept only if it lies under the one above; "" when nothing is picked."""
    province = str(data.get(f"{name}_province", "") or "")
    city = str(data.get(f"{name}_city", "") or "")
    county = str(data.get(f"{name}_county", "") or "")
    if not division_name(province) or not province.endswith("0000"):
        return str(data.get(name, "") or "")
    if not (division_name(city) and city.startswith(province[:2]) and city != province):
        return province
    if division_name(county) and county.startswith(city[:4]) and county != city:
        return county
    return city


def picker_context(name: str, code: str, label: str = "") -> dict[str, Any]:
    chain = list(reversed(division_chain(code))) if code else []
    province = next((c for c in chain if c.endswith("0000")), "")
    city = next((c for c in chain if c.endswith("00") and not c.endswith("0000")), "")
    county = next((c for c in chain if not c.endswith("00")), "")
    return {
        "name": name,
        "label": label,
        "code": code,
        "province": province,
        "city": city,
        "county": county,
        "provinces": divisions_under(""),
        "cities": divisions_under(province) if province else [],
        "counties": divisions_under(city) if city else [],
    }


@require_GET
def region_picker(request: HttpRequest) -> HttpResponse:
    """The picker again, standing at what its selects now say (htmx, on a change)."""
    name = request.GET.get("picker", "region")
    if not name.isidentifier():
        name = "region"
    code = region_from(request.GET, name)
    return render(
        request,
        "web/_region_picker.html",
        picker_context(name, code, request.GET.get("label", "")),
    )
