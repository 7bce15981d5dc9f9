"""`kgan board` and `kgan train --board`: TensorBoard on a run's logs, in a process of its own.

No TensorFlow here: TensorBoard imports it in its own process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

from kgan_cli.usage import UsageError

#: Images TensorBoard keeps per tag. Its default, 10, drops all but ten epochs' grids from the
#: step slider; "all" is not accepted by its Python flag parser and 0 means none to its data server.
BOARD_IMAGES_KEPT = 100_000
BOARD_PORTS = range(6006, 6106)  # the first free one is taken; TensorBoard's own default is 6006


def board_command(args):
    server, url = start_board(args.run_dir, args.port, args.host, verbose=args.verbose)
    return serve_until_interrupted(server, f"TensorBoard on {args.run_dir}: {url}  (Ctrl-C stops it)")


def start_board(folder, port=None, host="127.0.0.1", require_logs=True, verbose=False):
    """Starts TensorBoard on the logs under `folder` in a process of its own; returns `(process, url)`
    once it answers. A folder without logs (unless not `require_logs`: a run about to write them),
    a port in use or a missing TensorBoard are `UsageError`s. `verbose` shows TensorBoard's own
    messages."""
    try:
        import tensorboard  # noqa: F401  (its server runs in a process of its own)
    except ImportError:
        raise UsageError(
            "TensorBoard is not installed in this Python; pip install tensorboard (kgan's install includes it)."
        ) from None
    if not os.path.isdir(folder):
        raise UsageError(f"{folder!r} is not a folder; pass a run folder (kgan train --run-dir) or its logs/.")
    if require_logs and not _holds_event_files(folder):
        raise UsageError(
            f"{folder!r} holds no TensorBoard logs (no events.out.tfevents.* file in it or below); pass the "
            "--run-dir of a kgan train run (it writes logs/ as it trains), or a folder of such runs."
        )
    if port is None:
        port = next((p for p in BOARD_PORTS if _port_is_free(host, p)), None) or _any_free_port(host)
    elif not _port_is_free(host, port):
        raise UsageError(
            f"port {port} on {host} is in use (another TensorBoard?); pass another --port, or leave it out to "
            "take a free one."
        )
    errors = None if verbose else tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tensorboard.main",
            "--logdir",
            folder,
            "--host",
            host,
            "--port",
            str(port),
            "--samples_per_plugin",
            f"images={BOARD_IMAGES_KEPT}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=errors,
        preexec_fn=_die_with_parent(),
    )
    deadline = time.monotonic() + 180  # TensorBoard imports TensorFlow first: slow on a cold start
    while not _answers(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            if errors is None:
                raise UsageError("TensorBoard did not start (its messages are above).")
            errors.seek(0)
            lines = [line for line in errors.read().decode(errors="replace").splitlines() if line.strip()]
            raise UsageError(f"TensorBoard did not start: {lines[-1] if lines else 'no message'}")
        time.sleep(0.25)
    if errors is not None:
        errors.close()
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    return process, f"http://{shown}:{port}/"


def serve_until_interrupted(server, message):
    """Prints `message` and waits for the TensorBoard process; Ctrl-C (or SIGTERM) stops it and returns 0."""
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(message, flush=True)
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _die_with_parent():
    """On Linux, a function for the TensorBoard process to run before it starts: the kernel then
    sends it SIGTERM when kgan ends, however kgan ends (even kill -9), so no server is left
    behind. None elsewhere. (libc is looked up here: the child of a threaded process must not
    import.)"""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    set_parent_death_signal = 1  # PR_SET_PDEATHSIG
    return lambda: prctl(set_parent_death_signal, signal.SIGTERM)


def _holds_event_files(folder):
    return any(name.startswith("events.out.tfevents.") for _, _, names in os.walk(folder) for name in names)


def _port_is_free(host, port):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _any_free_port(host):
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _answers(host, port):
    try:
        with socket.create_connection(("127.0.0.1" if host in ("0.0.0.0", "::") else host, port), timeout=1):
            return True
    except OSError:
        return False
