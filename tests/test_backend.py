"""The array backend: device selection, its errors, and ops across devices."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

import chainrule as cr
from chainrule import backend
from chainrule.tensor import Tensor


def test_cpu_is_numpy():
    assert backend.array_module(None) is np
    assert backend.array_module("cpu") is np
    assert cr.zeros(2).device == "cpu"


def test_unknown_device_is_rejected():
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        cr.zeros(2, device="tpu")


def test_cuda_without_cupy_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)  # import cupy -> ImportError
    with pytest.raises(RuntimeError, match=r"pip install 'chainrule\[gpu\]'"):
        cr.tensor([1.0], device="cuda")


def test_cuda_with_cupy_but_no_device_says_so(monkeypatch):
    fake = types.ModuleType("cupy")
    fake.is_available = lambda: False
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(RuntimeError, match="no usable CUDA device"):
        cr.zeros(3, device="cuda")


class _DeviceArray(np.ndarray):
    """Stands in for a GPU array: a different array class, as CuPy's is."""


def test_op_on_two_devices_raises_like_pytorch(monkeypatch):
    tensor_module = sys.modules["chainrule.tensor"]  # (cr.tensor is the creation function)
    monkeypatch.setattr(tensor_module, "device_of",
                        lambda a: "cuda" if isinstance(a, _DeviceArray) else "cpu")
    cpu = cr.tensor([1.0, 2.0])
    gpu = Tensor._make(np.array([1.0, 2.0], dtype=np.float32).view(_DeviceArray))
    row, gpu_row = cpu.reshape(1, 2), gpu.reshape(1, 2)
    ops = (
        lambda: cpu + gpu,
        lambda: gpu * cpu,
        lambda: cr.where(cpu > 0, cpu, gpu),
        lambda: cr.nn.functional.linear(row, gpu_row),  # input and weight differ
        lambda: cr.nn.functional.linear(row, row, gpu[:1]),  # only the bias differs
    )
    for op in ops:
        with pytest.raises(RuntimeError, match="found at least two devices, c"):
            op()
