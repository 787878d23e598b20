"""Timing values read as Argo v3.6.5 reads them, checked before a run."""

from __future__ import annotations

import pytest

from lab.rehearsal.errors import RehearsalUnsupported, TemplateInvalid
from lab.rehearsal.timing import check_deadlines, check_retry


def test_good_retry_strategies_pass_and_affinity_is_noted() -> None:
    notes: list[str] = []
    check_retry({"limit": "3", "backoff": {"duration": "500ms", "factor": 2, "maxDuration": "1m"},
                 "affinity": {}}, "t.retryStrategy", notes)  # fmt: skip
    assert notes == ["t.retryStrategy.affinity has no effect here (cluster only); ignored"]


@pytest.mark.parametrize(
    ("retry", "error", "fragment"),
    [
        ({"limit": "x"}, TemplateInvalid, "limit: value 'x' cannot be resolved to an int"),
        ({"backoff": {"duration": "1.5"}}, TemplateInvalid, "unable to parse '1.5'"),
        ({"backoff": {"duration": "1s", "maxDuration": "soon"}}, TemplateInvalid, "maxDuration"),
        ({"expression": "x"}, RehearsalUnsupported, "retryStrategy.expression"),
    ],
)
def test_bad_retry_strategies(retry: dict, error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        check_retry(retry, "t.retryStrategy", [])


def test_deadlines() -> None:
    notes: list[str] = []
    check_deadlines({"timeout": "90s", "activeDeadlineSeconds": "30"}, "script", "t", notes)
    check_deadlines({"timeout": "{{inputs.parameters.t}}"}, "script", "t", notes)
    assert notes == []
    check_deadlines({"timeout": "1m"}, "dag", "t", notes)
    assert "timeout has no effect on a dag template" in notes[0]
    with pytest.raises(TemplateInvalid, match="invalid timeout format"):
        check_deadlines({"timeout": "90"}, "script", "t", [])
