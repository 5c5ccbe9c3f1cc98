"""What convolution and pooling share: their int-or-tuple arguments, and the strided slice
of a padded input that one kernel cell sees at every output position."""

from __future__ import annotations

from typing import Any

import numpy as np


def int_tuple(op: str, name: str, value: Any, count: int,
              widen_one: bool = True) -> tuple[int, ...]:
    """``value`` (an int, or a tuple or list of ``count`` ints; of one int too when
    ``widen_one``) as ``count`` ints; anything else is a RuntimeError naming ``name``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * count
    if widen_one and len(values) == 1:
        values = values * count
    if len(values) != count or not all(isinstance(v, int | np.integer) for v in values):
        raise RuntimeError(f"{op}: {name} must be an int or a tuple of {count} ints, got "
                           f"{value!r}")
    return tuple(int(v) for v in values)


class KernelCells:
    """The cells of a padded input that kernel cell (i, j) sees at every output position:
    ``xp[cells(i, j)]`` is (..., Ho, Wo)."""

    def __init__(self, stride: tuple[int, int], dilation: tuple[int, int],
                 out: tuple[int, int]) -> None:
        self.stride, self.dilation, self.out = stride, dilation, out

    def __call__(self, i: int, j: int) -> tuple:
        (sh, sw), (dh, dw), (ho, wo) = self.stride, self.dilation, self.out
        return (..., slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
                slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))
