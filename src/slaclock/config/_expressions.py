"""The composition expressions of calendar files: ``support & site``, ``london | new_york``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Union

from slaclock.config._fields import NAME_RE, fail
from slaclock.engine._text import brief
from slaclock.engine.calendar import Calendar

# -- composition expressions --------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Ref:
    """A calendar named in an expression."""

    name: str

    def names(self) -> list[str]:
        """Return the names the expression refers to."""
        return [self.name]

    def evaluate(self, resolve: Callable[[str], Calendar]) -> Calendar:
        """Return the calendar this expression denotes, looking names up with ``resolve``."""
        return resolve(self.name)


@dataclasses.dataclass(frozen=True)
class Op:
    """Two expressions joined by ``&``, ``|`` or ``-``."""

    op: str
    left: Expr
    right: Expr

    def names(self) -> list[str]:
        """Return the names the expression refers to, left to right."""
        return self.left.names() + self.right.names()

    def evaluate(self, resolve: Callable[[str], Calendar]) -> Calendar:
        """Return the calendar this expression denotes, looking names up with ``resolve``."""
        left, right = self.left.evaluate(resolve), self.right.evaluate(resolve)
        if self.op == "&":
            return left & right
        if self.op == "|":
            return left | right
        return left - right


Expr = Union[Ref, Op]
_TOKEN_RE = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|([&|()\-]))")


#: The most calendar names one composition expression may join.
MAX_EXPRESSION_TERMS = 64
#: How deeply parentheses may nest in a composition expression.
MAX_EXPRESSION_DEPTH = 16


def parse_expression(text: str) -> Expr:
    """Return the parsed composition expression ``text``, such as ``"support & site"``.

    Precedence is Python's, so a file and code read alike: ``-`` binds tightest,
    then ``&``, then ``|``; each is left-associative; parentheses group. Raises
    ``ValueError`` naming the column of the problem.

    >>> parse_expression("a | b & c - d")
    Op(op='|', left=Ref(name='a'), right=Op(op='&', left=Ref(name='b'), right=Op(op='-', \
left=Ref(name='c'), right=Ref(name='d'))))
    """
    tokens: list[tuple[str, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN_RE.match(text, position)
        if match is None:
            column = position + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise ValueError(f"unexpected {text[column - 1]!r} at column {column} in {brief(text)}")
        token = match[1] or match[2]
        tokens.append((token, match.start(match.lastindex or 0) + 1))
        position = match.end()
    names = sum(1 for token, _ in tokens if NAME_RE.fullmatch(token))
    if names > MAX_EXPRESSION_TERMS:
        raise ValueError(
            f"{names} calendars in one expression, more than the limit MAX_EXPRESSION_TERMS "
            f"({MAX_EXPRESSION_TERMS}); name parts of it as calendars of their own"
        )
    depth = deepest = 0
    for token, _ in tokens:
        depth += {"(": 1, ")": -1}.get(token, 0)
        deepest = max(deepest, depth)
    if deepest > MAX_EXPRESSION_DEPTH:
        raise ValueError(
            f"parentheses nest deeper than the limit MAX_EXPRESSION_DEPTH "
            f"({MAX_EXPRESSION_DEPTH}) in {brief(text)}"
        )
    parser = _Parser(text, tokens)
    expr = parser.union()
    if parser.index < len(tokens):
        token, column = tokens[parser.index]
        raise ValueError(
            f"unexpected {brief(token)} at column {column} in {brief(text)}; "
            "join calendars with &, | or -"
        )
    return expr


class _Parser:
    """Recursive descent over the tokens: union > intersection > difference > atom."""

    def __init__(self, text: str, tokens: list[tuple[str, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index][0] if self.index < len(self.tokens) else None

    def binary(self, symbol: str, operand: Callable[[], Expr]) -> Expr:
        left = operand()
        while self.peek() == symbol:
            self.index += 1
            left = Op(symbol, left, operand())
        return left

    def union(self) -> Expr:
        return self.binary("|", self.intersection)

    def intersection(self) -> Expr:
        return self.binary("&", self.difference)

    def difference(self) -> Expr:
        return self.binary("-", self.atom)

    def atom(self) -> Expr:
        if self.index >= len(self.tokens):
            where = "an empty expression" if not self.tokens else f"the end of {brief(self.text)}"
            raise ValueError(f"expected a calendar name or '(' at {where}")
        token, column = self.tokens[self.index]
        self.index += 1
        if token == "(":
            inner = self.union()
            if self.peek() != ")":
                raise ValueError(f"'(' at column {column} in {brief(self.text)} is never closed")
            self.index += 1
            return inner
        if NAME_RE.fullmatch(token):
            return Ref(token)
        raise ValueError(
            f"expected a calendar name or '(' at column {column} in {brief(self.text)}, "
            f"got {brief(token)}"
        )


def expression_value(value: object) -> Expr:
    """Return the parsed expression of a calendar entry (``FieldProblemError`` if none)."""
    if not isinstance(value, str):
        raise fail(f"expected an expression such as 'support & site', got {brief(value)}")
    try:
        return parse_expression(value)
    except ValueError as exc:
        raise fail(str(exc)) from None
