"""Evaluate ``when`` expressions as Argo does (govaluate, bare words as strings), without eval().

Supported: string literals ('x' or "x"), numbers, true/false, bare words (Argo turns them into
strings, so ``heads == heads`` works), ``== != < > <= >= =~ !~ && || !``, unary minus on numbers
and parentheses. Other govaluate operators (arithmetic, bitwise, ``in``, ternary, ``??``) are
refused with :class:`UnsupportedCondition`; malformed input raises :class:`ConditionError`.
Unlike govaluate, quoted dates stay strings (govaluate would compare them as times).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NoReturn

from lab.rehearsal.errors import ConditionError, UnsupportedCondition

COMPARATORS = ("==", "!=", ">", "<", ">=", "<=", "=~", "!~")
LOGICAL = ("&&", "||")
PREFIX = ("!", "-")
# govaluate knows these; a rehearsal refuses them rather than guess their semantics.
UNSUPPORTED = {
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    "~",
    "?",
    ":",
    "??",
    ",",
    "in",
}

Value = bool | float | str


@dataclass(frozen=True)
class Token:
    """One lexical token: kind is ``value``, ``op``, ``(`` or ``)``."""

    kind: str
    value: Any
    pos: int


def tokenize(expr: str) -> list[Token]:
    """Split ``expr`` into tokens the way govaluate's lexer does."""
    tokens: list[Token] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or ch == ".":
            j = i
            while j < n and (expr[j].isdigit() or expr[j] == "."):
                j += 1
            text = expr[i:j]
            try:
                tokens.append(Token("value", float(text), i))
            except ValueError:
                raise ConditionError(
                    f"cannot read {text!r} as a number; quote it to compare it as a string"
                ) from None
            i = j
        elif ch.isalpha():
            j = i
            while j < n and (expr[j].isalnum() or expr[j] == "_"):
                j += 1
            word = expr[i:j]
            if word in ("true", "false"):
                tokens.append(Token("value", word == "true", i))
            elif word in ("in", "IN"):
                raise UnsupportedCondition(f"operator 'in' is not supported (at {i})")
            else:
                tokens.append(Token("value", word, i))  # Argo turns variables into strings
            i = j
        elif ch in "'\"":
            text, i = _read_string(expr, i)
            tokens.append(Token("value", text, i))
        elif ch == "[":
            end = expr.find("]", i + 1)
            if end < 0:
                raise ConditionError(f"unclosed parameter bracket at {i}")
            tokens.append(Token("value", expr[i + 1 : end], i))
            i = end + 1
        elif ch in "()":
            tokens.append(Token(ch, ch, i))
            i += 1
        else:
            j = i
            while j < n and not (expr[j].isalnum() or expr[j].isspace() or expr[j] in "()'\""):
                j += 1
            symbol = expr[i:j]
            if symbol in COMPARATORS or symbol in LOGICAL or symbol in PREFIX:
                tokens.append(Token("op", symbol, i))
            elif symbol in UNSUPPORTED:
                raise UnsupportedCondition(f"operator {symbol!r} is not supported (at {i})")
            else:
                raise ConditionError(f"invalid token {symbol!r} at {i}")
            i = j
    return tokens


def _read_string(expr: str, start: int) -> tuple[str, int]:
    """A quoted literal from ``start``; like govaluate, either quote ends it, ``\\`` escapes."""
    chars: list[str] = []
    i = start + 1
    while i < len(expr):
        ch = expr[i]
        if ch == "\\" and i + 1 < len(expr):
            chars.append(expr[i + 1])
            i += 2
            continue
        if ch in "'\"":
            return "".join(chars), i + 1
        chars.append(ch)
        i += 1
    raise ConditionError(f"unclosed string literal at {start}")


class _Parser:
    """Recursive descent over the tokens: or → and → comparison → prefix → primary."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.value in ops

    def parse(self) -> Value:
        if not self.tokens:
            raise ConditionError("empty expression")
        value = self.logical_or()
        if self.peek() is not None:
            self.unexpected(self.peek())
        return value

    def unexpected(self, token: Token) -> NoReturn:
        """Raise for a token out of place: arithmetic ('-') is refused, the rest is invalid."""
        if token.kind == "op" and token.value == "-":
            raise UnsupportedCondition(f"arithmetic ('-' at {token.pos}) is not supported")
        raise ConditionError(f"unexpected {token.value!r} at {token.pos}")

    def logical_or(self) -> Value:
        left = self.logical_and()
        while self.at_op("||"):
            self.take()
            right = self.logical_and()
            left = _bool(left, "||") or _bool(right, "||")
        return left

    def logical_and(self) -> Value:
        left = self.comparison()
        while self.at_op("&&"):
            self.take()
            right = self.comparison()
            left = _bool(left, "&&") and _bool(right, "&&")
        return left

    def comparison(self) -> Value:
        left = self.prefix()
        while self.at_op(*COMPARATORS):
            op = self.take().value
            left = _compare(left, op, self.prefix())
        return left

    def prefix(self) -> Value:
        if self.at_op("!"):
            self.take()
            return not _bool(self.prefix(), "!")
        if self.at_op("-"):
            self.take()
            operand = self.prefix()
            if not isinstance(operand, float):
                raise UnsupportedCondition(f"'-' applies only to numbers here, not {operand!r}")
            return -operand
        return self.primary()

    def primary(self) -> Value:
        token = self.peek()
        if token is None:
            raise ConditionError("expression ends where a value was expected")
        if token.kind == "value":
            self.take()
            return token.value
        if token.kind == "(":
            self.take()
            value = self.logical_or()
            closing = self.peek()
            if closing is None:
                raise ConditionError("unbalanced parenthesis")
            if closing.kind != ")":
                self.unexpected(closing)
            self.take()
            return value
        self.unexpected(token)


def _bool(value: Value, op: str) -> bool:
    """``value`` if it is a boolean; govaluate refuses other operands of logical operators."""
    if not isinstance(value, bool):
        raise ConditionError(f"value {value!r} cannot be used with {op!r}: it is not a boolean")
    return value


def _compare(left: Value, op: str, right: Value) -> bool:
    """govaluate's comparators: equality needs the same type, ordering numbers or strings."""
    if op == "==":
        return type(left) is type(right) and left == right
    if op == "!=":
        return not (type(left) is type(right) and left == right)
    if op in ("=~", "!~"):
        if not (isinstance(left, str) and isinstance(right, str)):
            raise ConditionError(f"{op!r} needs strings on both sides, got {left!r} {right!r}")
        try:
            found = re.search(right, left) is not None
        except re.error as err:
            raise ConditionError(f"invalid regular expression {right!r}: {err}") from None
        return found if op == "=~" else not found
    both_numbers = all(isinstance(v, float) for v in (left, right))
    both_strings = all(isinstance(v, str) for v in (left, right))
    if not (both_numbers or both_strings):
        raise ConditionError(
            f"{left!r} {op} {right!r}: both sides must be numbers, or both strings"
        )
    return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[op]  # type: ignore[operator]


def evaluate(expr: str) -> Value:
    """The value of an already substituted expression."""
    return _Parser(tokenize(expr)).parse()


def evaluate_when(expr: str) -> bool:
    """Whether a step with this (already substituted) ``when`` runs.

    Raises:
        ConditionError: the expression is malformed or not boolean (Argo fails the node too).
        UnsupportedCondition: the expression uses an operator the rehearsal refuses.
    """
    if expr == "":
        return True  # as Argo's shouldExecute: an empty condition means "run"
    try:
        value = evaluate(expr)
    except ConditionError as err:
        raise type(err)(f"invalid 'when' expression {expr!r}: {err}") from None
    if not isinstance(value, bool):
        raise ConditionError(f"'when' expression {expr!r} gives {value!r}, not true or false")
    return value
