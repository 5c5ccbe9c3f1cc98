"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm`` and the fused ``linear``.

``matmul`` follows NumPy's and PyTorch's rules: a 1-D first argument is a row
vector, a 1-D second argument a column vector (the added dimension is dropped
from the result), and leading (batch) dimensions broadcast. Gradients come back
in the broadcast batch shape; the engine sums them back over broadcast batch
dimensions (``broadcast.unbroadcast``), which is exactly the sum over the
matrices that shared one input matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._matrix_sums import sum_columns

__all__ = ["matmul", "mm", "bmm", "linear"]


def _matmul_error(a: Any, b: Any) -> RuntimeError:
    """Why ``a @ b`` is impossible, naming both shapes."""
    sa, sb = tuple(a.shape), tuple(b.shape)
    if a.ndim == 0 or b.ndim == 0:
        return RuntimeError(
            f"matmul: {sa} @ {sb}: both arguments need to be at least 1-D, "
            f"but they are {a.ndim}-D and {b.ndim}-D"
        )
    k_a = sa[-1]
    k_b = sb[-2] if b.ndim > 1 else sb[0]
    if k_a != k_b:
        return RuntimeError(f"matmul: {sa} @ {sb}: inner dimensions {k_a} and {k_b} differ")
    return RuntimeError(
        f"matmul: {sa} @ {sb}: batch dimensions {sa[:-2]} and {sb[:-2]} cannot be broadcast "
        "together"
    )


def _check_dtypes(op: str, a: Any, b: Any) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{op}: expected both arguments to have the same dtype, but got {a.dtype} and "
            f"{b.dtype} (convert one with .float() or .double())"
        )


def _product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b; a stack of matrices times one matrix is done as one BLAS call."""
    if a.ndim > 2 and b.ndim == 2:
        return np.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[-1:])
    return np.matmul(a, b)


class Matmul(Function):
    """out = a @ b;  d/da = grad @ b^T, d/db = a^T @ grad (1-D inputs promoted, then squeezed)."""

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype != b.dtype:
            _check_dtypes("matmul", a, b)
        try:
            out = np.matmul(a, b) if a.ndim == 2 else _product(a, b)
        except ValueError:
            raise _matmul_error(a, b) from None
        ctx.saved_tensors = (a, b)  # needed whenever the op is recorded
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:
            return (np.matmul(grad, b.T) if needs_a else None,
                    np.matmul(a.T, grad) if needs_b else None)
        grad_a = grad_b = None
        if a.ndim == 1 and b.ndim == 1:  # dot product: grad is a scalar
            grad_a = grad * b if needs_a else None
            grad_b = grad * a if needs_b else None
        elif a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
            if needs_a:
                grad_a = np.matmul(b, grad[..., None])[..., 0]
            if needs_b:
                grad_b = a[:, None] * grad[..., None, :]
        elif b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
            if needs_a:
                grad_a = grad[..., None] * b
            if needs_b:
                grad_b = np.matmul(grad[..., None, :], a)[..., 0, :]
        else:
            if needs_a:
                grad_a = _product(grad, np.swapaxes(b, -1, -2))
            if needs_b:
                if a.ndim > 2 and b.ndim == 2:  # sum over the stack in one BLAS call
                    k, m = a.shape[-1], grad.shape[-1]
                    grad_b = np.matmul(a.reshape(-1, k).T, grad.reshape(-1, m))
                else:
                    grad_b = np.matmul(np.swapaxes(a, -1, -2), grad)
        return grad_a, grad_b


class Linear(Function):
    """out = x @ w^T + b;  d/dx = grad @ w, d/dw = grad^T @ x, d/db = grad summed over rows."""

    @staticmethod
    def forward(ctx, x, w, b):
        dtype = x.dtype
        if w.dtype != dtype or b is not None and b.dtype != dtype:
            _check_dtypes("linear", x, w)
            _check_dtypes("linear", x, b)
        if x.ndim == 0 or w.ndim != 2 or x.shape[-1] != w.shape[1]:
            raise RuntimeError(
                f"linear: input of shape {tuple(x.shape)} and weight of shape {tuple(w.shape)}: "
                "expected input (..., in_features) and weight (out_features, in_features)"
            )
        out = np.matmul(x, w.T) if x.ndim == 2 else _product(x, w.T)
        if b is not None:
            try:
                out += b
            except ValueError:
                raise RuntimeError(
                    f"linear: bias of shape {tuple(b.shape)} does not match "
                    f"out_features = {w.shape[0]}"
                ) from None
        needs_x, needs_w, needs_b = ctx.needs_input_grad
        ctx.save_for_backward(x if needs_w else None, w if needs_x else None)
        if needs_b:
            ctx.bias_ndim = b.ndim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        needs_x, needs_w, needs_b = ctx.needs_input_grad
        grad_x = _product(grad, w) if needs_x else None
        grad_w = grad_b = None
        if needs_w or needs_b:
            rows = grad.reshape(-1, grad.shape[-1])
            if needs_w:
                grad_w = np.matmul(rows.T, x.reshape(-1, x.shape[-1]))
            if needs_b:  # a bias of the output's full shape takes the gradient as it is
                grad_b = sum_columns(rows) if ctx.bias_ndim < 2 else grad
        return grad_x, grad_w, grad_b


def _as_operand(op: str, name: str, x: Any) -> Any:
    if isinstance(x, Tensor | np.ndarray):
        return x
    raise TypeError(f"{op}(): argument '{name}' must be a Tensor, not {type(x).__name__}")


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with NumPy's rules: 1-D operands are vectors, batch dimensions broadcast.

    (k,) @ (k,) is a scalar, (n, k) @ (k,) is (n,), (k,) @ (k, m) is (m,), and
    (B, n, k) @ (k, m), (B, n, k) @ (B, k, m), (1, n, k) @ (B, k, m) are (B, n, m).
    """
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        input = _as_operand("matmul", "input", input)
        other = _as_operand("matmul", "other", other)
    return Matmul._apply2(input, other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two matrices (both 2-D; no broadcasting)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"mm: expected two 2-D matrices, got shapes {tuple(input.shape)} and "
            f"{tuple(mat2.shape)} (use matmul for vectors and batches)"
        )
    return Matmul.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of (B, n, k) and (B, k, m) stacks (both 3-D, same B; no broadcasting)."""
    if input.ndim != 3 or mat2.ndim != 3 or input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: expected two 3-D stacks (B, n, k) and (B, k, m) with the same B, got shapes "
            f"{tuple(input.shape)} and {tuple(mat2.shape)}"
        )
    return Matmul.apply(input, mat2)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias, as one op; weight is (out_features, in_features).

    A 1-D weight (in_features,) without bias gives input @ weight, as in PyTorch.
    """
    if weight.ndim == 1:
        if bias is not None:
            raise RuntimeError(
                f"linear: a 1-D weight of shape {tuple(weight.shape)} takes no bias; "
                "use a weight of shape (out_features, in_features)"
            )
        return matmul(input, weight)
    return Linear._apply3(input, weight, bias)


def _rmatmul(self: Tensor, other: Any) -> Tensor:
    return matmul(other, self)


Tensor.__matmul__ = Tensor.matmul = matmul
Tensor.__rmatmul__ = _rmatmul
Tensor.mm = mm
Tensor.bmm = bmm
