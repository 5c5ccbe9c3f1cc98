"""Building blocks shared by the optimizers' in-place NumPy updates.

Every helper writes into arrays it is given (``out``/``tmp`` come from a
``Workspace``), so a step allocates nothing once the workspace has grown to
the largest parameter. The arithmetic follows PyTorch's order of operations.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def check_lr(lr: Any) -> None:
    """PyTorch's ``Invalid learning rate`` check."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_non_negative(value: Any, name: str) -> None:
    """PyTorch's ``Invalid <name> value`` check for a hyperparameter that must be >= 0."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")


def check_betas(betas: Any) -> tuple[float, float]:
    """PyTorch's checks on Adam-style ``betas``: two numbers in [0, 1)."""
    for index, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta}")
    return tuple(betas)


_ABSENT: Any = object()  # an implementation switch the PyTorch optimizer does not have


def implementation_options(
    foreach: bool | None,
    differentiable: bool,
    *,
    capturable: bool = _ABSENT,
    fused: bool | None = _ABSENT,
) -> dict[str, Any]:
    """PyTorch's implementation switches as group entries, for those the optimizer has.

    chainrule has one implementation, vectorised NumPy in place, so ``foreach`` and
    ``fused`` give the same numbers whatever their value (both True is PyTorch's error);
    CUDA-graph capture and differentiating through the update are not available.
    """
    if foreach and fused is not _ABSENT and fused:
        raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if capturable is not _ABSENT and capturable:
        raise RuntimeError(
            "capturable=True is for CUDA graph capture, which chainrule does not have; "
            "leave it False"
        )
    if differentiable:
        raise RuntimeError(
            "differentiable=True (autograd through the optimizer step) is not supported by "
            "chainrule's in-place updates; leave it False"
        )
    options: dict[str, Any] = {"foreach": foreach}
    if capturable is not _ABSENT:
        options["capturable"] = capturable
    options["differentiable"] = differentiable
    if fused is not _ABSENT:
        options["fused"] = fused
    return options


class Workspace:
    """Scratch arrays reused across steps: one flat array per (dtype, slot), viewed in
    the shape of the parameter being updated."""

    __slots__ = ("_arrays",)

    def __init__(self) -> None:
        self._arrays: dict[tuple[np.dtype, int], np.ndarray] = {}

    def get(self, like: np.ndarray, slot: int) -> np.ndarray:
        """An uninitialised array with ``like``'s shape and dtype (distinct per slot)."""
        key = (like.dtype, slot)
        flat = self._arrays.get(key)
        if flat is None or flat.size < like.size:
            flat = np.empty(like.size, like.dtype)
            self._arrays[key] = flat
        return flat[: like.size].reshape(like.shape)


def state_buffer(state: dict[str, Any], name: str, like: np.ndarray) -> np.ndarray:
    """``state[name]``, created as zeros the first time an option (amsgrad, momentum,
    centered) asks for it."""
    buf = state.get(name)
    if buf is None:
        buf = state[name] = np.zeros_like(like)
    return buf


def effective_grad(
    param: np.ndarray, grad: np.ndarray, weight_decay: float, maximize: bool, out: np.ndarray
) -> np.ndarray:
    """``(-grad if maximize else grad) + weight_decay * param``; ``grad`` itself when
    nothing changes it (never written to), else the result in ``out``."""
    if weight_decay == 0:
        return np.negative(grad, out=out) if maximize else grad
    np.multiply(param, weight_decay, out=out)
    if maximize:
        np.subtract(out, grad, out=out)
    else:
        out += grad
    return out


def decayed_grad(
    param: np.ndarray,
    grad: np.ndarray,
    lr: float,
    weight_decay: float,
    decoupled: bool,
    maximize: bool,
    out: np.ndarray,
) -> np.ndarray:
    """The gradient an Adam-style update uses, after weight decay.

    Decoupled (AdamW): the parameter itself shrinks, ``param *= 1 - lr * weight_decay``,
    and the gradient is left alone; coupled (Adam's L2): ``grad + weight_decay * param``.
    """
    if decoupled and weight_decay != 0:
        param *= 1 - lr * weight_decay
        weight_decay = 0.0
    return effective_grad(param, grad, weight_decay, maximize, out)


def lerp_(start: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
    """``start += weight * (end - start)`` in place, in ``torch.lerp_``'s two forms."""
    np.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1 - weight
        np.subtract(end, tmp, out=start)


def decay_square_(avg: np.ndarray, grad: np.ndarray, decay: float, tmp: np.ndarray) -> None:
    """``avg = decay * avg + (1 - decay) * grad * grad`` in place."""
    avg *= decay
    np.multiply(grad, 1 - decay, out=tmp)
    tmp *= grad
    avg += tmp
