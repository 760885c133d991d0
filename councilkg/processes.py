"""Stopping a child process: the one way the project stops the servers it starts (Virtuoso, ``oxigraph serve``)."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen, grace: float = 20.0) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``grace`` seconds; returns once it has exited."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()
