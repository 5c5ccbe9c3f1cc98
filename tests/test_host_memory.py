"""Freed host memory is kept for reuse, so a loop of large temporaries stops page-faulting."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chainrule import host_memory

# A "step" that allocates twenty 3 MB arrays and frees them, as a training step at a large
# batch does; prints the minor page faults per step after a warm-up, then whether the
# malloc options are set.
_PROBE = """
import resource
import numpy as np
import chainrule

def step():
    arrays = [np.ones(750_000, np.float32) for _ in range(20)]
    del arrays

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10
print(faults, chainrule.host_memory.is_kept())
"""

needs_glibc = pytest.mark.skipif(
    not host_memory._is_glibc(), reason="the malloc options are glibc's"
)


def _probe(keep: str | None) -> tuple[float, bool]:
    env = dict(os.environ)
    env.pop(host_memory.ENV_VAR, None)
    if keep is not None:
        env[host_memory.ENV_VAR] = keep
    result = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                            text=True, check=True, timeout=120)
    faults, kept = result.stdout.split()
    return float(faults), kept == "True"


@needs_glibc
def test_import_keeps_freed_memory_and_the_loop_stops_faulting():
    faults, kept = _probe(None)
    assert kept
    # 20 x 3 MB touched per step would be ~15,000 faults if the pages were new each time.
    assert faults < 100, f"{faults} page faults per step with freed memory kept"


@needs_glibc
def test_the_environment_variable_turns_it_off():
    faults, kept = _probe("0")
    assert not kept
    # The same loop with glibc's defaults: memory goes back to the system and comes back
    # page by page, which is what keeping it avoids (this proves the probe can tell).
    assert faults > 1000, f"only {faults} page faults per step with glibc's defaults"


def test_keep_freed_memory_reports_what_it_did():
    assert host_memory.keep_freed_memory() is host_memory._is_glibc()
    assert host_memory.is_kept() is host_memory._is_glibc()
