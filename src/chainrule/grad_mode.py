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
