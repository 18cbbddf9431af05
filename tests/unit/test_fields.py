"""providers/fields.py: a reply's optional fields read defensively (a wrong type is unknown, never an error)."""

from __future__ import annotations

import math

import pytest

from providers.fields import count, obj, opt_str, seq


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, 12), (0, 0), (12.0, 12), ("12", 12), (" 7 ", 7), (-1, None), (1.5, None), (True, None),
     (math.inf, None), (math.nan, None), ("x", None), ([3], None), ({"n": 3}, None), (None, None)],
)  # fmt: skip
def test_count(value: object, expected: int | None) -> None:
    assert count(value) == expected


def test_text_objects_and_arrays() -> None:
    assert opt_str("gpt") == "gpt" and opt_str("") == ""
    assert [opt_str(v) for v in (None, 1, ["gpt"], {"a": 1}, True)] == [None] * 5
    assert obj({"a": 1}) == {"a": 1} and [obj(v) for v in ([], "x", None, 1)] == [{}] * 4
    assert seq([1]) == [1] and [seq(v) for v in ({}, "x", None)] == [[]] * 3
