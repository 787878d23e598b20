"""The image-handler interface: results a step can end in, and which handler an image gets."""

from __future__ import annotations

import pytest

from lab.rehearsal.hooks import HandlerResult, find_handler


def test_a_handler_result_is_succeeded_or_failed() -> None:
    assert HandlerResult().phase == "Succeeded"
    assert HandlerResult("Failed", "no builder").message == "no builder"
    with pytest.raises(ValueError, match="must be 'Succeeded' or 'Failed'"):
        HandlerResult("Error")


def test_the_longest_matching_prefix_wins() -> None:
    handlers = {"moby/": lambda c: HandlerResult(), "moby/buildkit": lambda c: HandlerResult()}
    assert find_handler("moby/buildkit:v0.23.1", handlers)[0] == "moby/buildkit"
    assert find_handler("alpine:3.21.3", handlers) is None
