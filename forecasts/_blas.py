"""One BLAS thread while fitting.

The main model solves many small least-squares problems; OpenBLAS threads only add overhead
there, and on a busy two-core machine their spin-waiting makes a 1000 x 250 QR a hundred times
slower. Worker processes get ``OPENBLAS_NUM_THREADS=1`` (and friends) in their environment
before they import numpy (:func:`single_thread_env`); the current process limits the OpenBLAS
it has already loaded through OpenBLAS's own ``*_set_num_threads`` entry point
(:func:`single_blas_thread`, a no-op where that is not found).
"""

from __future__ import annotations

import ctypes
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_")
_GETTERS = tuple(s.replace("set_", "get_") for s in _SETTERS)


@lru_cache(maxsize=1)
def _openblas() -> tuple[tuple[object, object], ...]:
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so[\w.]*)", fh.read())))
    except OSError:
        return ()
    found = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for setter, getter in zip(_SETTERS, _GETTERS):
            if hasattr(lib, setter) and hasattr(lib, getter):
                found.append((getattr(lib, setter), getattr(lib, getter)))
                break
    return tuple(found)


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with one OpenBLAS thread in this process, then restore the count."""
    libs = _openblas()
    before = [get() for _, get in libs]
    for set_, _ in libs:
        set_(1)
    try:
        yield
    finally:
        for (set_, _), n in zip(libs, before):
            set_(n)


@contextmanager
def single_thread_env() -> Iterator[None]:
    """Environment for worker processes started in the block: one BLAS/OpenMP thread each."""
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update({k: "1" for k in THREAD_VARS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
