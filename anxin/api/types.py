"""The API's integer types, in one place. A whole number in a JSON body is a JSON integer:
pydantic on its own would also take `true`, `"7"` and `1.0` for 1 and 7, and any integer
however long, which the database then fails on. Parameters in the path, the query string or a
form are text by nature, so they are parsed, but within the same bounds."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from anxin.core.text import INT_MAX, INT_MIN

# A whole number in a JSON body: amounts in fen, quantities, ratings, days, ids.
Whole = Annotated[int, Strict(), Field(ge=INT_MIN, le=INT_MAX)]
# A whole number in the path, the query string or a multipart form.
WholeParam = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
# A row's id in the path.
Id = Annotated[int, Field(ge=1, le=INT_MAX)]
