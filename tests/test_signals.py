"""SIGTERM and SIGINT at any moment of the interview, many times over, in a real pseudo-terminal."""

from __future__ import annotations

import io
import os
import signal
import sys
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pexpect
import pytest

# Each run is bounded (start-up, then 3 s at most after its signal); this bounds the whole. 50
# runs take about 0.35 s of CPU each: 30 to 52 s measured here, with the machine's two cores
# shared by other work (load average 6 to 7).
pytestmark = pytest.mark.timeout(120)

RUNS = 50
WORKERS = 4  # each run mostly waits for its child to start; a few at once keep the total short
PROMPT = 1.0  # seconds allowed from the signal to the exit
FIRST = "How old are you?"
DOWN, ENTER = "\x1b[B", "\r"
# What the screen is doing when the signal comes: (keys sent once the first prompt shows, or
# None to resize the terminal instead, which redraws the prompt).
MOMENTS: list[str | None] = [
    "",  # the first prompt, waiting
    "3",  # a keystroke being echoed and the prompt redrawn
    "35" + ENTER,  # one prompt closing, its answer printed, the next one drawn
    "35" + ENTER + DOWN,  # the next prompt (a list) drawn and moved at once
    None,  # a resize (SIGWINCH) redrawing the prompt
]
# Seconds between those keys and the signal: right away, mid-redraw, and once it is idle.
DELAYS = [0.0, 0.001, 0.003, 0.008, 0.015, 0.03, 0.06, 0.12, 0.25]
SAID = {
    signal.SIGTERM: ("Terminated: nothing was saved.", 143),
    signal.SIGINT: ("Interrupted: nothing was saved.", 130),
}


def plan() -> list[tuple[int, str | None, float, signal.Signals]]:
    """Every run's moment, delay and signal: a SIGINT in four, all moments at many delays."""
    return [
        (
            i,
            MOMENTS[i % len(MOMENTS)],
            DELAYS[i % len(DELAYS)],
            signal.SIGINT if i % 4 == 3 else signal.SIGTERM,
        )
        for i in range(RUNS)
    ]


def signal_once(
    folder: Path, i: int, keys: str | None, delay: float, sig: signal.Signals
) -> tuple[float, str | None]:
    """Start `assess`, send ``sig`` at the given moment: how long it took to stop, and what
    went wrong (None when nothing did)."""
    stderr = folder / f"stderr-{i}.txt"
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1", "TERM": "xterm"}
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", 'exec "$0" -m mesoguide assess 2>"$1"', sys.executable, str(stderr)],
        env=env,
        encoding="utf-8",
        dimensions=(40, 100),
        timeout=20,  # the child's start-up, on a busy machine
    )
    screen = io.StringIO()
    child.logfile_read = screen
    what = f"run {i} ({sig.name} {delay * 1000:g} ms after {keys!r})"
    try:
        child.expect_exact(FIRST)
        if keys is None:
            child.setwinsize(30, 80)
        else:
            child.send(keys)
        time.sleep(delay)
        sent = time.monotonic()
        child.kill(sig)
        try:
            child.expect(pexpect.EOF, timeout=3 * PROMPT)
        except pexpect.TIMEOUT:
            late = f"still running after {3 * PROMPT:g} s: {screen.getvalue()[-300:]!r}"
            return 3 * PROMPT, f"{what}: {late}"
        took = time.monotonic() - sent
        lflag = termios.tcgetattr(child.child_fd)[3]
    finally:
        child.close(force=True)
    line, code = SAID[sig]
    said = stderr.read_text(encoding="utf-8")
    shown = screen.getvalue()
    problems = []
    if (child.exitstatus, child.signalstatus) != (code, None):
        problems.append(f"exit {child.exitstatus} (signal {child.signalstatus}), not {code}")
    if said.strip().splitlines() != [line]:
        problems.append(f"stderr {said!r}")
    if took > PROMPT:
        problems.append(f"took {took:.2f} s")
    if not (lflag & termios.ECHO and lflag & termios.ICANON):
        problems.append("the terminal is left without echo")
    if shown.rfind("\x1b[?2004h") > shown.rfind("\x1b[?2004l"):
        problems.append("bracketed paste is left on")
    if "Press ENTER" in shown or "Traceback" in shown:
        problems.append(f"the screen shows {shown[-300:]!r}")
    return took, f"{what}: {'; '.join(problems)}" if problems else None


def test_fifty_signals_at_varied_moments_all_stop_the_interview(tmp_path: Path) -> None:
    """Stops promptly with the right code and one line, terminal restored, at every moment."""
    with ThreadPoolExecutor(WORKERS) as pool:
        runs = list(pool.map(lambda run: signal_once(tmp_path, *run), plan()))
    failures = [failure for _, failure in runs if failure is not None]
    slowest = max(took for took, _ in runs)
    assert not failures, f"{len(failures)} of {RUNS} runs failed:\n" + "\n".join(failures)
    print(f"the slowest of {RUNS} runs stopped {slowest:.2f} s after its signal")
