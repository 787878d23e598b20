"""Parse pandoc attribute blocks such as `{#id .cell .code tags="[\"parameters\"]"}`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:.")


@dataclass(frozen=True)
class Attributes:
    """An identifier, classes and key=value pairs, in the order written."""

    identifier: str = ""
    classes: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        """The value of `key`, or `default` when it is not given."""
        return dict(self.pairs).get(key, default)

    def keys(self) -> list[str]:
        """The keys, in the order written."""
        return [key for key, _ in self.pairs]


def parse_attributes(text: str) -> Attributes:
    """Parse `{...}` the way pandoc reads attributes; raise ValueError saying what is wrong."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError(f"attributes must be written in braces, got {text!r}")
    body, pos = text[1:-1], 0
    identifier, classes, pairs = "", [], {}
    while True:
        while pos < len(body) and body[pos].isspace():
            pos += 1
        if pos >= len(body):
            break
        start = pos
        while pos < len(body) and not body[pos].isspace() and body[pos] != "=":
            pos += 1
        word = body[start:pos]
        if pos < len(body) and body[pos] == "=":
            if not word or not set(word) <= _KEY_CHARS:
                raise ValueError(f"bad attribute name {word!r} in {text}")
            if word in pairs:
                raise ValueError(f"attribute {word!r} is given twice in {text}")
            pairs[word], pos = _value(body, pos + 1, text)
        elif word.startswith("#") and len(word) > 1:
            if identifier:
                raise ValueError(f"two identifiers (#{identifier}, {word}) in {text}")
            identifier = word[1:]
        elif word.startswith(".") and len(word) > 1:
            classes.append(word[1:])
        else:
            raise ValueError(f"{word!r} is not .class, #id or key=value in {text}")
    if "id" in pairs:
        if identifier:
            raise ValueError(f"both #{identifier} and id= given in {text}")
        identifier = pairs.pop("id")
    return Attributes(identifier, tuple(classes), tuple(pairs.items()))


def _value(body: str, pos: int, text: str) -> tuple[str, int]:
    """Read one value (bare, "double" or 'single' quoted with backslash escapes) at `pos`."""
    if pos < len(body) and body[pos] in "\"'":
        quote, pos, out = body[pos], pos + 1, []
        while pos < len(body) and body[pos] != quote:
            if body[pos] == "\\" and pos + 1 < len(body):
                pos += 1
            out.append(body[pos])
            pos += 1
        if pos >= len(body):
            raise ValueError(f"unclosed {quote} quote in {text}")
        return "".join(out), pos + 1
    start = pos
    while pos < len(body) and not body[pos].isspace() and body[pos] not in "\"'":
        pos += 1
    return body[start:pos], pos


def metadata_value(value: str) -> Any:
    """Read an attribute value as pandoc does for cell metadata: JSON when it parses, else text."""
    try:
        return json.loads(value, parse_constant=_reject)
    except ValueError:
        return value


def _reject(name: str) -> Any:
    """Refuse NaN and Infinity, which are not JSON."""
    raise ValueError(name)
