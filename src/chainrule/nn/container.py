"""Containers: ``Sequential`` (modules applied in order), ``ModuleList`` and ``ModuleDict``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from .module import Module


def _check_index(index: int, length: int, kind: str) -> int:
    if not -length <= index < length:
        raise IndexError(f"index {index} is out of range for a {kind} of {length} modules")
    return index % length


def _renumber(container: Module, modules: list[Module]) -> None:
    """Register ``modules`` as the container's children named "0", "1", ..., as PyTorch
    renumbers a Sequential or ModuleList after an insertion or a deletion."""
    for name in list(container._modules):
        delattr(container, name)
    for index, module in enumerate(modules):
        container.add_module(str(index), module)


def _delete(container: Module, index: int | slice, kind: str) -> None:
    """Remove the child (or children) at ``index`` and renumber the rest."""
    modules = list(container._modules.values())
    if isinstance(index, slice):
        del modules[index]
    else:
        del modules[_check_index(index, len(modules), kind)]
    _renumber(container, modules)


class Sequential(Module):
    """Apply modules one after another: ``Sequential(Linear(2, 16), Tanh(), Linear(16, 1))``.

    Also accepts one ``OrderedDict`` of named modules; supports indexing, slicing,
    ``len``, iteration, ``append`` and Keras's ``add``.
    """

    def __init__(self, *args: Module | OrderedDict) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input: Any) -> Any:
        for module in self._modules.values():
            input = module(input)
        return input

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def add(self, module: Module) -> Sequential:
        """Keras's name for ``append``."""
        return self.append(module)

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        """Append each module of ``sequential``; returns self."""
        for module in sequential:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Put ``module`` before position ``index`` (the modules are renumbered 0, 1, ...);
        returns self."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        modules = list(self._modules.values())
        n = len(modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        modules.insert(index, module)  # a negative index counts from the end, as a list's
        _renumber(self, modules)
        return self

    def pop(self, key: int | slice) -> Module:
        """Remove and return the module at ``key`` (the rest are renumbered)."""
        module = self[key]
        del self[key]
        return module

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[_check_index(index, len(self), "Sequential")]
        setattr(self, name, module)

    def __delitem__(self, index: int | slice) -> None:
        _delete(self, index, "Sequential")

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(modules[index]))
        return modules[_check_index(index, len(modules), "Sequential")][1]


class ModuleList(Module):
    """A list of modules whose parameters are registered (``ModuleList([...])``)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for module in modules or ():
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (the modules are renumbered)."""
        modules = list(self._modules.values())
        modules.insert(index, module)
        _renumber(self, modules)

    def pop(self, key: int | slice) -> Any:
        """Remove and return the module (or ModuleList, for a slice) at ``key``."""
        module = self[key]
        del self[key]
        return module

    def __setitem__(self, index: int, module: Module) -> None:
        setattr(self, str(_check_index(index, len(self), "ModuleList")), module)

    def __delitem__(self, index: int | slice) -> None:
        _delete(self, index, "ModuleList")

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __getitem__(self, index: int | slice) -> Any:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        return modules[_check_index(index, len(modules), "ModuleList")]


class ModuleDict(Module):
    """Named modules whose parameters are registered, used like a dict
    (``ModuleDict({"encoder": ..., "head": ...})``); insertion order is kept."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
                 ) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) each named module."""
        pairs = modules.items() if isinstance(modules, Mapping) else modules
        for name, module in pairs:
            self[name] = module

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Iterable[str]:
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self) -> Iterable[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> Iterable[tuple[str, Module]]:
        """(name, module) pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key: str) -> Module:
        """Remove the module called ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        for name in list(self._modules):
            del self[name]
