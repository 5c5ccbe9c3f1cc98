"""``save`` and ``load``: atomic writes, and reads that refuse anything but safetensors."""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
import zipfile
from typing import Any

from . import layout
from .layout import CheckpointError
from .tree import decode, encode

FORMAT_VERSION = "1"
_TREE_KEY = "chainrule.tree"
_FORMAT_KEY = "chainrule.format"
_NEVER_UNPICKLES = (
    "chainrule never unpickles, because unpickling a file can run any code it contains"
)


def save(state: Any, path: str | os.PathLike) -> None:
    """Write ``state`` to ``path`` as a safetensors file, atomically.

    ``state`` may nest dicts (str, int, float, bool, None or tuple keys),
    ``OrderedDict``, ``Counter``, lists, tuples, ints, floats (inf and nan too),
    bools, None, strings, Tensors, Parameters and NumPy arrays or scalars of
    dtype float64/32/16, int64/32/16/8, uint8 or bool: a module's or an
    optimizer's ``state_dict()``, a scheduler's, an epoch counter. Anything else
    raises TypeError naming where it is (``state['optimizer'][...]``), before
    the file is touched.

    The file is written to a temporary file in the same directory, flushed to
    disk and renamed over ``path``, so a crash mid-save leaves the previous file
    whole. Tensors are stored under their dotted path (``model.fc.weight``), so
    other safetensors readers see them by name.
    """
    target = _path(path, "save")
    tree, arrays = encode(state)
    text = json.dumps(tree, separators=(",", ":"), allow_nan=False)
    metadata = {_FORMAT_KEY: FORMAT_VERSION, _TREE_KEY: text}
    header, ordered = layout.encode_header(arrays, metadata)

    target = os.path.realpath(target)  # through a symlink, as a plain open() would write
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            errno.ENOENT,
            f"cannot save a checkpoint: the directory {directory!r} does not exist",
            os.fspath(path),
        )
    mode = _mode_for(target)
    temporary = tempfile.NamedTemporaryFile(
        dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp", delete=False
    )
    try:
        with temporary as file:
            file.write(header)
            layout.write_data(file, ordered)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary.name, mode)
        os.replace(temporary.name, target)
    except BaseException:
        try:
            os.unlink(temporary.name)
        except OSError:
            pass
        raise
    _fsync_directory(directory)


def load(path: str | os.PathLike) -> Any:
    """Read a checkpoint written by :func:`save`; no code in the file can ever run.

    Tensors come back as chainrule Tensors (Parameters as Parameters, NumPy
    arrays as arrays), on the CPU; dicts, tuples, ``Counter`` and int keys keep
    their types. A safetensors file written by another tool gives a dict of
    Tensors by name. Anything else (a pickle, a ``torch.save`` zip, a ``.npy``
    or ``.npz`` file) and any damaged file raise :class:`CheckpointError`
    (a ValueError) saying what was wrong; a missing file raises FileNotFoundError.
    """
    source = _path(path, "load")
    with open(source, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        head = file.read(16)
        _refuse_other_formats(head, size, source)
        file.seek(0)
        arrays, metadata = layout.read(file, size, source)
    if _TREE_KEY not in metadata:
        return decode({"dict": [[name, {"tensor": name}] for name in arrays]}, arrays, source)
    version = metadata.get(_FORMAT_KEY)
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{source}: checkpoint format {version!r} is not one this chainrule reads "
            f"({FORMAT_VERSION!r}); it may come from a newer version"
        )
    try:
        tree = json.loads(metadata[_TREE_KEY], parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise CheckpointError(f"{source}: the saved state is not valid JSON: {error}") from None
    return decode(tree, arrays, source)


def _path(path: Any, action: str) -> str:
    if not isinstance(path, str | bytes | os.PathLike):
        raise TypeError(
            f"{action}: expected a file path (str or os.PathLike), got {type(path).__name__}"
        )
    return os.fsdecode(os.fspath(path))


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def _refuse_other_formats(head: bytes, size: int, source: str) -> None:
    """Name the format of a file that is plainly not safetensors (never reading it as such)."""
    if len(head) > 8 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") <= size - 8:
        return  # shaped like safetensors: the reader checks the rest
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise CheckpointError(f"{source}: {_describe_zip(source)}; {_NEVER_UNPICKLES}.")
    if head.startswith(b"\x93NUMPY"):
        raise CheckpointError(
            f"{source}: this is a NumPy .npy file, not a chainrule checkpoint (which is a "
            "safetensors file); read it with numpy.load(path, allow_pickle=False)"
        )
    if head[:1] == b"\x80" and head[1:2] and 2 <= head[1] <= 5:
        raise CheckpointError(
            f"{source}: this is a Python pickle (protocol {head[1]}), as written by pickle or "
            f"an old torch.save, not a chainrule checkpoint; {_NEVER_UNPICKLES}. Re-save the "
            "data with chainrule.save, from code you trust"
        )
    if head.startswith(b"\x89HDF\r\n\x1a\n"):
        raise CheckpointError(
            f"{source}: this is an HDF5 file (a Keras .h5 checkpoint?), not a chainrule "
            "checkpoint (which is a safetensors file)"
        )


def _describe_zip(source: str) -> str:
    try:
        with zipfile.ZipFile(source) as archive:  # lists names only; nothing is extracted
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        names = []
    if any(name.endswith("data.pkl") for name in names):
        return (
            "this looks like a PyTorch/zip checkpoint (torch.save), whose contents are a pickle "
            "(data.pkl). Convert it where you trust it: torch.load(path, weights_only=True), "
            "then safetensors.torch.save_file(...), which chainrule.load reads"
        )
    if names and all(name.endswith(".npy") for name in names):
        return (
            "this is a NumPy .npz archive, not a chainrule checkpoint; read it with "
            "numpy.load(path, allow_pickle=False)"
        )
    return "this is a zip archive, not a chainrule checkpoint (which is a safetensors file)"


def _mode_for(target: str) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0o666 & ~umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    try:  # Linux reports it without the process-wide set-and-restore of os.umask
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable, where the platform allows opening a directory."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
