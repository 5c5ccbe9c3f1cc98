"""Whether operations record a graph: ``no_grad`` and ``enable_grad``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode:
    """Holds the one process-wide switch that ``Function.apply`` reads."""

    enabled = True


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad record a graph."""
    return _GradMode.enabled


class _SetGradMode:
    """Context manager and decorator that sets grad mode, restoring it on exit.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``; a decorated
    generator runs each of its steps in the mode, leaving the caller's alone.
    """

    mode = True

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __enter__(self) -> None:
        self._previous = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _GradMode.enabled = self._previous

    def __call__(self, function: F) -> F:
        mode = type(self)
        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                generator = function(*args, **kwargs)
                response, error = None, None
                while True:
                    try:
                        with mode():
                            if error is None:
                                request = generator.send(response)
                            else:
                                request = generator.throw(error)
                    except StopIteration as stop:
                        return stop.value
                    error = None
                    try:
                        response = yield request
                    except GeneratorExit:
                        with mode():
                            generator.close()
                        raise
                    except BaseException as raised:  # passed on into the generator
                        error = raised

            return generator_wrapper  # type: ignore[return-value]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_SetGradMode):  # noqa: N801 - PyTorch's name
    """Build no graph inside ``with cr.no_grad():`` or a function decorated with it."""

    mode = False


class enable_grad(_SetGradMode):  # noqa: N801 - PyTorch's name
    """Record graphs again inside a ``no_grad`` region."""

    mode = True


class _Unchanged(_SetGradMode):
    """A grad-mode context that keeps the mode it finds (``inference_mode(False)``)."""

    def __enter__(self) -> None:
        self._previous = _GradMode.enabled


def inference_mode(mode: bool | Callable[..., Any] = True) -> Any:
    """``no_grad`` under PyTorch's other name (chainrule has no separate inference tensors):
    ``with cr.inference_mode():``, ``@cr.inference_mode()`` or ``@cr.inference_mode``;
    ``inference_mode(False)`` leaves the mode as it is."""
    if callable(mode):
        return no_grad()(mode)
    return no_grad() if mode else _Unchanged()


class set_grad_enabled:  # noqa: N801 - PyTorch's name
    """Turn graph recording on or off: at once when called (``cr.set_grad_enabled(False)``),
    and back to the previous mode at the end of ``with cr.set_grad_enabled(mode):``; as a
    decorator, for the calls of the function only."""

    def __init__(self, mode: bool) -> None:
        self._previous = _GradMode.enabled
        self.mode = bool(mode)
        _GradMode.enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc_info: object) -> None:
        _GradMode.enabled = self._previous

    def __call__(self, function: F) -> F:
        _GradMode.enabled = self._previous  # decorating changes nothing by itself
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = _GradMode.enabled
            _GradMode.enabled = mode
            try:
                return function(*args, **kwargs)
            finally:
                _GradMode.enabled = previous

        return wrapper  # type: ignore[return-value]
