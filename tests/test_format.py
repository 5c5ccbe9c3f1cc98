"""How tensors print, compared with PyTorch's repr character for character.

Both tensors are built from the same NumPy array (same dtype); torch's repr
is taken with ``torch.`` replaced by ``chainrule.`` (``dtype=chainrule.float64``).
Not covered: CUDA tensors (we print ``device='cuda'`` where torch says
``'cuda:0'``), dtypes chainrule lacks (complex, bfloat16, uint8...), and
custom print options (chainrule uses torch's defaults only).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr

NAN, INF = float("nan"), float("inf")
RNG = np.random.default_rng(0)


SUFFIX_BREAK = re.compile(r",(?: |\n {7})(?=(?:size|dtype|device|grad_fn|requires_grad)=)")


def torch_repr(t: torch.Tensor) -> str:
    """torch's repr with ``torch.`` renamed ``chainrule.``, its suffixes re-laid out.

    ``dtype=chainrule.float64`` is 4 characters longer than ``dtype=torch.float64``,
    so it may have to go on a new line where torch's did not: the suffixes are
    joined again by torch's rule, with the longer name (each goes on a new line
    when the line, measured as torch measures it, would pass 80 characters).
    """
    text = repr(t).replace("torch.", "chainrule.")
    head, *suffixes = SUFFIX_BREAK.split(text[:-1])
    parts, last_line = [head], len(head) - head.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > 80:
            parts.append(",\n" + " " * 7 + suffix)
            last_line = 7 + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def reprs(array: np.ndarray, requires_grad: bool = False) -> tuple[str, str]:
    ours = cr.tensor(array, requires_grad=requires_grad)
    theirs = torch.tensor(array, requires_grad=requires_grad)
    return repr(ours), torch_repr(theirs)


def f32(data) -> np.ndarray:
    return np.asarray(data, dtype=np.float32)


def f64(data) -> np.ndarray:
    return np.asarray(data, dtype=np.float64)


CASES = {
    "matrix": f32([[1.0, 2.0], [3.0, 4.0]]),
    "scalar": f32(3.5),
    "scalar int": np.int64(7),
    "scalar bool": np.bool_(True),
    "scalar nan float64": f64(NAN),
    "ints": np.array([1, 2]),
    "negative ints": np.array([-123456789, 5, 0]),
    "bools": np.array([True, False]),
    "bool matrix": np.eye(3, dtype=bool),
    "sci small": f32([1.12345, 1e-5]),
    "zeros float64": f64([0.0, 0.0]),
    "big and small": f32([-1.5, 2.25, 1e8]),
    "whole, wide range": f32([1e9, 1.0]),
    "whole and fraction": f32([123456789.0, 0.1]),
    "nan and zero": f32([NAN, 0.0]),
    "one and inf": f32([1.0, INF]),
    "nan and infs": f32([100.0, NAN, -INF]),
    "negative zero": f32([-0.0, 1.0]),
    "at 1e-4": f32([1e-4, 1.0]),
    "below 1e-4": f32([9.99999e-5, 1.0]),
    "exactly 1e-4 float64": f64([1e-4, 0.05]),
    "ratio exactly 1000": f32([1.5, 1500.0]),
    "whole, ratio exactly 1000": f32([1.0, -1000.0]),
    "whole, exactly 1e8": f32([1e8, 2e7]),
    "tiny float64": f64([1e-10]),
    "extreme float64": f64([-1e300, 1e-300]),
    "int32": np.array([1, -2], dtype=np.int32),
    "float16": np.array([0.1, 2.5], dtype=np.float16),
    "3-d ints": np.arange(1, 9).reshape(2, 2, 2),
    "wrapped row": np.linspace(-3, 0, 30, dtype=np.float32),
    "wrapped whole row": np.arange(40.0, dtype=np.float32),
    "summarized 1-d": np.arange(2000),
    "summarized 1-d wide values": np.concatenate([[1e6], np.zeros(1000), [0.5]]).astype(np.float32),
    "summarized 2-d": (np.arange(2000.0).reshape(40, 50) / 7).astype(np.float32),
    "summarized 3-d": np.arange(1100.0, dtype=np.float32).reshape(10, 10, 11),
    "summarized last dim only": RNG.standard_normal((3, 1000)).astype(np.float32),
    "just over threshold": np.arange(1001),
    "normal x100": (RNG.standard_normal((5, 5)) * 100).astype(np.float32),
    "normal x1e-3 float64": RNG.standard_normal((4, 4)) * 1e-3,
    "4-d": RNG.standard_normal((2, 1, 2, 3)).astype(np.float32),
    "empty float": f32([]),
    "empty int": np.array([], dtype=np.int64),
    "empty 2-d": np.zeros((0, 3), dtype=np.float32),
    "empty bool 2-d": np.zeros((2, 0), dtype=bool),
    "empty float64 3-d": np.zeros((1, 0, 2)),
    "dtype suffix wraps": np.arange(9.0) / 3,
    "dtype suffix wraps for chainrule only": f64([0.0, 0.0, 0.0, 1e8]),
    # with requires_grad=True, the suffix ends exactly at column 80 / one past it
    "suffix just fits": np.full((2, 7), 1000.0, dtype=np.float32),
    "suffix just wraps": np.full((2, 10), 10.0, dtype=np.float32),
}


def test_suffix_layout_is_torchs_with_the_longer_name():
    # Exactly where torch's rule puts the longer name on its own line.
    assert reprs(CASES["dtype suffix wraps for chainrule only"])[0] == (
        "tensor([        0.,         0.,         0., 100000000.],\n"
        "       dtype=chainrule.float64)"
    )
    assert "\n" not in repr(torch.tensor(CASES["dtype suffix wraps for chainrule only"]))


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    ours, theirs = reprs(CASES[name])
    assert ours == theirs


@pytest.mark.parametrize("name", ["matrix", "scalar", "sci small", "dtype suffix wraps",
                                  "summarized 2-d", "tiny float64", "empty float",
                                  "suffix just fits", "suffix just wraps"])
def test_requires_grad_suffix_matches_torch(name):
    ours, theirs = reprs(CASES[name], requires_grad=True)
    assert ours == theirs


def test_grad_fn_suffix_matches_torch():
    data = f32([[1.0, 2.0], [3.0, 4.0]])
    x, y = cr.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    assert repr(x * 2) == torch_repr(y * 2)
    assert "grad_fn=<MulBackward0>" in repr(x * 2)
    with cr.no_grad():
        assert repr(x * 2) == torch_repr((y * 2).detach())


def test_str_is_repr_and_print_works(capsys):
    t = cr.tensor([1.0, 2.0])
    print(t)
    assert capsys.readouterr().out == repr(t) + "\n" == str(t) + "\n"


finite_floats = st.one_of(
    st.floats(-10, 10),
    st.floats(-1e10, 1e10),
    st.floats(-1e-3, 1e-3),
    st.integers(-1000, 1000).map(float),
    st.sampled_from([0.0, -0.0, 1.0, 0.5, 1e-5, 12345.678]),
)
special = st.sampled_from([NAN, INF, -INF])


@st.composite
def printable_arrays(draw) -> np.ndarray:
    kind = draw(st.sampled_from(["float32", "float64", "int64", "bool"]))
    long_1d = draw(st.booleans()) and draw(st.booleans())
    shape = (draw(st.integers(995, 1010)),) if long_1d else draw(
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7))
    if kind == "bool":
        elements = st.booleans()
    elif kind == "int64":
        elements = st.integers(-(10**6), 10**6) | st.integers(-(2**62), 2**62)
    else:
        with_specials = draw(st.integers(0, 4)) == 0
        elements = finite_floats | special if with_specials else finite_floats
        return draw(hnp.arrays(np.float64, shape, elements=elements)).astype(kind)
    return draw(hnp.arrays(np.dtype(kind), shape, elements=elements))


@settings(max_examples=60, deadline=None)
@given(array=printable_arrays(), requires_grad=st.booleans())
def test_repr_matches_torch_on_random_arrays(array, requires_grad):
    requires_grad = requires_grad and array.dtype.kind == "f"
    ours, theirs = reprs(array, requires_grad)
    assert ours == theirs
