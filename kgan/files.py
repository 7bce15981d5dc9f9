"""Files on disk: outputs written whole (a failed write leaves nothing behind, a finished one
replaces the old), and what a saved generator or a run folder of `kgan train` holds."""

from __future__ import annotations

import contextlib
import glob
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


def check_output_folder(folder, mark, what, overwrite, how_to_overwrite):
    """Refuses (FileExistsError) an output folder that is a file or holds anything but an earlier
    output of the same kind (one with the file `mark` in it: `what`, e.g. "projection"), and an
    earlier output unless `overwrite` (`how_to_overwrite` says how to ask for it)."""
    if not os.path.exists(folder):
        return
    earlier = os.path.isfile(os.path.join(folder, mark))
    if not (earlier or (os.path.isdir(folder) and not os.listdir(folder))):
        raise FileExistsError(f"{folder!r} exists and is not an earlier {what}; choose another folder.")
    if earlier and not overwrite:
        raise FileExistsError(f"{folder!r} holds an earlier {what}. Pass {how_to_overwrite} to replace it.")


def export_kind(path):
    """What kind of generator export `path` is ("a SavedModel folder", "an ONNX file", "a LiteRT
    file"), or None for anything else."""
    if os.path.isdir(path):
        return "a SavedModel folder" if os.path.isfile(os.path.join(path, "saved_model.pb")) else None
    return {".onnx": "an ONNX file", ".tflite": "a LiteRT file"}.get(os.path.splitext(path)[1].lower())


def run_files(path):
    """`(latest checkpoint, exported generator)` of the `kgan train` run folder that `path` is or
    lies in (its `checkpoints/epoch_N.keras`, its `generator/`), each None when absent: what to
    name when a user passes one file of a run where another is needed."""
    path = os.path.normpath(path)
    for run in (path, os.path.dirname(path)):
        checkpoints = os.path.join(run, "checkpoints")
        saved = sorted(glob.glob(os.path.join(glob.escape(checkpoints), "epoch_*.keras")))
        export = os.path.join(run, "generator")
        export = export if os.path.isfile(os.path.join(export, "saved_model.pb")) else None
        if saved or export:
            return (saved[-1] if saved else None), export
    return None, None
