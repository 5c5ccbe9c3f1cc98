"""Turn arithmetic text such as ``"tanh(x1*w1 + x2*w2 + b)"`` into a graph of ``Value``s.

A small tokenizer and recursive-descent parser; the text is never handed to
``eval``, so nothing but arithmetic can happen. The grammar is Python's, for
the part of it that is arithmetic:

    expression := product (('+' | '-') product)*
    product    := factor (('*' | '/') factor)*
    factor     := ('+' | '-') factor | power
    power      := atom ('**' factor)?          right-associative: 2**3**2 == 2**9
    atom       := NUMBER | NAME | FUNCTION '(' expression ')' | '(' expression ')'

so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is ``0.5``. Functions: ``tanh exp log
relu sigmoid``. Each variable becomes one leaf ``Value`` labelled with its
name, however often it appears, so its gradient collects every use.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real

from .value import Value

FUNCTIONS = {
    "exp": Value.exp,
    "log": Value.log,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
}
"""The unary functions an expression may call, by name."""

MAX_NESTING = 200
"""The deepest nesting of parentheses and function calls an expression may have."""

_ALLOWED = ", ".join(sorted(FUNCTIONS))
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SYMBOLS = ("**", "+", "-", "*", "/", "(", ")", ",")


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", a symbol from _SYMBOLS, or "end"
    text: str
    pos: int  # index into the expression text


def _where(text: str, pos: int, width: int = 60) -> str:
    """``column N`` plus the expression (a window of it, if long) with a caret under it."""
    start = max(0, min(pos - width // 2, len(text) - width))
    shown = text[start : start + width]
    caret = pos - start
    if start > 0:
        shown, caret = "..." + shown, caret + 3
    if start + width < len(text):
        shown += "..."
    return f"column {pos + 1}:\n  {shown}\n  {' ' * caret}^"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        number = _NUMBER.match(text, pos)
        if number:
            end = number.end()
            if end < len(text) and (text[end].isalnum() or text[end] in "._"):
                bad = re.match(r"[\w.]+", text[pos:]).group()
                raise ValueError(
                    f"malformed number {bad!r} at {_where(text, pos)}\n"
                    "(a product needs an explicit '*': write 2*x, not 2x)"
                )
            tokens.append(_Token("number", number.group(), pos))
            pos = end
            continue
        name = _NAME.match(text, pos)
        if name:
            tokens.append(_Token("name", name.group(), pos))
            pos = name.end()
            continue
        symbol = next((s for s in _SYMBOLS if text.startswith(s, pos)), None)
        if symbol is None:
            raise ValueError(f"unexpected character {char!r} at {_where(text, pos)}")
        tokens.append(_Token(symbol, symbol, pos))
        pos += len(symbol)
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _describe(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    if token.kind in ("number", "name"):
        return f"{token.kind} {token.text!r}"
    return repr(token.text)


class _Parser:
    """Recursive descent over the tokens, building Values as it goes.

    Each method returns ``(value, constant)``: ``constant`` is True when the
    value involves no variable, which lets ``x ** 2`` use a number exponent
    (``Value ** 2``, fine for a negative ``x``) rather than ``Value ** Value``.
    """

    def __init__(
        self, text: str, tokens: list[_Token], leaves: dict[str, Value], names: set[str]
    ) -> None:
        self.text = text
        self.names = names  # every name given a value, for hints
        self.tokens = tokens
        self.leaves = leaves
        self.index = 0
        self.depth = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: _Token) -> ValueError:
        return ValueError(f"{message} at {_where(self.text, token.pos)}")

    def apply(self, token: _Token, build: Callable[..., Value], *operands: object) -> Value:
        """Run one Value operation, turning arithmetic errors into ValueErrors that say where."""
        try:
            return build(*operands)
        except (ZeroDivisionError, OverflowError, ValueError) as error:
            raise ValueError(
                f"cannot compute {token.text!r} at {_where(self.text, token.pos)}\n{error}"
            ) from error

    def expression(self) -> tuple[Value, bool]:
        # product (('+'|'-') product)* with product = factor (('*'|'/') factor)*, both
        # left-associative, in one loop: one Python frame per nesting level, not two
        total: Value | None = None
        total_constant = True
        pending: _Token | None = None
        term, constant = self.factor()
        while True:
            token = self.peek()
            if token.kind in ("*", "/"):
                self.take()
                right, right_constant = self.factor()
                build = Value.__mul__ if token.kind == "*" else Value.__truediv__
                term = self.apply(token, build, term, right)
                constant = constant and right_constant
            elif token.kind in ("+", "-"):
                total, total_constant = self.combine(total, total_constant, pending, term, constant)
                pending = self.take()
                term, constant = self.factor()
            else:
                return self.combine(total, total_constant, pending, term, constant)

    def combine(
        self, total: Value | None, total_constant: bool, op: _Token | None,
        term: Value, constant: bool,
    ) -> tuple[Value, bool]:
        if total is None or op is None:
            return term, constant
        build = Value.__add__ if op.kind == "+" else Value.__sub__
        return self.apply(op, build, total, term), total_constant and constant

    def factor(self) -> tuple[Value, bool]:
        # ('+'|'-')* atom ('**' ('+'|'-')* atom)*, folded from the right, all in one loop:
        # signs and '**' chains need no recursion, however long they are
        signs = self.signs()
        operands = [self.atom()]
        links: list[tuple[_Token, list[_Token]]] = []
        while self.peek().kind == "**":
            links.append((self.take(), self.signs()))
            operands.append(self.atom())
        value, constant = operands.pop()
        for op, exponent_signs in reversed(links):
            exponent = self.negate(exponent_signs, value)
            base, base_constant = operands.pop()
            value, constant = self.raise_to(op, base, base_constant, exponent, constant)
        return self.negate(signs, value), constant

    def signs(self) -> list[_Token]:
        signs: list[_Token] = []
        while self.peek().kind in ("+", "-"):
            signs.append(self.take())
        return signs

    def negate(self, signs: list[_Token], value: Value) -> Value:
        for sign in reversed(signs):
            if sign.kind == "-":
                value = self.apply(sign, Value.__neg__, value)
        return value

    def raise_to(
        self, op: _Token, base: Value, base_constant: bool, exponent: Value, constant: bool
    ) -> tuple[Value, bool]:
        if constant:  # a number exponent: x ** 2 works for a negative x too
            number = exponent.data
            if float(number).is_integer() and abs(number) < 2**53:
                number = int(number)
            return self.apply(op, Value.__pow__, base, number), base_constant
        return self.apply(op, Value.__pow__, base, exponent), False

    def atom(self) -> tuple[Value, bool]:
        token = self.take()
        if token.kind == "number":
            return Value(float(token.text)), True
        if token.kind == "name":
            if self.peek().kind == "(":
                return self.call(token)
            if token.text in FUNCTIONS:
                raise self.fail(f"{token.text} is a function: call it as {token.text}(...)", token)
            return self.leaves[token.text], False
        if token.kind == "(":
            self.enter(token)
            value, constant = self.expression()
            self.close(token)
            return value, constant
        if token.kind == "end":
            previous = self.tokens[self.index - 2] if self.index >= 2 else token
            raise self.fail(f"the expression ends too early, after {previous.text!r}", token)
        if token.kind == ")" and self.depth == 0:
            raise self.fail("unbalanced parentheses: this ')' has no matching '('", token)
        if token.kind == ")":
            raise self.fail("expected an expression before ')'", token)
        raise self.fail(
            f"expected a number, a variable, a function call or '(' but found {_describe(token)}",
            token,
        )

    def call(self, name: _Token) -> tuple[Value, bool]:
        function = FUNCTIONS.get(name.text)
        if function is None:
            hint = f"; for a product write {name.text}*(...)" if name.text in self.names else ""
            raise self.fail(f"unknown function {name.text!r} (allowed: {_ALLOWED}){hint}", name)
        opening = self.take()
        self.enter(opening)
        argument, constant = self.expression()
        if self.peek().kind == ",":
            raise self.fail(f"{name.text} takes exactly one argument", self.peek())
        self.close(opening)
        return self.apply(name, function, argument), constant

    def enter(self, opening: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(
                f"the expression nests parentheses and calls more than {MAX_NESTING} deep",
                opening,
            )

    def close(self, opening: _Token) -> None:
        token = self.take()
        if token.kind != ")":
            if token.kind == "end":
                raise self.fail("unbalanced parentheses: this '(' is never closed", opening)
            raise self.fail(f"expected ')' or an operator but found {_describe(token)}", token)
        self.depth -= 1


def parse_expression(text: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Build the ``Value`` graph of the arithmetic expression ``text``.

    ``values`` gives each variable's number. Returns the root ``Value`` and a
    dict from each variable name to its leaf ``Value`` (labelled with the name),
    in order of first appearance. A variable used several times is one leaf,
    so after ``root.backward()`` its ``grad`` is the sum over all its uses.

    Raises ValueError, saying where, for text that is not such an expression,
    an unknown function, a variable with no value, or arithmetic that has no
    real result (division by zero, ``log`` of a number <= 0, ...).
    """
    if not isinstance(text, str):
        raise TypeError(f"the expression must be a str, got {type(text).__name__}")
    tokens = _tokenize(text)
    if len(tokens) == 1:
        raise ValueError("empty expression: nothing to compute")
    leaves = _make_leaves(tokens, values)
    parser = _Parser(text, tokens, leaves, set(values))
    try:
        root, _ = parser.expression()
    except RecursionError:  # only when called with little stack left: MAX_NESTING comes first
        raise ValueError("the expression is nested too deeply to parse") from None
    trailing = parser.peek()
    if trailing.kind == ")":
        raise parser.fail("unbalanced parentheses: this ')' has no matching '('", trailing)
    if trailing.kind != "end":
        raise parser.fail(
            f"expected an operator (+ - * / **) or the end of the expression "
            f"but found {_describe(trailing)}",
            trailing,
        )
    return root, leaves


def _make_leaves(tokens: list[_Token], values: Mapping[str, float]) -> dict[str, Value]:
    """One labelled leaf per variable, in order of first appearance; all missing ones named."""
    names: dict[str, None] = {}  # an ordered set
    for token, following in zip(tokens, tokens[1:], strict=False):
        if token.kind == "name" and following.kind != "(" and token.text not in FUNCTIONS:
            names.setdefault(token.text)
    missing = [name for name in names if name not in values]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        example = " ".join(f"{name}=VALUE" for name in missing)
        verb = "variable {} has" if len(missing) == 1 else "variables {} have"
        raise ValueError(
            f"{verb.format(listed)} no value: give one with --set {example}"
        )
    leaves = {}
    for name in names:
        number = values[name]
        if isinstance(number, bool) or not isinstance(number, Real):
            raise ValueError(f"the value of {name!r} must be a real number, got {number!r}")
        leaves[name] = Value(float(number), label=name)
    return leaves


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """Read ``["x1=2", "w1=-3.5"]`` into ``{"x1": 2.0, "w1": -3.5}``.

    Each item is ``NAME=NUMBER`` with a variable name (letters, digits and
    ``_``, not starting with a digit, not a function name) and a finite number.
    Raises ValueError naming the bad item.
    """
    assignments: dict[str, float] = {}
    for item in items:
        name, equals, number = item.partition("=")
        name, number = name.strip(), number.strip()
        if not equals or not name or not number:
            raise ValueError(f"cannot read {item!r}: expected NAME=VALUE, for example x1=2.0")
        if not _NAME.fullmatch(name):
            raise ValueError(
                f"cannot read {item!r}: {name!r} is not a variable name "
                "(letters, digits and _, not starting with a digit)"
            )
        if name in FUNCTIONS:
            raise ValueError(f"cannot read {item!r}: {name!r} is a function, not a variable")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"cannot read {item!r}: {number!r} is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"cannot read {item!r}: the value must be a finite number")
        if name in assignments and assignments[name] != value:
            raise ValueError(f"{name!r} is given two different values")
        assignments[name] = value
    return assignments
