"""``Tensor``: an array that remembers how it was computed.

A Tensor holds a NumPy (or CuPy) array in ``data``. An op applied to tensors that
require grad returns a Tensor linked to its op's ``ctx`` (a ``Function``) and to
the inputs it needs gradients for (``_prev``); ``backward()`` then walks that
graph with the engine shared with the scalar ``Value``, each node passing its
gradient on through ``ctx.backward``.

Leaves (tensors created by the user) keep their gradient in ``.grad``;
intermediate results pass theirs on and forget it, unless ``retain_grad()`` was
called. The graph's saved arrays are released by ``backward()`` unless
``retain_graph=True``.
"""

from __future__ import annotations

from sys import getrefcount
from typing import Any

import numpy as np

from . import engine
from .backend import DEFAULT_FLOAT, array_module, device_of, to_numpy
from .broadcast import unbroadcast
from .dtypes import FLOATING, as_dtype, bool_, float32, int64, is_supported

_new = object.__new__


class _BackwardPass:
    """The backward pass under way: whether it keeps the graph (``retain_graph=True``) and
    the tensors it writes ``.grad`` of (``inputs=``; None: every leaf and retained grad)."""

    retain_graph = False
    only: set | None = None

_RELEASED_GRAPH = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward(). Specify retain_graph=True if you need to backward through "
    "the graph a second time or if you need to access saved tensors after calling backward."
)


def _references_to_a_local() -> int:
    array = np.empty(0)
    return getrefcount(array)


# What ``getrefcount`` reports for an array held by one local variable, measured once
# with the same call pattern the engine uses, since the figure differs between versions.
_ONE_LOCAL = _references_to_a_local()


def to_array(data: Any, dtype: Any = None, device: str | None = None, copy: bool = True) -> Any:
    """An array for ``data`` with PyTorch's dtype rules.

    Python floats become float32 (the default dtype), Python ints int64 and bools
    bool; an array keeps its dtype unless ``dtype`` is given.
    """
    xp = array_module(device)
    if isinstance(data, Tensor):
        data = data.data
    from_python = not hasattr(data, "dtype")
    array = xp.array(data, copy=copy) if not from_python else xp.asarray(data)
    if dtype is not None:
        target = as_dtype(dtype)
    elif array.dtype.kind == "f":
        target = DEFAULT_FLOAT if from_python else array.dtype
    elif array.dtype.kind in "iu":
        target = int64 if from_python or array.dtype.kind == "u" and array.itemsize > 4 else None
        target = target or array.dtype
    elif array.dtype.kind == "b":
        target = bool_
    else:
        raise TypeError(
            f"cannot make a tensor from data of type {array.dtype} "
            "(expected numbers or booleans, in nested lists or an array)"
        )
    if array.dtype != target:
        array = array.astype(target)
    if not is_supported(array.dtype):
        array = array.astype(int64 if array.dtype.kind in "iu" else float32)
    return array


class Tensor:
    """A multi-dimensional array with automatic differentiation, like ``torch.Tensor``.

    Create tensors with ``cr.tensor(data, dtype=None, requires_grad=False)`` and
    the other creation functions; ``Tensor(data)`` works the same way.
    """

    __slots__ = ("data", "grad", "_requires_grad", "_ctx", "_prev", "_pending", "_retains_grad",
                 "__weakref__")
    __array_priority__ = 1000  # NumPy defers to Tensor in mixed arithmetic.
    __hash__ = object.__hash__

    def __init__(
        self,
        data: Any,
        dtype: Any = None,
        requires_grad: bool = False,
        device: str | None = None,
    ) -> None:
        self.data = to_array(data, dtype, device)
        self.grad: Tensor | None = None
        self._requires_grad = False
        self._ctx = None
        self._prev: tuple = ()
        self._pending = None
        self._retains_grad = False
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _make(cls, data: Any, requires_grad: bool = False, ctx: Any = None,
              prev: tuple = ()) -> Tensor:
        """Wrap an array without copying or checking it (the ops' fast path)."""
        out = _new(cls)
        out.data = data
        out.grad = None
        out._requires_grad = requires_grad
        out._ctx = ctx
        out._prev = prev
        out._pending = None
        out._retains_grad = False
        return out

    # --- autograd state ----------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.data.dtype not in FLOATING:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        if not value and self._ctx is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (their ``.grad`` is kept)."""
        return self._ctx is None

    @property
    def grad_fn(self) -> Any:
        """The op (``Function`` instance) that produced this tensor, or None for a leaf."""
        return self._ctx

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._ctx is not None:
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        """Whether a non-leaf keeps its ``.grad`` (see ``retain_grad``)."""
        return self._retains_grad

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut off from the graph."""
        return Tensor._make(self.data)

    def detach_(self) -> Tensor:
        """Cut this tensor off from the graph in place."""
        self._ctx = None
        self._prev = ()
        self._requires_grad = False
        return self

    # --- backpropagation -------------------------------------------------------------

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, into ``leaf.grad``.

        ``gradient`` is d(loss)/d(self); it may be left out only for a tensor with
        one element (then it is 1). Gradients accumulate into ``.grad``. The saved
        arrays of the graph are freed unless ``retain_graph=True``. ``inputs`` (a tensor
        or a sequence of them) limits the ``.grad`` written to those tensors. Higher-order
        gradients (``create_graph=True``) are not available.
        """
        if create_graph:
            raise RuntimeError(
                "backward(create_graph=True): chainrule's backward pass computes gradients "
                "with NumPy, outside the graph, so gradients of gradients are not available"
            )
        only = None if inputs is None else _input_set(inputs)
        if not self._requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            data = self.data
            if data.__class__ is np.ndarray:
                seed = np.array(1, data.dtype)  # 0-d, the common case: a quarter of np.ones
                if data.ndim:
                    seed = seed.reshape(data.shape)
            else:
                seed = array_module(self.device).ones_like(data)
        else:
            seed = gradient.data if isinstance(gradient, Tensor) else gradient
            if type(seed) is not type(self.data) or seed.dtype != self.data.dtype:
                seed = to_array(seed, self.data.dtype, self.device)
            if seed.shape != self.data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[0] has a shape of {tuple(seed.shape)} and "
                    f"output[0] has a shape of {tuple(self.data.shape)}."
                )
        self._pending = seed
        if self._ctx is None:
            if only is None or self in only:
                self._accumulate_leaf(seed)
            self._pending = None
            return
        previous = _BackwardPass.retain_graph, _BackwardPass.only
        _BackwardPass.retain_graph, _BackwardPass.only = bool(retain_graph), only
        try:
            engine.backward(self, leaves=False)
        finally:
            _BackwardPass.retain_graph, _BackwardPass.only = previous

    def _backward(self) -> None:
        """One chain-rule step: pass this node's gradient to its inputs (engine calls this)."""
        ctx = self._ctx
        grad = self._pending
        if ctx is None or grad is None:
            return
        self._pending = None
        only = _BackwardPass.only
        if self._retains_grad if only is None else self in only:
            self._accumulate_leaf(grad)
        inputs = ctx.inputs
        if inputs is None:
            raise RuntimeError(_RELEASED_GRAPH)
        grads = ctx.backward(ctx, grad)
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(inputs):
            raise RuntimeError(
                f"function {type(ctx).__name__}Backward returned an incorrect number of "
                f"gradients (expected {len(inputs)}, got {len(grads)})"
            )
        needs = ctx.needs_input_grad
        for i in range(len(inputs)):
            g = grads[i]
            if g is None or not needs[i]:
                continue
            tensor = inputs[i]
            data = tensor.data
            if g.__class__ is not np.ndarray and not hasattr(g, "shape"):
                g = np.asarray(g, dtype=data.dtype)
            if g.shape != data.shape:
                g = unbroadcast(g, data.shape)
            if tensor._ctx is None:
                if only is not None and tensor not in only:
                    continue
                # A fresh whole array that only this loop refers to (its local ``g`` and,
                # maybe, the tuple ``grads``) becomes ``.grad`` as it is, with no copy.
                if (tensor.grad is None and g.__class__ is np.ndarray and g.base is None
                        and getrefcount(g) == _ONE_LOCAL + (g is grads[i])):
                    tensor.grad = Tensor._make(
                        g if g.dtype == data.dtype else g.astype(data.dtype))
                else:
                    tensor._accumulate_leaf(g)
            else:
                pending = tensor._pending
                tensor._pending = g if pending is None else pending + g
        if not _BackwardPass.retain_graph:
            ctx.saved_tensors = ()
            ctx.inputs = None
            self._prev = ()

    def _accumulate_leaf(self, g: Any) -> None:
        """Add ``g`` into ``.grad``, which always owns its array (never aliases another)."""
        if self.grad is None:
            self.grad = Tensor._make(g.astype(self.data.dtype, copy=True))
        else:
            self.grad.data += g

    # --- array facts and conversions ----------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        """The element type (``cr.float32``, ``cr.float64``, ``cr.int64``, ``cr.bool``)."""
        return self.data.dtype

    @property
    def device(self) -> str:
        """'cpu' (NumPy) or 'cuda' (CuPy)."""
        return device_of(self.data)

    def size(self, dim: int | None = None) -> Any:
        """The shape, or the size of one dimension."""
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements cannot be converted to Scalar"
            )
        return self.data.item()

    def tolist(self) -> Any:
        """The data as (nested) Python lists of numbers."""
        return to_numpy(self.data).tolist()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array (shared, not copied)."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return to_numpy(self.data)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on tensors: ``array += tensor`` updates the array in place
        (makemore's ``p.data += -lr * p.grad``); ``array + tensor`` and the other
        arithmetic ufuncs give a Tensor, recorded in the graph; any other ufunc
        works on the data and returns an array."""
        if method == "__call__" and "out" not in kwargs and ufunc in _UFUNC_OPS:
            return getattr(Tensor, _UFUNC_OPS[ufunc])(*inputs, **kwargs)
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(x.data if isinstance(x, Tensor) else x for x in kwargs["out"])
        return getattr(ufunc, method)(*arrays, **kwargs)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = to_numpy(self.data)
        return array if dtype is None else array.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    def __repr__(self) -> str:
        from ._format import format_tensor

        return format_tensor(self)


def _input_set(inputs: Any) -> set:
    """``backward``'s ``inputs``: one tensor or a non-empty sequence of tensors that
    require grad, as a set."""
    tensors = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if not tensors:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    for tensor in tensors:
        if not isinstance(tensor, Tensor) or not tensor._requires_grad:
            raise RuntimeError(
                "backward(inputs=...): every input must be a Tensor that requires grad, got "
                f"{type(tensor).__name__ if not isinstance(tensor, Tensor) else 'one without'}"
            )
    return set(tensors)


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._make(np.asarray(x))


def _binary(name: str) -> Any:
    def call(a: Any, b: Any) -> Tensor:
        return getattr(_as_tensor(a), name)(b)

    return staticmethod(call)


# NumPy ufuncs that map to recorded Tensor ops (see Tensor.__array_ufunc__).
_UFUNC_OPS = {
    np.add: "_ufunc_add",
    np.subtract: "_ufunc_sub",
    np.multiply: "_ufunc_mul",
    np.true_divide: "_ufunc_div",
    np.power: "_ufunc_pow",
    np.matmul: "_ufunc_matmul",
}
Tensor._ufunc_add = _binary("__add__")
Tensor._ufunc_sub = _binary("__sub__")
Tensor._ufunc_mul = _binary("__mul__")
Tensor._ufunc_div = _binary("__truediv__")
Tensor._ufunc_pow = _binary("__pow__")
Tensor._ufunc_matmul = _binary("__matmul__")
