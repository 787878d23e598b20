"""Tests for pandoc attribute parsing and cell metadata values."""

from __future__ import annotations

import pytest

from lab.notebooks.attributes import Attributes, metadata_value, parse_attributes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{.cell .markdown}", Attributes("", ("cell", "markdown"), ())),
        (
            '{.cell .code tags="[\\"parameters\\"]"}',
            Attributes("", ("cell", "code"), (("tags", '["parameters"]'),)),
        ),
        ("{#intro .cell .code}", Attributes("intro", ("cell", "code"), ())),
        ('{.cell id="x1" k=bare}', Attributes("x1", ("cell",), (("k", "bare"),))),
        (
            "{ .python   include='a b.py' part=f }",
            Attributes("", ("python",), (("include", "a b.py"), ("part", "f"))),
        ),
        ("{}", Attributes()),
    ],
)
def test_parse_attributes(text: str, expected: Attributes) -> None:
    assert parse_attributes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{.cell tags="[1]}',
        "{.cell bogus}",
        "{.cell a=1 a=2}",
        "{#a #b}",
        ".cell .code",
        "{#x id=y}",
    ],
)
def test_bad_attributes_say_what_is_wrong(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_attributes(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["parameters"]', ["parameters"]),
        ("3", 3),
        ("true", True),
        ("null", None),
        ('{"a": 1}', {"a": 1}),
        ("a: b", "a: b"),
        ("", ""),
        ("NaN", "NaN"),
        ('"s"', "s"),
    ],
)
def test_metadata_values_are_json_when_they_parse(value: str, expected: object) -> None:
    assert metadata_value(value) == expected
