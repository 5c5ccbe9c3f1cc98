"""The scalar ``Value``: micrograd's autograd engine, one number per node.

Every operation creates a new ``Value`` that remembers its operands (``_prev``),
the operation's name (``_op``) and its backward rule: one step of the chain rule,

    operand.grad += local_derivative * result.grad

for each operand, where the local derivative is d(result)/d(operand). Calling
``backward()`` on a result applies these steps in reverse topological order.

Rules are plain module-level functions chosen by the operation, never
closures over the result, so a node refers only to its operands: a graph holds
no reference cycles and is freed by reference counting the moment it is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real

from . import engine

_EXP_OVERFLOW = 709.782712893384  # math.log(sys.float_info.max)

BackwardRule = Callable[["Value"], None]


# --- backward rules: one chain-rule step for each op --------------------------
# Each adds (local derivative) * out.grad into the grad of each operand.


def _add_backward(out: Value) -> None:
    a, b = out._a, out._b  # d(a + b)/da = 1, d(a + b)/db = 1
    a.grad += out.grad
    b.grad += out.grad


def _sub_backward(out: Value) -> None:
    a, b = out._a, out._b  # d(a - b)/da = 1, d(a - b)/db = -1
    a.grad += out.grad
    b.grad -= out.grad


def _mul_backward(out: Value) -> None:
    a, b = out._a, out._b  # d(a * b)/da = b, d(a * b)/db = a
    a.grad += b.data * out.grad
    b.grad += a.data * out.grad


def _div_backward(out: Value) -> None:
    a, b = out._a, out._b  # d(a / b)/da = 1 / b, d(a / b)/db = -a / b**2 = -out / b
    a.grad += out.grad / b.data
    b.grad -= out.data / b.data * out.grad


def _neg_backward(out: Value) -> None:
    x = out._a  # d(-x)/dx = -1
    x.grad -= out.grad


def _power_by_number_backward(out: Value) -> None:
    x = out._a  # d(x**n)/dx = n * x**(n - 1)
    n = out._arg
    if n != 0:
        x.grad += n * _float_power(x.data, n - 1) * out.grad


def _power_backward(out: Value) -> None:
    base, exponent = out._a, out._b  # d(a**b)/da = b * a**(b - 1), d(a**b)/db = a**b * log(a)
    base.grad += exponent.data * _float_power(base.data, exponent.data - 1) * out.grad
    exponent.grad += out.data * math.log(base.data) * out.grad


def _exp_backward(out: Value) -> None:
    x = out._a  # d(e**x)/dx = e**x
    x.grad += out.data * out.grad


def _log_backward(out: Value) -> None:
    x = out._a  # d(log x)/dx = 1 / x
    x.grad += out.grad / x.data


def _tanh_backward(out: Value) -> None:
    x = out._a  # d(tanh x)/dx = 1 - tanh(x)**2
    x.grad += (1.0 - out.data * out.data) * out.grad


def _sigmoid_backward(out: Value) -> None:
    x = out._a  # d(sigmoid x)/dx = sigmoid(x) * (1 - sigmoid(x))
    x.grad += out.data * (1.0 - out.data) * out.grad


def _relu_backward(out: Value) -> None:
    x = out._a  # d(relu x)/dx = 1 if x > 0 else 0
    if out.data > 0:
        x.grad += out.grad


def _leaf_backward(out: Value) -> None:
    """A leaf was not computed from anything: there is nothing to pass on."""


# --- forward helpers that never overflow or go complex -------------------------


def _float_power(x: float, e: float) -> float:
    """x ** e as a float: overflow gives +-inf (as NumPy does), a complex result raises."""
    if x < 0 and not float(e).is_integer():
        raise ValueError(
            f"{x!r} ** {e!r} is not a real number (a negative base needs an integer exponent)"
        )
    if x == 0 and e < 0:
        return math.inf
    try:
        return math.pow(x, e)
    except OverflowError:
        odd_power_of_negative = x < 0 and int(e) % 2 == 1
        return -math.inf if odd_power_of_negative else math.inf


def _safe_exp(x: float) -> float:
    """exp(x) that overflows to inf (as NumPy does) instead of raising."""
    return math.inf if x > _EXP_OVERFLOW else math.exp(x)


def _stable_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + _safe_exp(-x))
    e = _safe_exp(x)
    return e / (1.0 + e)


def _as_value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(x)


class Value:
    """A scalar that remembers how it was computed, so its gradient can flow back.

    ``Value(data, _children=(), _op='', label='')`` — micrograd's constructor,
    plus a ``label`` for drawing. ``data`` is a real number; ``grad`` starts at 0
    and is filled by ``backward()`` of any result computed from this value.

    Ops: ``+ - * / **`` (with plain numbers on either side), unary ``-``,
    ``exp() log() tanh() relu() sigmoid()``. ``exp`` overflows to ``inf`` as
    NumPy does (never an OverflowError); ``log`` of a number <= 0 and a power
    ``Value ** Value`` with a base <= 0 raise ``ValueError``.

    ``_prev`` gives the operands in order (micrograd keeps a set; the order is
    what the local derivatives of ``-``, ``/`` and ``**`` need). They are stored in
    two slots rather than a tuple, so that each node is a single object for
    Python's allocator and garbage collector; an op has at most two operands.
    """

    __slots__ = ("data", "grad", "label", "_a", "_b", "_op", "_rule", "_arg", "__weakref__")

    def __init__(
        self,
        data: float,
        _children: Iterable[Value] = (),
        _op: str = "",
        label: str = "",
    ) -> None:
        if type(data) is not float and not isinstance(data, Real):
            raise TypeError(
                f"Value expects a real number (int or float), got {type(data).__name__}: {data!r}"
            )
        self.data = data
        self.grad = 0.0
        self.label = label
        children = tuple(_children)
        if len(children) > 2:
            raise ValueError(
                f"a Value has at most two operands (its ops are unary or binary), "
                f"got {len(children)} in _children"
            )
        self._a = children[0] if children else None
        self._b = children[1] if len(children) == 2 else None
        self._op = _op
        self._rule: BackwardRule = _leaf_backward
        self._arg: float | None = None

    # --- arithmetic ------------------------------------------------------------

    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return _node(self.data + other.data, self, other, "+", _add_backward)

    def __radd__(self, other: float) -> Value:
        return _as_value(other) + self

    def __sub__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return _node(self.data - other.data, self, other, "-", _sub_backward)

    def __rsub__(self, other: float) -> Value:
        return _as_value(other) - self

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other)
        return _node(self.data * other.data, self, other, "*", _mul_backward)

    def __rmul__(self, other: float) -> Value:
        return _as_value(other) * self

    def __truediv__(self, other: Value | float) -> Value:
        other = _as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
        return _node(self.data / other.data, self, other, "/", _div_backward)

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other) / self

    def __neg__(self) -> Value:
        return _node(-self.data, self, None, "neg", _neg_backward)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            if self.data <= 0:
                raise ValueError(
                    f"Value ** Value needs a positive base (its gradient uses log(base)), "
                    f"got base {self.data!r}"
                )
            data = _float_power(self.data, other.data)
            return _node(data, self, other, "**", _power_backward)
        if not isinstance(other, Real):
            return NotImplemented
        data = _float_power(self.data, other)
        out = _node(data, self, None, f"**{other}", _power_by_number_backward)
        out._arg = other
        return out

    def __rpow__(self, other: float) -> Value:
        return _as_value(other) ** self

    # --- unary functions ---------------------------------------------------------

    def exp(self) -> Value:
        """e ** x; overflows to inf for x > 709.78, as NumPy's float64 does."""
        return _node(_safe_exp(self.data), self, None, "exp", _exp_backward)

    def log(self) -> Value:
        """Natural logarithm; raises ValueError for x <= 0."""
        if self.data <= 0:
            raise ValueError(f"log of a non-positive number: {self.data!r} (log needs x > 0)")
        return _node(math.log(self.data), self, None, "log", _log_backward)

    def tanh(self) -> Value:
        """Hyperbolic tangent (stable: tanh(1000) is 1.0)."""
        return _node(math.tanh(self.data), self, None, "tanh", _tanh_backward)

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -x), computed without overflow for any x."""
        return _node(_stable_sigmoid(self.data), self, None, "sigmoid", _sigmoid_backward)

    def relu(self) -> Value:
        """max(0, x); its derivative at 0 is taken as 0, as micrograd and PyTorch do."""
        return _node(0 if self.data < 0 else self.data, self, None, "ReLU", _relu_backward)

    # --- backpropagation -----------------------------------------------------------

    @property
    def _prev(self) -> tuple:
        """The operands this value was computed from, in order (empty for a leaf)."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    def _backward(self) -> None:
        """One chain-rule step: pass this node's gradient on to its operands."""
        self._rule(self)

    def backward(self) -> None:
        """Fill ``.grad`` of every node this value was computed from (d self / d node).

        Seeds ``self.grad = 1`` and walks the graph in reverse topological order.
        Leaves accumulate across calls (set ``grad = 0``, or ``zero_grad()``, between
        passes); an intermediate node's grad is recomputed by each pass, so a second
        call adds exactly one more d(self)/d(leaf) to each leaf, as PyTorch does.
        """
        order = engine.topological_order(self)
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad = 1.0
        engine.propagate(order)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


_new = object.__new__


def _node(data: float, a: Value, b: Value | None, op: str, rule: BackwardRule) -> Value:
    """Create an op's output node (operands already checked)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._a = a
    out._b = b
    out._op = op
    out._rule = rule
    out._arg = None
    return out
