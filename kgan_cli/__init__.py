"""The `kgan` command: `kgan train | board | sample | interpolate | project | translate | export | evaluate`.

It parses the arguments, calls the library and says where things went. It sits beside the `kgan`
package, not in it: importing anything inside `kgan` imports TensorFlow (the package registers its
Keras classes when imported, so that `keras.saving.load_model` finds them), which takes seconds,
and `kgan --help` or a mistyped option should answer at once. So the parser (`kgan_cli.parser`)
imports neither, and a command's module (`train`, `board`, `generators`) is imported once its
arguments parse, after TensorFlow, quietly unless `--verbose`.

Mistakes in what the user asked for (a missing file, data the model cannot take, an option that
does not apply) are `UsageError`s: one line on stderr and exit code 2. Anything else is a bug
and keeps its traceback.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import tempfile

from kgan_cli.parser import build_parser
from kgan_cli.usage import UsageError

#: Each command's module in kgan_cli and its function, called with the parsed arguments.
COMMANDS = {
    "train": ("train", "train_command"),
    "board": ("board", "board_command"),
    "sample": ("generators", "sample_command"),
    "interpolate": ("generators", "interpolate_command"),
    "project": ("generators", "project_command"),
    "export": ("generators", "export_command"),
    "evaluate": ("generators", "evaluate_command"),
    "translate": ("generators", "translate_command"),
}


def main(argv=None):
    args = build_parser().parse_args(argv)
    module, function = COMMANDS[args.command]
    try:
        if args.command != "board":  # TensorBoard runs in a process of its own
            import_tensorflow(args.verbose)
        return getattr(importlib.import_module(f"kgan_cli.{module}"), function)(args)
    except UsageError as error:
        print(f"kgan {args.command}: error: {error}", file=sys.stderr)
        return 2


def import_tensorflow(verbose):
    """Imports TensorFlow; unless `verbose`, without the lines its C++ core prints on start-up.

    TensorFlow writes CUDA-stub and CPU-feature lines straight to file descriptor 2 before its log
    level applies, so they are caught by pointing that descriptor at a temporary file while it
    loads (and shown if the import fails). TF_CPP_MIN_LOG_LEVEL=3 then silences its later C++
    logs (a value the user set is kept), and absl's Python warnings (TFDS's) are hidden.
    """
    if verbose:
        import tensorflow  # noqa: F401

        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("absl").setLevel(logging.ERROR)  # TFDS's notes about its cache folders
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            captured.seek(0)
            sys.stderr.write(captured.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
