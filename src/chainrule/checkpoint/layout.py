"""The safetensors byte layout, written and read with NumPy and ``json`` only.

A file is: an 8-byte little-endian unsigned length ``N``; ``N`` bytes of UTF-8
JSON mapping each tensor name to ``{"dtype", "shape", "data_offsets"}`` (offsets
into the data that follows, end exclusive), plus an optional ``"__metadata__"``
object of string to string, padded with spaces to a multiple of 8; then the
tensors' raw little-endian, row-major bytes, back to back with no holes.

The reader trusts nothing: every length, name, dtype, shape and offset is
checked against the file before a byte of tensor data is read, and any problem
raises :class:`CheckpointError` saying what was wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any, BinaryIO

import numpy as np

# safetensors' dtype codes for the element types a checkpoint may hold.
DTYPES: dict[str, np.dtype] = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in DTYPES.items()}
ALLOWED_DTYPES = "float64, float32, float16, int64, int32, int16, int8, uint8, bool"

MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
_ENTRY_KEYS = {"dtype", "shape", "data_offsets"}


class CheckpointError(ValueError):
    """A file that is not a checkpoint ``chainrule.load`` can read safely (it says why)."""


def dtype_code(dtype: np.dtype) -> str | None:
    """The safetensors code for ``dtype``, or None if a checkpoint cannot hold it."""
    return _CODES.get(dtype.newbyteorder("="))


def encode_header(
    arrays: dict[str, np.ndarray], metadata: dict[str, str]
) -> tuple[bytes, list[np.ndarray]]:
    """The length prefix and header for ``arrays``, and the arrays in the order to write them.

    Tensors are laid out widest element first (then by name), as the safetensors
    library does, so every tensor starts at a multiple of its element size.
    """
    order = sorted(arrays, key=lambda name: (-arrays[name].dtype.itemsize, name))
    header: dict[str, Any] = {"__metadata__": metadata} if metadata else {}
    ordered, offset = [], 0
    for name in order:
        array = arrays[name]
        header[name] = {
            "dtype": dtype_code(array.dtype),
            "shape": list(array.shape),
            "data_offsets": [offset, offset + array.nbytes],
        }
        offset += array.nbytes
        ordered.append(np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")))
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text, ordered


def write_data(file: BinaryIO, arrays: Iterable[np.ndarray]) -> None:
    """Write each array's bytes, in order, with no copies."""
    for array in arrays:
        if array.size:
            file.write(array.reshape(-1).view(np.uint8).data)


def read(file: BinaryIO, size: int, source: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every tensor (by name, in header order) and the metadata of the safetensors ``file``."""
    entries, metadata, data_start = _read_header(file, size, source)
    arrays: dict[str, np.ndarray] = {}
    file.seek(data_start)
    for name, dtype, shape, (begin, end) in sorted(entries, key=lambda e: tuple(e[3])):
        array = np.empty(shape, dtype=dtype)
        if end > begin:
            got = file.readinto(array.reshape(-1).view(np.uint8))
            if got != end - begin:
                raise CheckpointError(f"{source}: file ended inside tensor {name!r} (truncated?)")
        if dtype == DTYPES["BOOL"] and array.view(np.uint8).max(initial=0) > 1:
            raise CheckpointError(f"{source}: tensor {name!r} has bool bytes other than 0 and 1")
        arrays[name] = array if array.dtype.isnative else array.astype(dtype.newbyteorder("="))
    return {name: arrays[name] for name, *_ in entries}, metadata


def _read_header(file: BinaryIO, size: int, source: str) -> tuple[list, dict[str, str], int]:
    prefix = file.read(8)
    if len(prefix) < 8:
        raise CheckpointError(
            f"{source}: the file is {size} bytes, too short to be a checkpoint "
            "(a safetensors file starts with an 8-byte header length)"
        )
    length = int.from_bytes(prefix, "little")
    if length > size - 8:
        raise CheckpointError(
            f"{source}: the header length {length} is larger than the rest of the file "
            f"({size - 8} bytes): the file is truncated or not a safetensors checkpoint"
        )
    if length > MAX_HEADER_BYTES:
        raise CheckpointError(
            f"{source}: the header is {length} bytes, over the limit of {MAX_HEADER_BYTES}"
        )
    header = _parse_json(file.read(length), source)
    metadata = header.pop("__metadata__", None)
    if metadata is None:
        metadata = {}
    elif not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise CheckpointError(f"{source}: '__metadata__' must map strings to strings")
    entries = [_check_entry(name, info, source) for name, info in header.items()]
    _check_coverage(entries, size - 8 - length, source)
    return entries, metadata, 8 + length


def _parse_json(raw: bytes, source: str) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
        if not text.startswith("{"):
            raise ValueError("the header does not start with '{'")
        header = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise CheckpointError(
            f"{source}: the header is not valid safetensors JSON: {error}"
        ) from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{source}: the header is not a JSON object")
    return header


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        names = [k for k, _ in pairs]
        duplicate = next(k for k in names if names.count(k) > 1)
        raise ValueError(f"the key {duplicate!r} appears twice")
    return result


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in a header")


def _check_entry(name: str, info: Any, source: str) -> tuple[str, np.dtype, tuple, list[int]]:
    where = f"{source}: tensor {name!r}"
    if not isinstance(info, dict) or set(info) != _ENTRY_KEYS:
        raise CheckpointError(f"{where}: expected exactly the keys {sorted(_ENTRY_KEYS)}")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in DTYPES:
        raise CheckpointError(
            f"{where}: dtype {code!r} is not supported (expected one of {sorted(DTYPES)})"
        )
    if not isinstance(shape, list) or not all(_is_count(n) for n in shape):
        raise CheckpointError(f"{where}: shape {shape!r} is not a list of non-negative ints")
    if (
        not isinstance(offsets, list)
        or len(offsets) != 2
        or not all(_is_count(n) for n in offsets)
        or offsets[0] > offsets[1]
    ):
        raise CheckpointError(
            f"{where}: data_offsets {offsets!r} is not [begin, end], begin <= end"
        )
    dtype = DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    if offsets[1] - offsets[0] != expected:
        raise CheckpointError(
            f"{where}: shape {shape} of {code} needs {expected} bytes, but data_offsets "
            f"{offsets} span {offsets[1] - offsets[0]}"
        )
    return name, dtype, tuple(shape), offsets


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


def _check_coverage(entries: list, data_bytes: int, source: str) -> None:
    """Tensors must tile the data exactly: in range, no overlaps, no holes."""
    cursor, previous = 0, None
    for name, _, _, (begin, end) in sorted(entries, key=lambda e: tuple(e[3])):
        if end > data_bytes:
            raise CheckpointError(
                f"{source}: tensor {name!r} has data_offsets [{begin}, {end}] past the end of "
                f"the data ({data_bytes} bytes): the file is truncated or corrupt"
            )
        if begin < cursor:
            raise CheckpointError(
                f"{source}: tensors {previous!r} and {name!r} overlap (data_offsets)"
            )
        if begin > cursor:
            raise CheckpointError(
                f"{source}: bytes {cursor} to {begin} of the data belong to no tensor"
            )
        cursor, previous = end, name
    if cursor != data_bytes:
        raise CheckpointError(
            f"{source}: {data_bytes - cursor} bytes after the last tensor belong to no tensor"
        )
