"""The nesting of a checkpoint, as JSON with every tensor replaced by its name.

``encode(state)`` walks the state and returns a JSON-ready tree plus the arrays
to store; ``decode(tree, arrays)`` rebuilds the state. JSON holds ``None``,
bools, ints, finite floats, strings and lists as themselves; everything else is
a one-key object naming its kind::

    {"tuple": [...]}                 {"dict": [[key, value], ...]}
    {"ordered_dict": [[k, v], ...]}  {"counter": [[key, count], ...]}
    {"float": "inf" | "-inf" | "nan"}
    {"tensor": name}  (+ "requires_grad": true)     a chainrule Tensor
    {"parameter": name}  (+ "requires_grad": false) an nn.Parameter
    {"ndarray": name}                {"numpy_scalar": name}

Dict keys are written as nodes too, so int, float, bool, None and tuple keys
come back with their types (an optimizer's state is keyed by int). Decoding
accepts exactly these forms and nothing else.
"""

from __future__ import annotations

import functools
import math
import types
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from ..backend import to_numpy
from ..nn.parameter import Parameter
from ..tensor import Tensor
from .layout import ALLOWED_DTYPES, CheckpointError, dtype_code

_MAPPINGS = {dict: "dict", OrderedDict: "ordered_dict", Counter: "counter"}
_MAPPING_TYPES = {tag: kind for kind, tag in _MAPPINGS.items()}
_LABELS = {
    "tensor": "Tensor",
    "parameter": "Parameter",
    "ndarray": "NumPy array",
    "numpy_scalar": "NumPy scalar",
}
_ARRAY_TAGS = tuple(_LABELS)
_FUNCTIONS = (
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.BuiltinMethodType,
    functools.partial,
)
_NON_FINITE = ("inf", "-inf", "nan")


def encode(state: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """The JSON tree for ``state`` and the arrays it refers to by name.

    Raises TypeError naming the path of the first value a checkpoint cannot hold.
    """
    encoder = _Encoder()
    try:
        tree = encoder.node(state, "state", [])
    except RecursionError:
        raise ValueError("state is nested too deeply to save") from None
    return tree, encoder.arrays


def decode(tree: Any, arrays: dict[str, np.ndarray], source: str) -> Any:
    """The state described by ``tree``; raises CheckpointError on anything malformed."""
    decoder = _Decoder(arrays, source)
    try:
        state = decoder.node(tree, "state")
    except RecursionError:
        raise CheckpointError(f"{source}: the state is nested too deeply") from None
    unused = sorted(set(arrays) - decoder.used)
    if unused:
        raise CheckpointError(f"{source}: tensors {unused} are not part of the saved state")
    return state


class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.name_of: dict[int, str] = {}  # id of an array already stored -> its name
        self.keep: list[Any] = []  # keeps those arrays alive so their ids stay unique
        self.open: set[int] = set()  # containers on the current path (cycle check)

    def node(self, value: Any, path: str, names: list[str]) -> Any:
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return value if math.isfinite(value) else {"float": _non_finite_name(value)}
        if isinstance(value, Tensor):
            return self.array_node(value, path, names)
        if kind is np.ndarray or isinstance(value, np.generic):
            return self.array_node(value, path, names)
        if kind in (list, tuple) or kind in _MAPPINGS:
            return self.container(value, path, names)
        raise TypeError(f"{path}: {_describe(value)}")

    def container(self, value: Any, path: str, names: list[str]) -> Any:
        if id(value) in self.open:
            raise ValueError(f"{path}: the state contains itself (a reference cycle)")
        self.open.add(id(value))
        if isinstance(value, list | tuple):
            items = [
                self.node(item, f"{path}[{i}]", [*names, str(i)]) for i, item in enumerate(value)
            ]
            result: Any = items if type(value) is list else {"tuple": items}
        else:
            pairs = []
            for key, item in value.items():
                where = f"{path}[{key!r}]"
                pairs.append([_key(key, where), self.node(item, where, [*names, str(key)])])
            result = {_MAPPINGS[type(value)]: pairs}
        self.open.discard(id(value))
        return result

    def array_node(self, value: Any, path: str, names: list[str]) -> dict[str, Any]:
        if isinstance(value, Tensor):
            array = to_numpy(value.data)
            tag = "parameter" if isinstance(value, Parameter) else "tensor"
        elif isinstance(value, np.generic):
            array, tag = np.asarray(value), "numpy_scalar"
        else:
            array, tag = value, "ndarray"
        if dtype_code(array.dtype) is None:
            raise TypeError(
                f"{path}: cannot save a {_LABELS[tag]} of dtype {array.dtype} "
                f"(a checkpoint holds {ALLOWED_DTYPES})"
            )
        name = self.name_of.get(id(array)) if tag != "numpy_scalar" else None
        if name is None:
            name = self.fresh_name(names)
            self.arrays[name] = array
            self.name_of[id(array)] = name
            self.keep.append(array)
        result: dict[str, Any] = {tag: name}
        if tag == "tensor" and value.requires_grad:
            result["requires_grad"] = True
        if tag == "parameter" and not value.requires_grad:
            result["requires_grad"] = False
        return result

    def fresh_name(self, names: list[str]) -> str:
        """The dotted path of a tensor (``model.fc.weight``), made unique if needed."""
        base = ".".join(names) or "tensor"
        name, number = base, 1
        while name in self.arrays or name == "__metadata__":
            number += 1
            name = f"{base}#{number}"
        return name


def _key(key: Any, path: str) -> Any:
    if key is None or type(key) in (bool, int, str):
        return key
    if type(key) is float:
        return key if math.isfinite(key) else {"float": _non_finite_name(key)}
    if type(key) is tuple:
        return {"tuple": [_key(part, path) for part in key]}
    raise TypeError(
        f"{path}: cannot save a dict key of type {type(key).__name__} "
        "(keys may be str, int, float, bool, None or tuples of those)"
    )


def _non_finite_name(value: float) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _describe(value: Any) -> str:
    kind = type(value)
    if isinstance(value, type):
        return f"cannot save a class ({value.__qualname__})"
    if isinstance(value, _FUNCTIONS):
        return f"cannot save a function ({getattr(value, '__qualname__', kind.__name__)})"
    if hasattr(value, "state_dict"):
        return f"cannot save a {kind.__name__} object; save its state_dict() instead"
    return (
        f"cannot save an object of type {kind.__module__}.{kind.__qualname__} (a checkpoint "
        "holds dicts, lists, tuples, str, int, float, bool, None, Tensors and NumPy arrays)"
    )


class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], source: str) -> None:
        self.arrays = arrays
        self.source = source
        self.used: set[str] = set()

    def fail(self, path: str, problem: str) -> CheckpointError:
        return CheckpointError(f"{self.source}: malformed state at {path}: {problem}")

    def node(self, node: Any, path: str) -> Any:
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is list:
            return [self.node(item, f"{path}[{i}]") for i, item in enumerate(node)]
        if type(node) is not dict or not node:
            raise self.fail(path, f"unexpected {type(node).__name__}")
        tag = next(iter(node))
        if tag in _ARRAY_TAGS:
            return self.array(node, tag, path)
        if len(node) != 1:
            raise self.fail(path, f"unexpected keys {sorted(node)}")
        body = node[tag]
        if tag == "float":
            return self.non_finite(body, path)
        if tag == "tuple" and type(body) is list:
            return tuple(self.node(item, f"{path}[{i}]") for i, item in enumerate(body))
        if tag in _MAPPING_TYPES and type(body) is list:
            return self.mapping(_MAPPING_TYPES[tag], body, path)
        raise self.fail(path, f"unknown entry {tag!r}")

    def non_finite(self, body: Any, path: str) -> float:
        if body not in _NON_FINITE:
            raise self.fail(path, f"unknown float {body!r}")
        return float(body)  # a fresh nan each time, so nan dict keys stay distinct

    def mapping(self, kind: type, pairs: list, path: str) -> dict:
        result = kind()
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise self.fail(path, "a dict entry is not a [key, value] pair")
            key = self.key(pair[0], path)
            if key in result:
                raise self.fail(path, f"the key {key!r} appears twice")
            result[key] = self.node(pair[1], f"{path}[{key!r}]")
        return result

    def key(self, node: Any, path: str) -> Any:
        if node is None or type(node) in (bool, int, float, str):
            return node
        if type(node) is dict and len(node) == 1:
            ((tag, body),) = node.items()
            if tag == "float":
                return self.non_finite(body, path)
            if tag == "tuple" and type(body) is list:
                return tuple(self.key(part, path) for part in body)
        raise self.fail(path, f"invalid dict key {node!r}")

    def array(self, node: dict, tag: str, path: str) -> Any:
        name = node[tag]
        extra = set(node) - {tag, "requires_grad"}
        requires_grad = node.get("requires_grad", tag == "parameter")
        if tag in ("ndarray", "numpy_scalar") and "requires_grad" in node:
            extra.add("requires_grad")
        if extra or type(requires_grad) is not bool or type(name) is not str:
            raise self.fail(path, f"invalid {tag} reference {node!r}")
        if name not in self.arrays:
            raise self.fail(path, f"refers to tensor {name!r}, which is not in the file")
        self.used.add(name)
        array = self.arrays[name]
        if tag == "ndarray":
            return array
        if tag == "numpy_scalar":
            if array.ndim:
                raise self.fail(path, f"numpy scalar {name!r} has shape {array.shape}")
            return array[()]
        try:
            tensor = Tensor._make(array)
            if tag == "parameter":
                return Parameter(tensor, requires_grad=requires_grad)
            return tensor.requires_grad_(True) if requires_grad else tensor
        except RuntimeError as error:
            raise self.fail(path, str(error)) from None
