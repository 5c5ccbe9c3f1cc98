"""``Parameter``: a Tensor that a Module registers as trainable."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor, to_array


class Parameter(Tensor):
    """A leaf Tensor that requires grad by default and is found by ``Module.parameters()``.

    ``Parameter(tensor)`` shares the tensor's data, as PyTorch's does.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = to_array([])
        array = data.data if isinstance(data, Tensor) else to_array(data)
        Tensor.__init__(self, array, requires_grad=False)
        self.data = array
        if requires_grad:
            self.requires_grad = True

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
