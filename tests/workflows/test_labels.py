"""The words of the workflow pictures."""

from __future__ import annotations

from lab.workflows.labels import describe_template, label, loop_details, parameter_list, quote


def test_labels_and_quoting() -> None:
    assert quote('a"b') == '"a\\"b"'
    assert label("t", "d <1>") == '<<B>t</B><BR/><FONT POINT-SIZE="9">d &lt;1&gt;</FONT>>'


def test_details() -> None:
    assert describe_template({"script": {"image": "alpine:3.21.3"}}) == "script · alpine:3.21.3"
    assert describe_template({"resource": {"action": "create"}}) == "resource create"
    assert parameter_list({"parameters": [{"name": "a"}, {"name": "b", "value": ""}]}) == [
        "a",
        'b = ""',
    ]
    assert loop_details({"withItems": [1, 2]}) == ["for each of 2 items"]
