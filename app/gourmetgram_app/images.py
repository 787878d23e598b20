"""Open an uploaded photo without letting its size decide how much memory the app uses.

A 420 KB PNG can hold 12000×12000 pixels, which take over 1 GB to decode. The pixel count
is read from the file's header and checked before anything is decoded; JPEGs are decoded
at a reduced scale (DCT scaling, Pillow's `draft`) when the model needs far fewer pixels.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

#: Decode a JPEG at the smallest scale that keeps this many times the model's input size on
#: each side, as Pillow's own `Image.thumbnail` does (its `reducing_gap`).
REDUCING_GAP = 2


class ImageRejectedError(ValueError):
    """Raised when an upload cannot be classified; `status_code` is the HTTP answer."""

    status_code = 400


class NotAnImageError(ImageRejectedError):
    """Raised when an upload is not an image Pillow can read, or its data is damaged."""


class ImageTooLargeError(ImageRejectedError):
    """Raised when an image has more pixels than the app decodes (MAX_IMAGE_PIXELS)."""

    status_code = 413


def megapixels(pixels: int) -> str:
    """A pixel count for people: '144 MP'."""
    return f"{pixels / 1e6:.3g} MP"


def open_image(data: bytes, name: str, max_pixels: int, model_size: int) -> Image.Image:
    """The upload `data` (called `name` in messages), decoded, ready to preprocess.

    Raises:
        ImageTooLargeError: the header announces more than `max_pixels` pixels (checked
            before decoding), or Pillow calls it a decompression bomb.
        NotAnImageError: not an image, or damaged or truncated image data.
    """
    too_large = (
        f"the app decodes images of at most {megapixels(max_pixels)} (MAX_IMAGE_PIXELS): "
        "send a smaller photo"
    )
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"{name} is far too large: {too_large}") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise NotAnImageError(
            f"{name} is not an image the app can read (JPEG, PNG, GIF, BMP, WebP, ...)"
        ) from exc
    width, height = image.size
    if width * height > max_pixels:
        image.close()
        raise ImageTooLargeError(
            f"{name} is {width}×{height} pixels ({megapixels(width * height)}); {too_large}"
        )
    side = REDUCING_GAP * model_size
    image.draft("RGB", (side, side))  # only JPEG (and PCD) implement it; others ignore it
    try:
        image.load()
    except Image.DecompressionBombError as exc:
        raise ImageTooLargeError(f"{name} is far too large: {too_large}") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise NotAnImageError(
            f"{name} is not an image the app can read: its data is damaged or truncated"
        ) from exc
    return image
