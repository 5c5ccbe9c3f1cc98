"""``load_idx``: read the IDX files MNIST (and Fashion-MNIST, EMNIST...) are distributed in.

The format: two zero bytes, a byte naming the element type, a byte giving the
number of dimensions, then each dimension's size as a big-endian int32, then the
elements, big-endian, in C order. Files may be gzip-compressed (as downloaded).
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["load_idx"]

_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"load_idx: {str(path)!r} is a damaged gzip file: {error}") from error


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (plain, or gzip-compressed).

    Compression is recognised by gzip's magic bytes, whatever the file is called.
    Returns a NumPy array of the shape in the header and the dtype of its type code
    (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), in
    native byte order: MNIST's ``train-images-idx3-ubyte.gz`` gives uint8
    ``(60000, 28, 28)``, its labels file uint8 ``(60000,)``. Raises ValueError for a
    bad magic number, an unknown type code, or data shorter or longer than the
    header says.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"load_idx: {str(path)!r} {what}")
    raw = _read(path)
    name = repr(str(path))
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise ValueError(
            f"load_idx: {name} is not an IDX file: it should start with two zero bytes, a "
            f"type code and a dimension count, but starts with {raw[:4].hex(' ') or 'nothing'}"
        )
    code, ndim = raw[2], raw[3]
    if code not in _TYPES:
        known = ", ".join(f"0x{c:02X}" for c in _TYPES)
        raise ValueError(f"load_idx: {name} has unknown type code 0x{code:02X} "
                         f"(expected one of {known})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"load_idx: {name} is truncated: its header announces {ndim} "
                         f"dimensions ({header} bytes), but the file has {len(raw)} bytes")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    if any(d < 0 for d in shape):
        raise ValueError(f"load_idx: {name} has a negative dimension in its header: {shape}")
    dtype = _TYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header
    if found != expected:
        problem = "is truncated" if found < expected else "has trailing bytes"
        raise ValueError(
            f"load_idx: {name} {problem}: shape {shape} of {dtype.newbyteorder('=')} needs "
            f"{expected} bytes of data after the header, but the file has {found}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a writable copy in native byte order
