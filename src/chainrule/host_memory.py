"""Keeping freed host memory for reuse, so that a training loop stops page-faulting.

A training step allocates the same large temporary arrays every step and frees them
at its end. With glibc's default malloc settings, memory freed at the top of the heap
is handed back to the operating system once more than a threshold (adjusted at run
time, a few MB) is free there, and every array above another threshold is mapped and
unmapped on its own; the next step then touches fresh pages, each one a page fault.
At a batch of 1024-4096 that is thousands of faults per step, which can make a step
take up to twice as long, depending on how the process's heap happens to be laid out.

``keep_freed_memory()`` sets two malloc options: arrays of up to 32 MB come from
the heap (``M_MMAP_THRESHOLD``), and freed memory stays with the process for reuse
unless over 1 GB of it is free at the top of the heap (``M_TRIM_THRESHOLD``). The
process's memory then stays near its peak instead of shrinking between steps, as with
PyTorch's caching allocators. ``import chainrule`` calls it unless the environment
variable ``CHAINRULE_KEEP_FREED_MEMORY`` is ``0``. It changes nothing (and returns
False) where the C library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

ENV_VAR = "CHAINRULE_KEEP_FREED_MEMORY"
MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
TRIM_THRESHOLD = 2**30

_M_TRIM_THRESHOLD = -1  # mallopt's option numbers, from glibc's <malloc.h>
_M_MMAP_THRESHOLD = -3


class _State:
    """Whether ``keep_freed_memory`` has set glibc's options in this process."""

    applied = False


def keep_freed_memory() -> bool:
    """Tune glibc's malloc to keep freed memory for reuse (see the module docstring).

    Returns True when the options are set (now or earlier), False where the C library
    is not glibc or refuses them.
    """
    if _State.applied:
        return True
    if not _is_glibc():
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    applied = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    _State.applied = applied
    return applied


def _is_glibc() -> bool:
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, ValueError, OSError):  # not a POSIX system, or not glibc
        return False
    return bool(version) and version.startswith("glibc")


def is_kept() -> bool:
    """Whether freed memory is being kept for reuse in this process."""
    return _State.applied


def _apply_on_import() -> None:
    if os.environ.get(ENV_VAR, "1") != "0":
        keep_freed_memory()
