"""Test images that are small files but large pictures, written without decoding them."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

# PNG colour types: 0 greyscale, 2 RGB (8 bits per sample here; greyscale may use 1 bit).
GREY, RGB = 0, 2


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def blank_png(width: int, height: int, colour_type: int = RGB, bit_depth: int = 8) -> bytes:
    """A valid all-black PNG of width×height; a 12000×12000 RGB one is about 420 KB."""
    channels = 3 if colour_type == RGB else 1
    row = b"\x00" * (1 + (width * channels * bit_depth + 7) // 8)  # filter byte, then pixels
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", b"".join(parts)),
            _chunk(b"IEND", b""),
        ]
    )


def photo(size: tuple[int, int], fmt: str = "JPEG", colour: tuple[int, int, int] = (200, 150, 60)):
    """A plain image file of `size` in memory."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()
