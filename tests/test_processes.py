"""councilkg.processes.stop: the way the project stops the servers it starts."""

from __future__ import annotations

import subprocess
import sys
import time

from councilkg import processes


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, sys, time\n"
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"],
                                stdout=subprocess.PIPE, text=True)
    assert stubborn.stdout.readline().strip() == "ready"
    started = time.monotonic()
    processes.stop(stubborn, grace=0.5)
    assert stubborn.returncode == -9 and time.monotonic() - started < 30


def test_a_process_that_heeds_sigterm_ends_by_it_and_one_already_gone_is_left() -> None:
    polite = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    processes.stop(polite)
    assert polite.returncode == -15
    processes.stop(polite)  # already stopped: nothing to do
    assert polite.returncode == -15
