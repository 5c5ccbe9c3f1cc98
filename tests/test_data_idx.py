"""load_idx on small IDX files written here: every type code, plain and gzip (detected by
its magic bytes, not the suffix), and the error cases."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest

from chainrule.data import load_idx

CODES = {
    np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(np.int16): 0x0B,
    np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D, np.dtype(np.float64): 0x0E,
}


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of ``array``, written from the format's description."""
    header = bytes([0, 0, CODES[array.dtype], array.ndim])
    header += b"".join(struct.pack(">i", d) for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write(tmp_path, name, payload, compress=False):
    path = tmp_path / name
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def _samples():
    rng = np.random.default_rng(0)
    return {
        "images": rng.integers(0, 256, (3, 4, 5)).astype(np.uint8),
        "labels": rng.integers(-2**31, 2**31 - 1, 7).astype(np.int32),
        "float64": rng.normal(size=(2, 3)),
        "int8": np.array([-128, -1, 0, 127], dtype=np.int8),
        "int16": np.array([[-32768, 513], [258, 32767]], dtype=np.int16),
        "float32": rng.normal(size=(4, 1, 2)).astype(np.float32),
    }


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("kind", list(_samples()))
def test_round_trip(tmp_path, kind, compress):
    array = _samples()[kind]
    path = _write(tmp_path, f"{kind}-idx", idx_bytes(array), compress)
    out = load_idx(path)
    assert out.shape == array.shape and out.dtype == array.dtype
    assert out.dtype.isnative and out.flags.writeable
    np.testing.assert_array_equal(out, array)


def test_known_bytes_are_big_endian(tmp_path):
    # type 0x0C (int32), 1 dim of size 2: values 1 and 258, big-endian
    raw = bytes([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 2])
    np.testing.assert_array_equal(load_idx(_write(tmp_path, "a", raw)), [1, 258])
    # MNIST-style labels: magic 0x00000801, 3 items
    raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4])
    out = load_idx(_write(tmp_path, "labels", raw))
    assert out.dtype == np.uint8 and out.tolist() == [5, 0, 4]


def test_gzip_detected_by_magic_not_suffix(tmp_path):
    array = _samples()["images"]
    disguised = _write(tmp_path, "images.idx", idx_bytes(array), compress=True)
    plain_named_gz = _write(tmp_path, "images.gz", idx_bytes(array), compress=False)
    np.testing.assert_array_equal(load_idx(disguised), array)
    np.testing.assert_array_equal(load_idx(plain_named_gz), array)


def test_zero_length_dimension(tmp_path):
    out = load_idx(_write(tmp_path, "empty", idx_bytes(np.zeros((0, 28), dtype=np.uint8))))
    assert out.shape == (0, 28)


@pytest.mark.parametrize("compress", [False, True])
def test_errors(tmp_path, compress):
    good = idx_bytes(_samples()["images"])

    def load(payload):
        return load_idx(_write(tmp_path, "bad", payload, compress))

    with pytest.raises(ValueError, match="not an IDX file"):
        load(b"\x01\x00" + good[2:])
    with pytest.raises(ValueError, match="not an IDX file"):
        load(b"\x00")
    with pytest.raises(ValueError, match="type code 0x07"):
        load(good[:2] + b"\x07" + good[3:])
    with pytest.raises(ValueError, match=r"truncated: shape \(3, 4, 5\).*60 bytes.*59"):
        load(good[:-1])
    with pytest.raises(ValueError, match="truncated: its header announces 3 dimensions"):
        load(good[:10])
    with pytest.raises(ValueError, match="trailing bytes.*60 bytes.*61"):
        load(good + b"\x00")
    with pytest.raises(ValueError, match="negative dimension"):
        load(bytes([0, 0, 8, 1]) + struct.pack(">i", -3))


def test_damaged_gzip_and_missing_file(tmp_path):
    payload = gzip.compress(idx_bytes(_samples()["images"]))
    with pytest.raises(ValueError, match="damaged gzip"):
        load_idx(_write(tmp_path, "cut.gz", payload[:-12]))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_idx(tmp_path / "nope.gz")
