"""chainrule.checkpoint: save/load round trips, safetensors compatibility both ways,
refusal of pickles and damaged files (with no code run), atomic writes, and a
resumed training run that matches an uninterrupted one bit for bit."""

from __future__ import annotations

import builtins
import json
import math
import os
import pickle
import struct
from collections import Counter, OrderedDict

import numpy as np
import pytest
import safetensors.numpy as safetensors_numpy
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr
from chainrule.checkpoint import CheckpointError, layout, load, save
from chainrule.checkpoint import tree as checkpoint_tree
from chainrule.optim import lr_scheduler

DTYPES = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(a, b):
    """Equal values of exactly the same types, all the way down (nan equals nan)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, cr.Tensor):
        assert a.requires_grad == b.requires_grad
        same(a.data, b.data)
    elif isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, dict):
        assert len(a) == len(b)
        for (ka, va), (kb, vb) in zip(a.items(), b.items()):
            same(ka, kb)
            same(va, vb)
    else:
        assert a == b


def round_trip(state, tmp_path):
    path = tmp_path / "state.safetensors"
    save(state, path)
    return load(path)


def header_of(path):
    raw = path.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    return json.loads(raw[8 : 8 + length]), raw[8 + length :]


# --- round trips ----------------------------------------------------------------------------


def test_module_state_dict_round_trips_and_loads_into_a_fresh_module(tmp_path):
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.BatchNorm1d(4))
    model(cr.randn(5, 3))  # moves the running stats and num_batches_tracked
    state = model.state_dict()
    loaded = round_trip(state, tmp_path)
    same(state, loaded)
    assert isinstance(loaded, OrderedDict)
    counter = loaded["1.num_batches_tracked"]
    assert counter.data.dtype == np.int64 and counter.shape == () and counter.item() == 1

    fresh = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.BatchNorm1d(4))
    fresh.load_state_dict(loaded)
    model.eval(), fresh.eval()
    x = cr.randn(6, 3)
    np.testing.assert_array_equal(model(x).data, fresh(x).data)


def test_optimizer_state_dict_keeps_int_keys_tuples_and_numbers(tmp_path):
    cr.manual_seed(1)
    model = cr.nn.Linear(3, 2)
    optimizer = cr.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.95), amsgrad=True)
    for _ in range(3):
        optimizer.zero_grad()
        (model(cr.randn(4, 3)) ** 2).sum().backward()
        optimizer.step()
    state = optimizer.state_dict()
    loaded = round_trip(state, tmp_path)
    same(state, loaded)
    assert list(loaded["state"]) == [0, 1]
    assert loaded["param_groups"][0]["betas"] == (0.8, 0.95)
    cr.optim.Adam(cr.nn.Linear(3, 2).parameters()).load_state_dict(loaded)


def test_scheduler_state_dicts_keep_counter_and_infinity(tmp_path):
    optimizer = cr.optim.SGD(cr.nn.Linear(2, 1).parameters(), lr=0.1)
    multistep = lr_scheduler.MultiStepLR(optimizer, milestones=[2, 4, 4], gamma=0.5)
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer, mode="max")
    plateau.step(1.5)
    state = {"multistep": multistep.state_dict(), "plateau": plateau.state_dict()}
    loaded = round_trip(state, tmp_path)
    same(state, loaded)
    assert type(loaded["multistep"]["milestones"]) is Counter
    assert loaded["plateau"]["mode_worse"] == -math.inf

    fresh = lr_scheduler.ReduceLROnPlateau(optimizer, mode="max")
    fresh.load_state_dict(loaded["plateau"])
    assert fresh.best == 1.5
    fresh.step(1.0)
    assert fresh.num_bad_epochs == 1 and fresh.best == 1.5


@pytest.mark.parametrize(
    "make",
    [
        lambda opt: lr_scheduler.StepLR(opt, 3),
        lambda opt: lr_scheduler.ExponentialLR(opt, 0.9),
        lambda opt: lr_scheduler.CosineAnnealingLR(opt, 10),
        lambda opt: lr_scheduler.LambdaLR(opt, lambda epoch: 0.5**epoch),
        lambda opt: lr_scheduler.LinearLR(opt),
        lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10),
    ],
)
def test_every_scheduler_state_dict_saves(make, tmp_path):
    scheduler = make(cr.optim.SGD(cr.nn.Linear(2, 1).parameters(), lr=0.1, momentum=0.9))
    same(scheduler.state_dict(), round_trip(scheduler.state_dict(), tmp_path))


def test_plain_values_keep_their_types(tmp_path):
    state = {
        "epoch": 7,
        "big": 2**80,
        "name": "run-1 ∂",
        "done": False,
        "nothing": None,
        "floats": [0.1, -0.0, math.inf, -math.inf, math.nan, 1e308],
        "nested": [{"a": (1, [2, (3.5,)])}, []],
        "empty": ({}, (), [], OrderedDict(), Counter()),
        7: "int key",
        2.5: "float key",
        True: "bool key",
        None: "None key",
        (1, "a", (None,)): "tuple key",
        math.inf: "inf key",
    }
    same(state, round_trip(state, tmp_path))


def test_tensor_kinds_and_requires_grad_survive(tmp_path):
    state = {
        "tensor": cr.tensor([1.0, 2.0], requires_grad=True),
        "plain": cr.tensor([[1, 2]]),
        "parameter": cr.nn.Parameter(cr.ones(2)),
        "frozen": cr.nn.Parameter(cr.ones(2), requires_grad=False),
        "array": np.arange(6, dtype=np.int16).reshape(2, 3),
        "scalar": np.float32(2.5),
        "bool_scalar": np.bool_(True),
        "rng": cr.get_rng_state(),
    }
    loaded = round_trip(state, tmp_path)
    same(state, loaded)
    assert type(loaded["parameter"]) is cr.nn.Parameter and loaded["parameter"].requires_grad
    assert not loaded["frozen"].requires_grad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3, 0, 2), (2, 3)])
def test_every_dtype_and_shape(dtype, shape, tmp_path):
    array = (np.arange(math.prod(shape)) % 3).astype(dtype).reshape(shape)
    loaded = round_trip({"t": cr.Tensor._make(array), "a": array}, tmp_path)
    same(loaded["a"], array)
    same(loaded["t"].data, array)


def test_non_contiguous_and_big_endian_arrays(tmp_path):
    strided = np.arange(24.0).reshape(4, 6)[::2, ::3]
    big_endian = np.arange(5, dtype=">i4")
    loaded = round_trip([strided, big_endian, strided.T], tmp_path)
    np.testing.assert_array_equal(loaded[0], strided)
    np.testing.assert_array_equal(loaded[1], big_endian)
    assert loaded[1].dtype == np.int32 and loaded[1].dtype.isnative
    np.testing.assert_array_equal(loaded[2], strided.T)


def test_an_array_shared_by_two_entries_is_stored_once_and_stays_shared(tmp_path):
    weight = np.ones((2, 2))
    state = {"encoder": cr.Tensor._make(weight), "decoder": cr.Tensor._make(weight), "raw": weight}
    loaded = round_trip(state, tmp_path)
    header, data = header_of(tmp_path / "state.safetensors")
    assert len(data) == weight.nbytes
    loaded["raw"][0, 0] = 5.0
    assert loaded["encoder"].data[0, 0] == loaded["decoder"].data[0, 0] == 5.0


nested = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | hnp.arrays(st.sampled_from(DTYPES), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0)),
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(
            st.text(max_size=3) | st.integers() | st.tuples(st.integers(), st.none()),
            children,
            max_size=3,
        )
    ),
    max_leaves=12,
)


@FAST
@given(state=nested)
def test_random_nested_states_round_trip(tmp_path_factory, state):
    same(state, round_trip(state, tmp_path_factory.mktemp("nested")))


# --- compatibility with the safetensors library ---------------------------------------------


def test_our_files_load_with_the_safetensors_library(tmp_path):
    model = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.BatchNorm1d(4))
    extra = {dtype: (np.arange(6) % 2).astype(dtype).reshape(2, 3) for dtype in DTYPES}
    path = tmp_path / "model.safetensors"
    save({"model": model.state_dict(), "extra": extra, "epoch": 3}, path)
    tensors = safetensors_numpy.load_file(str(path))
    expected = {f"model.{k}": v.data for k, v in model.state_dict().items()}
    expected.update({f"extra.{k}": v for k, v in extra.items()})
    assert set(tensors) == set(expected)
    for name, array in expected.items():
        same(tensors[name], array)
    header, _ = header_of(path)
    length = struct.unpack("<Q", path.read_bytes()[:8])[0]
    assert length % 8 == 0  # padded, so every tensor is aligned to its element size
    for name, info in header.items():
        if name != "__metadata__":
            assert info["data_offsets"][0] % np.dtype(tensors[name].dtype).itemsize == 0


def test_a_bare_state_dict_keeps_its_names(tmp_path):
    model = cr.nn.Linear(2, 3)
    save(model.state_dict(), tmp_path / "m.safetensors")
    assert set(safetensors_numpy.load_file(str(tmp_path / "m.safetensors"))) == {"weight", "bias"}


def test_files_from_the_safetensors_library_load_as_tensors(tmp_path):
    arrays = {dtype: (np.arange(12) % 5).astype(dtype).reshape(3, 4) for dtype in DTYPES}
    arrays["scalar"] = np.array(2.5)
    arrays["empty"] = np.zeros((0, 3), np.float32)
    path = tmp_path / "other.safetensors"
    safetensors_numpy.save_file(arrays, str(path), metadata={"author": "someone"})
    loaded = load(path)
    assert set(loaded) == set(arrays)
    for name, array in arrays.items():
        assert type(loaded[name]) is cr.Tensor
        same(loaded[name].data, array)
    assert load(tmp_path / "other.safetensors")  # metadata without a chainrule tree is fine


def test_files_from_torch_safetensors_load(tmp_path):
    from safetensors.torch import save_file

    state = torch.nn.Linear(3, 2).state_dict()
    save_file(state, str(tmp_path / "torch.safetensors"))
    loaded = load(tmp_path / "torch.safetensors")
    model = cr.nn.Linear(3, 2)
    model.load_state_dict(loaded)
    np.testing.assert_array_equal(model.weight.data, state["weight"].numpy())


# --- what save refuses ----------------------------------------------------------------------


class Opaque:
    pass


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (
            {"optimizer": {"param_groups": [{"fn": print}]}},
            "state['optimizer']['param_groups'][0]['fn']: cannot save a function",
        ),
        ({"a": [1, lambda x: x]}, "state['a'][1]: cannot save a function"),
        ([Opaque()], "state[0]: cannot save an object of type"),
        ({"model": cr.nn.Linear(1, 1)}, "save its state_dict() instead"),
        ({"c": 1 + 2j}, "state['c']: cannot save an object of type builtins.complex"),
        ({"s": {1, 2}}, "cannot save an object of type builtins.set"),
        ({"b": b"bytes"}, "cannot save an object of type builtins.bytes"),
        ({"k": np.array([1j])}, "state['k']: cannot save a NumPy array of dtype complex128"),
        ({"o": np.array([None], dtype=object)}, "cannot save a NumPy array of dtype object"),
        ({"u": cr.Tensor._make(np.zeros(2, np.uint32))}, "cannot save a Tensor of dtype uint32"),
        ({np.int64(1): 1}, "state[np.int64(1)]: cannot save a dict key of type int64"),
        ({"t": {(1, frozenset()): 1}}, "cannot save a dict key of type frozenset"),
        ({"cls": Opaque}, "cannot save a class"),
    ],
)
def test_save_rejects_what_it_cannot_hold_and_names_where(state, message, tmp_path):
    path = tmp_path / "ckpt.safetensors"
    save({"old": 1}, path)
    with pytest.raises(TypeError) as error:
        save(state, path)
    assert message in str(error.value)
    assert load(path) == {"old": 1}
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_save_rejects_a_cycle(tmp_path):
    loop: list = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match=r"state\[1\]: the state contains itself"):
        save(loop, tmp_path / "x")


def test_save_and_load_need_a_path():
    with pytest.raises(TypeError, match="expected a file path"):
        save({}, 3)
    with pytest.raises(TypeError, match="expected a file path"):
        load(None)


def test_missing_directory_and_missing_file_raise_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save({"a": 1}, tmp_path / "missing" / "ckpt.safetensors")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nowhere.safetensors")
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError):
        save({"a": 1}, tmp_path / "folder")
    assert os.listdir(tmp_path) == ["folder"] and not os.listdir(tmp_path / "folder")


# --- what load refuses, without running anything --------------------------------------------


class Exploit:
    """Unpickling this creates ``marker`` (via ``open`` or via a shell command)."""

    def __init__(self, marker, shell=False):
        self.marker, self.shell = str(marker), shell

    def __reduce__(self):
        if self.shell:
            return (os.system, (f"touch '{self.marker}'",))
        return (builtins.open, (self.marker, "w"))


@pytest.fixture
def no_unpickling(monkeypatch):
    """Fail the test if anything unpickles or calls numpy.load while it runs."""

    def forbidden(*args, **kwargs):
        raise AssertionError("load must never unpickle")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)


def test_the_exploit_is_real(tmp_path):
    for shell in (False, True):
        marker = tmp_path / f"proof-{shell}"
        pickle.loads(pickle.dumps(Exploit(marker, shell)))
        assert marker.exists()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("shell", [False, True])
def test_a_malicious_pickle_is_refused_and_runs_nothing(protocol, shell, tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": Exploit(marker, shell)}, protocol=protocol))
    with pytest.raises(CheckpointError) as error:
        load(path)
    assert not marker.exists()
    if protocol >= 2:
        assert "pickle" in str(error.value) and "never unpickles" in str(error.value)


def test_torch_save_zip_is_refused_by_name(tmp_path, no_unpickling):
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pt"
    torch.save({"weight": torch.zeros(2), "evil": Exploit(marker)}, path)
    with pytest.raises(CheckpointError, match="looks like a PyTorch/zip checkpoint") as error:
        load(path)
    assert "never unpickles" in str(error.value)
    assert not marker.exists()


def test_legacy_torch_save_is_refused_as_a_pickle(tmp_path, no_unpickling):
    path = tmp_path / "legacy.pt"
    torch.save({"w": torch.zeros(2)}, path, _use_new_zipfile_serialization=False)
    with pytest.raises(CheckpointError, match="Python pickle"):
        load(path)


def test_numpy_files_with_object_arrays_are_refused(tmp_path, no_unpickling):
    marker = tmp_path / "pwned"
    evil = np.array([Exploit(marker)], dtype=object)
    np.save(tmp_path / "evil.npy", evil, allow_pickle=True)
    np.savez(tmp_path / "evil.npz", a=evil)
    with pytest.raises(CheckpointError, match=r"NumPy \.npy file"):
        load(tmp_path / "evil.npy")
    with pytest.raises(CheckpointError, match=r"NumPy \.npz archive"):
        load(tmp_path / "evil.npz")
    assert not marker.exists()


def test_every_truncation_of_a_checkpoint_is_refused(tmp_path, no_unpickling):
    path = tmp_path / "full.safetensors"
    save({"w": np.arange(6.0), "b": cr.ones(3), "step": 4}, path)
    raw = path.read_bytes()
    cut = tmp_path / "cut.safetensors"
    for size in range(len(raw)):
        cut.write_bytes(raw[:size])
        with pytest.raises(CheckpointError):
            load(cut)


def craft(header, data=b"", length=None):
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def entry(dtype="F32", shape=(2,), offsets=(0, 8)):
    return {"dtype": dtype, "shape": list(shape), "data_offsets": list(offsets)}


def raw_tree(text):
    return {"__metadata__": {"chainrule.format": "1", "chainrule.tree": text}}


def tree(value):
    return raw_tree(json.dumps(value))


BAD_FILES = {
    "too short": (b"\x01\x00", "too short"),
    "length past the end": (craft({"a": entry()}, bytes(8), length=10**6), "larger than the rest"),
    "not json": (craft(b"{nope", bytes(8)), "not valid safetensors JSON"),
    "not an object": (craft(b"[1, 2]"), "does not start with"),
    "bad utf-8": (craft(b"{\xff}"), "not valid safetensors JSON"),
    "duplicate names": (
        craft(
            b'{"a":'
            + json.dumps(entry()).encode()
            + b',"a":'
            + json.dumps(entry()).encode()
            + b"}",
            bytes(8),
        ),
        "appears twice",
    ),
    "dtype not allowed": (craft({"a": entry("BF16", (2,), (0, 4))}, bytes(4)), "'BF16' is not"),
    "object dtype": (craft({"a": entry("O", (1,), (0, 8))}, bytes(8)), "'O' is not supported"),
    "shape/offsets mismatch": (craft({"a": entry("F32", (3,), (0, 8))}, bytes(8)), "needs 12"),
    "negative shape": (craft({"a": entry("F32", (-2,), (0, 8))}, bytes(8)), "non-negative"),
    "offsets reversed": (craft({"a": entry("U8", (0,), (8, 0))}, bytes(8)), "begin <= end"),
    "offsets out of range": (craft({"a": entry(offsets=(8, 16))}, bytes(8)), "past the end"),
    "overlap": (craft({"a": entry(), "b": entry(offsets=(4, 12))}, bytes(12)), "overlap"),
    "hole": (craft({"a": entry(offsets=(4, 12))}, bytes(12)), "belong to no tensor"),
    "trailing bytes": (craft({"a": entry()}, bytes(12)), "after the last tensor"),
    "missing field": (craft({"a": {"dtype": "F32", "shape": [2]}}, bytes(8)), "exactly the keys"),
    "bad bool": (craft({"a": entry("BOOL", (2,), (0, 2))}, b"\x01\x07"), "bool bytes"),
    "bad metadata": (craft({"__metadata__": {"a": 1}}), "must map strings to strings"),
    "tree not json": (
        craft({"__metadata__": {"chainrule.format": "1", "chainrule.tree": "{"}}),
        "not valid JSON",
    ),
    "newer format": (
        craft({"__metadata__": {"chainrule.format": "9", "chainrule.tree": "1"}}),
        "format '9'",
    ),
    "unknown tag": (craft(tree({"pickle": "os.system"})), "unknown entry 'pickle'"),
    "dangling tensor": (craft(tree({"tensor": "gone"})), "not in the file"),
    "unused tensor": (craft({**tree(1), "a": entry()}, bytes(8)), "not part of the saved state"),
    "grad on ints": (
        craft({**tree({"tensor": "a", "requires_grad": True}), "a": entry("I32")}, bytes(8)),
        "floating point",
    ),
    "bad key": (craft(tree({"dict": [[[1], 2]]})), "invalid dict key"),
    "repeated key": (craft(tree({"dict": [["a", 1], ["a", 2]]})), "appears twice"),
    "deep json": (craft(raw_tree("[" * 100000 + "]" * 100000)), "recursion depth"),
    "hdf5": (b"\x89HDF\r\n\x1a\n" + bytes(100), "HDF5"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_malformed_files_are_refused_with_the_reason(name, tmp_path, no_unpickling):
    raw, message = BAD_FILES[name]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(raw)
    with pytest.raises(CheckpointError) as error:
        load(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_too_deep_nesting_is_an_error_both_ways(tmp_path):
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(ValueError, match="nested too deeply to save"):
        save(deep, tmp_path / "deep")
    with pytest.raises(CheckpointError, match="nested too deeply"):
        checkpoint_tree.decode(deep, {}, "file")
    assert not os.path.exists(tmp_path / "deep")


def test_crafted_files_load_when_valid(tmp_path):
    """The crafting helpers make readable files, so each refusal above is for its reason."""
    path = tmp_path / "ok.safetensors"
    path.write_bytes(craft(tree(1)))
    assert load(path) == 1
    path.write_bytes(craft({**tree({"tensor": "a"}), "a": entry("BOOL", (2,), (0, 2))}, b"\1\0"))
    same(load(path), cr.tensor([True, False]))
    path.write_bytes(craft({"a": entry(), "b": entry(offsets=(8, 16))}, bytes(16)))
    assert list(load(path)) == ["a", "b"]
    assert issubclass(CheckpointError, ValueError)


@FAST
@given(data=st.data())
def test_damaged_files_only_ever_raise_checkpoint_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("damaged") / "ckpt.safetensors"
    save({"w": np.arange(4.0), "names": ["a", "b"], 3: (1.5, None)}, path)
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path.write_bytes(bytes(raw))
    try:
        load(path)
    except CheckpointError:
        pass


# --- atomic writes --------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["write", "replace", "interrupt"])
def test_a_failed_save_leaves_the_old_checkpoint(failure, tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    save({"weights": np.arange(1000.0), "epoch": 1}, path)

    def half_then_fail(file, arrays):
        file.write(next(iter(arrays)).tobytes()[:100])
        raise KeyboardInterrupt if failure == "interrupt" else OSError("disk full")

    def failing_replace(src, dst):
        raise OSError("rename failed")

    if failure == "replace":
        monkeypatch.setattr(os, "replace", failing_replace)
    else:
        monkeypatch.setattr(layout, "write_data", half_then_fail)
    with pytest.raises(KeyboardInterrupt if failure == "interrupt" else OSError):
        save({"weights": np.zeros(1000), "epoch": 2}, path)
    monkeypatch.undo()
    old = load(path)
    assert old["epoch"] == 1
    np.testing.assert_array_equal(old["weights"], np.arange(1000.0))
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_save_syncs_the_file_before_renaming(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append("replace") or real_replace(a, b))
    save({"a": 1}, tmp_path / "x")
    assert events[:2] == ["fsync", "replace"]


def test_permissions_and_symlinks(tmp_path):
    path = tmp_path / "ckpt"
    save({"a": 1}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o600)
    save({"a": 2}, path)
    assert path.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "latest"
    link.symlink_to(path)
    save({"a": 3}, link)
    assert link.is_symlink() and load(path) == {"a": 3}


# --- resuming training ----------------------------------------------------------------------


def build(seed, algorithm):
    cr.manual_seed(seed)
    model = cr.nn.Sequential(
        cr.nn.Linear(3, 16), cr.nn.Tanh(), cr.nn.Dropout(0.2), cr.nn.Linear(16, 1)
    ).double()
    if algorithm == "adam":
        optimizer = cr.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    else:
        optimizer = cr.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
    return model, optimizer, scheduler


def train(model, optimizer, scheduler, steps):
    x = cr.tensor(np.linspace(-1, 1, 24).reshape(8, 3), dtype=cr.float64)
    y = cr.tensor(np.sin(np.arange(8.0)).reshape(8, 1), dtype=cr.float64)
    for _ in range(steps):
        optimizer.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        optimizer.step()
        scheduler.step()


@pytest.mark.parametrize("algorithm", ["adam", "sgd"])
def test_resumed_training_matches_uninterrupted_training_bit_for_bit(algorithm, tmp_path):
    straight = build(0, algorithm)
    train(*straight, 20)

    first = build(0, algorithm)
    train(*first, 10)
    model, optimizer, scheduler = first
    save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "rng": cr.get_rng_state(),
            "epoch": 10,
        },
        tmp_path / "ckpt.safetensors",
    )
    del first, model, optimizer, scheduler

    model, optimizer, scheduler = build(1, algorithm)
    checkpoint = load(tmp_path / "ckpt.safetensors")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    cr.set_rng_state(checkpoint["rng"])
    assert checkpoint["epoch"] == 10
    train(model, optimizer, scheduler, 10)

    for ours, reference in zip(model.parameters(), straight[0].parameters()):
        assert ours.data.dtype == np.float64
        np.testing.assert_array_equal(ours.data, reference.data)
    assert optimizer.param_groups[0]["lr"] == straight[1].param_groups[0]["lr"]
