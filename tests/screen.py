"""A pseudo-terminal of a set size, read through a terminal emulator (pyte): what a person sees."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable

import pexpect
import pyte


class Screen:
    """``mesoguide`` running in a pseudo-terminal of ``columns`` x ``rows``, drawn by pyte."""

    def __init__(
        self, args: list[str], columns: int, rows: int = 100, cwd: str | None = None, **env: str
    ) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()  # every byte the program wrote
        # PAGER=cat: a report taller than the screen would otherwise wait in less
        environment = {
            **os.environ,
            "PROMPT_TOOLKIT_NO_CPR": "1",
            "TERM": "xterm",
            "PAGER": "cat",
            **env,
        }
        environment.pop("COLUMNS", None)
        environment.pop("LINES", None)
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "mesoguide", *args],
            env=environment,
            dimensions=(rows, columns),
            cwd=cwd,
            timeout=10,
        )

    def pump(self, wait: float = 0.05) -> bool:
        """Feed what the program has written so far to the emulator; False once it has exited."""
        try:
            while True:
                data = self.child.read_nonblocking(65536, timeout=wait)
                self.raw.extend(data)
                self.stream.feed(data)
                wait = 0.01
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False

    def text(self) -> str:
        """The screen's lines joined by spaces, runs of blanks made one."""
        return " ".join(" ".join(self.screen.display).split())

    def words(self) -> set[str]:
        return set(self.text().split())

    def wait_for(self, *phrases: str, timeout: float = 10) -> None:
        """Wait until every phrase is on screen, as whole words in order (wrapped or not)."""
        wanted = [" ".join(p.split()) for p in phrases]
        deadline = time.monotonic() + timeout
        while True:
            alive = self.pump()
            shown = f" {self.text()} "
            missing = [p for p in wanted if not re.search(rf"(?<!\S){re.escape(p)}(?!\S)", shown)]
            if not missing:
                return
            if not alive or time.monotonic() > deadline:
                raise AssertionError(f"not on screen: {missing!r}\n{self.dump()}")

    def wait_for_words(self, *phrases: str, timeout: float = 10) -> None:
        """Wait until every word of the phrases is on screen as a whole word (any layout)."""
        wanted = {word for phrase in phrases for word in phrase.split()}
        deadline = time.monotonic() + timeout
        while True:
            alive = self.pump()
            missing = wanted - self.words()
            if not missing:
                return
            if not alive or time.monotonic() > deadline:
                raise AssertionError(f"not on screen as whole words: {missing!r}\n{self.dump()}")

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = 10) -> None:
        """Wait until ``check()`` holds for the screen drawn so far."""
        deadline = time.monotonic() + timeout
        while True:
            alive = self.pump()
            if check():
                return
            if not alive or time.monotonic() > deadline:
                raise AssertionError(f"never seen: {what}\n{self.dump()}")

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def finish(self, timeout: float = 10) -> int:
        """Wait for the program to exit; its exit status."""
        deadline = time.monotonic() + timeout
        while self.pump(0.1):
            if time.monotonic() > deadline:
                self.child.kill(9)
                raise AssertionError(f"still running after {timeout} s\n{self.dump()}")
        self.child.close()
        status = self.child.exitstatus
        return status if status is not None else 128 + (self.child.signalstatus or 0)

    def dump(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip() + "\n"
