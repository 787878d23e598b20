"""Parameter and loop-item values as Argo's Go code turns them into text."""

from __future__ import annotations

import pytest

from lab.argo.values import as_text, go_json, item_label, item_variables


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "true"), (3, "3"), (1.0, "1"), (0.5, "0.5"), (1e21, "1000000000000000000000"),
     (None, ""), ("x", "x")],
)  # fmt: skip
def test_any_string(value, text: str) -> None:
    assert as_text(value) == text


def test_map_items_sort_their_keys_as_go_json_does() -> None:
    item = {"zeta": 1, "alpha": "a<b", "mid": [1, 2]}
    values = item_variables(item)
    assert values["item"] == '{"alpha":"a\\u003cb","mid":[1,2],"zeta":1}'
    assert values["item.alpha"] == "a<b" and values["item.zeta"] == "1"
    assert values["item.mid"] == "[1,2]"
    assert item_label(item) == "alpha:a<b,mid:[1,2],zeta:1"


def test_scalar_items() -> None:
    assert item_variables("b") == {"item": "b"}
    assert item_variables(2) == {"item": "2"}
    assert item_variables(True) == {"item": "true"}
    assert item_variables([1, "x"]) == {"item": '[1,"x"]'}
    assert item_label("a(b)") == "ab"  # node names drop parentheses


def test_go_json_whole_floats() -> None:
    assert go_json({"n": 2.0}) == '{"n":2}'
