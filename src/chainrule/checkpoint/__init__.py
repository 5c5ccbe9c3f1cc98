"""Safe checkpoints: ``save(state, path)`` and ``load(path)``, with no pickle anywhere.

Format: safetensors, written and read here directly. A checkpoint is a plain
safetensors file (an 8-byte little-endian header length, a JSON header giving
each tensor's dtype, shape and byte range plus a ``"__metadata__"`` dict of
strings, then the raw little-endian tensor bytes). We chose that documented
format over inventing one because many tools already read it: the
``safetensors`` library, PyTorch, JAX and Hugging Face loaders see a chainrule
checkpoint's tensors by name (``model.fc.weight``). We write and parse it
ourselves, with NumPy and ``json`` (about a hundred lines, in ``layout.py``),
rather than depending on the ``safetensors`` package, because the core must
need NumPy only; the tests prove the two agree both ways.

Nesting: safetensors holds a flat set of named tensors, so the structure of
``state`` (dicts with their key types, lists, tuples, ``Counter``, numbers
including inf and nan, strings, None) goes in the metadata as one JSON string,
``"chainrule.tree"``, where each tensor is a reference to its name in the file
(``tree.py`` describes the encoding).

Safety: loading parses JSON and copies bytes into NumPy arrays of an allowed
dtype; nothing is ever unpickled or imported, so a file cannot run code. Every
header field is checked against the file before data is read (length, dtype,
shape against byte range, ranges in bounds, no overlaps or holes), and files in
other formats (a pickle, ``torch.save``'s zip, ``.npy``/``.npz``) are refused
with :class:`CheckpointError`, a ValueError saying what the file looks like.

Atomicity: ``save`` writes a temporary file in the target's directory, flushes
and fsyncs it, renames it over the target with ``os.replace`` (atomic on POSIX
and Windows), then fsyncs the directory. On any error the temporary file is
removed and the old checkpoint is untouched.
"""

from .layout import CheckpointError
from .saveload import load, save

__all__ = ["CheckpointError", "load", "save"]
