"""Writing outputs whole: a failed write leaves nothing behind, a finished one replaces the old."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile


@contextlib.contextmanager
def written_whole(path):
    """Yields a scratch path beside `path` to write a file or folder to; moves it onto `path`
    (replacing what is there) only when the block finishes without an exception."""
    parent, name = os.path.split(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=f".{name}.", dir=parent)
    staging = os.path.join(scratch, name)
    try:
        yield staging
        if os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(staging, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
