"""``when`` expressions: what Argo's govaluate evaluates, and what the rehearsal refuses."""

from __future__ import annotations

import pytest

from lab.rehearsal.conditions import evaluate_when
from lab.rehearsal.errors import ConditionError, UnsupportedCondition


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("'3' != ''", True),
        ("'' != ''", False),
        ("3 != ''", True),  # a number is never equal to a string
        ("heads == heads", True),  # bare words become strings, as in Argo
        ("heads == tails", False),
        ("\"a\" == 'a'", True),
        ("'it\\'s' == 'it\\'s'", True),
        ("3 == 3.0", True),
        ("10 > 9", True),
        ("'10' > '9'", False),  # strings compare as strings
        ("2 <= 2 && 1 < 2", True),
        ("1 >= 2 || 3 > 2", True),
        ("!(1 == 1)", False),
        ("!false && true", True),
        ("(1 == 2 || 2 == 2) && heads != tails", True),
        ("-1 < 0", True),
        ("'v1.2' =~ '^v[0-9]+'", True),
        ("'main' !~ 'rel'", True),
        ("true", True),
        ("", True),  # Argo runs a step whose condition is empty
    ],
)
def test_when_evaluates_like_argo(expr: str, expected: bool) -> None:
    assert evaluate_when(expr) is expected


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        (" != ''", "unexpected"),  # an empty unquoted result: Argo fails too
        ("'open", "unclosed string"),
        ('"it\'s" == x', "unclosed string"),  # like govaluate, either quote ends a string
        ("(1 == 1", "unbalanced"),
        ("1 == 1)", "unexpected"),
        ("1.0.3 == 1.0.3", "quote it"),
        ("'abc'", "not true or false"),
        ("1 && true", "not a boolean"),
        ("1 < 'a'", "both sides"),
        ("a === b", "invalid token"),
        ("'x' =~ '('", "regular expression"),
    ],
)
def test_invalid_when_is_an_error(expr: str, fragment: str) -> None:
    with pytest.raises(ConditionError, match=fragment):
        evaluate_when(expr)


@pytest.mark.parametrize(
    "expr",
    ["1 + 1 == 2", "2 * 3 > 1", "a in (a, b)", "1 - 1 == 0", "x ?? y", "1 > 0 ? a : b", "1 | 2"],
)
def test_other_govaluate_operators_are_refused(expr: str) -> None:
    with pytest.raises(UnsupportedCondition, match="not supported"):
        evaluate_when(expr)
