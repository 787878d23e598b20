"""When Argo v3.6.5 retries a node (processNodeRetries), decided without running anything."""

from __future__ import annotations

import pytest

from lab.rehearsal.retries import Ended, decide, is_transient


def ended(*phases: str, message: str = "Error (exit code 1)", step: float = 1.0) -> list[Ended]:
    """Attempts that each ran ``step`` seconds, one after another from time 0."""
    return [Ended(p, message, i * step, i * step + 0.1) for i, p in enumerate(phases)]


@pytest.mark.parametrize(
    ("policy", "phase", "retry"),
    [
        ("OnFailure", "Failed", True),
        ("OnFailure", "Error", False),
        ("OnError", "Failed", False),
        ("OnError", "Error", True),
        ("Always", "Error", True),
        (None, "Failed", True),  # the default is OnFailure
    ],
)
def test_policies(policy: str | None, phase: str, retry: bool) -> None:
    strategy = {"limit": 3, **({"retryPolicy": policy} if policy else {})}
    assert decide(strategy, ended(phase), 0.2, None).retry is retry


def test_on_transient_error_retries_only_transient_messages() -> None:
    strategy = {"limit": 3, "retryPolicy": "OnTransientError"}
    assert not decide(strategy, ended("Failed"), 0.2, None).retry
    refused = ended("Error", message="dial tcp 10.0.0.1:80: connect: connection refused")
    assert decide(strategy, refused, 0.2, None).retry
    assert is_transient("read: connection reset by peer")


def test_the_limit_counts_retries_not_attempts() -> None:
    assert decide({"limit": "2"}, ended("Failed", "Failed"), 2.0, None).retry
    verdict = decide({"limit": "2"}, ended("Failed", "Failed", "Failed"), 3.0, None)
    assert (verdict.retry, verdict.phase) == (False, "Failed")
    assert verdict.message.startswith("No more retries left (attempt 3: Error (exit code 1))")


def test_without_a_limit_it_retries_and_skips_the_backoff() -> None:
    verdict = decide({"backoff": {"duration": "10s"}}, ended(*["Failed"] * 9), 9.0, None)
    assert verdict.retry and verdict.wait_s == 0


def test_backoff_grows_by_the_factor() -> None:
    strategy = {"limit": 5, "backoff": {"duration": "10", "factor": 2}}
    assert decide(strategy, ended("Failed"), 0.1, None).wait_s == pytest.approx(10)
    assert decide(strategy, ended("Failed", "Failed"), 1.1, None).wait_s == pytest.approx(20)


def test_max_duration_stops_before_a_backoff_that_would_pass_it() -> None:
    strategy = {"limit": 9, "backoff": {"duration": "500ms", "factor": 2, "maxDuration": "1s"}}
    first = decide(strategy, ended("Failed", step=0.5), 0.1, None)
    assert first.retry and first.wait_s == pytest.approx(0.5) and first.deadline == 1.0
    verdict = decide(strategy, ended("Failed", "Failed", step=0.5), 0.6, None)
    assert (verdict.retry, verdict.message) == (False, "Backoff would exceed max duration limit")
    late = decide(strategy, ended("Failed"), 1.5, None)
    assert (late.retry, late.message) == (False, "Max duration limit exceeded")


def test_a_backoff_without_duration_errors_the_node() -> None:
    verdict = decide({"limit": 1, "backoff": {"factor": 2}}, ended("Failed"), 0.2, None)
    assert (verdict.phase, verdict.message) == (
        "Error",
        "no base duration specified for retryStrategy",
    )


def test_the_workflow_deadline_stops_retries() -> None:
    verdict = decide({"limit": 5}, ended("Failed"), 10.0, workflow_deadline=5.0)
    assert (verdict.retry, verdict.message) == (False, "retry exceeded workflow deadline")


def test_success_ends_the_retries() -> None:
    verdict = decide({"limit": 5}, ended("Failed", "Succeeded"), 2.0, None)
    assert (verdict.retry, verdict.phase) == (False, "Succeeded")
