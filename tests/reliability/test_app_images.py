"""The app's image opening on its own: reduced-scale JPEG decoding and the errors it raises."""

from __future__ import annotations

import pytest

from gourmetgram_app.images import ImageTooLargeError, NotAnImageError, open_image
from tests.reliability.images import photo


def test_jpegs_are_decoded_at_a_reduced_scale() -> None:
    image = open_image(photo((4000, 3000)), "big.jpg", max_pixels=40_000_000, model_size=32)
    # DCT scaling by 1/8 still leaves more than twice the model's 32 px on each side.
    assert image.size == (500, 375) and image.mode == "RGB"
    assert open_image(photo((4000, 3000), "PNG"), "big.png", 40_000_000, 32).size == (4000, 3000)


def test_open_image_raises_what_the_api_answers() -> None:
    with pytest.raises(ImageTooLargeError) as too_large:
        open_image(photo((5000, 5000)), "p.jpg", max_pixels=1_000_000, model_size=32)
    assert too_large.value.status_code == 413 and "5000×5000 pixels (25 MP)" in str(too_large.value)
    with pytest.raises(NotAnImageError) as not_image:
        open_image(b"GIF89a" + b"\x00" * 20, "p.gif", max_pixels=1_000_000, model_size=32)
    assert not_image.value.status_code == 400
