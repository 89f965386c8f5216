"""SIGINT and SIGTERM during the interview: stop at a safe point, never from an arbitrary frame.

An exception raised by a Python signal handler lands in whatever frame is running. Inside one
of a prompt's event-loop callbacks (a key press, a redraw), asyncio hands it to prompt_toolkit's
exception handler, which prints it and waits for Enter; inside a finalizer (a weakref callback,
a ``__del__``) Python prints "Exception ignored in ..." and drops it, and the interview goes on.
So the handler never raises. It records the signal, and while a prompt runs it asks the
prompt's own loop to end the prompt with the exception (`Application.exit`), as prompt_toolkit
itself does for Ctrl-C; the prompt then unwinds normally, restoring the terminal. Between
prompts nothing waits, so the next prompt, or the end of the interview, raises it at once.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

from mesoguide.errors import Terminated

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Guard:
    """Turns the first SIGINT or SIGTERM into KeyboardInterrupt or Terminated, safely."""

    def __init__(self) -> None:
        self.signum: int | None = None  # the first signal received; later ones are ignored
        self._application: Any = None  # the prompt_toolkit Application being run, if any

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            return  # already stopping
        self.signum = signum
        application = self._application
        loop = None if application is None else application.loop
        if loop is not None:  # else no prompt runs, or it has not started its loop or has left it
            with suppress(RuntimeError):  # a loop already closed: run() raises after it
                loop.call_soon_threadsafe(self._end, application)

    def exception(self) -> BaseException:
        return KeyboardInterrupt() if self.signum == signal.SIGINT else Terminated()

    def check(self) -> None:
        """Raise for a signal already received."""
        if self.signum is not None:
            raise self.exception()

    def _end(self, application: Any) -> None:
        """End a running prompt with the signal's exception (in its loop, or before it draws)."""
        future = application.future
        if self.signum is not None and future is not None and not future.done():
            application.exit(exception=self.exception())

    def run(self, application: Any) -> Any:
        """Run a prompt_toolkit Application; a signal before, during or after it raises."""
        self.check()
        self._application = application
        try:
            # handle_sigint=False: SIGINT is ours too, so that both signals take one path
            # (prompt_toolkit's own SIGINT handling reaches only the prompts that bind it).
            result = application.run(pre_run=lambda: self._end(application), handle_sigint=False)
        except BaseException:
            self.check()  # the signal is why the prompt ended, whatever it raised
            raise
        finally:
            self._application = None
        self.check()
        return result


_active: Guard | None = None


@contextmanager
def guarded() -> Iterator[Guard]:
    """Handle SIGINT and SIGTERM with a Guard within this block (signals are per process)."""
    global _active
    guard = Guard()
    previous = {sig: signal.signal(sig, guard._handle) for sig in SIGNALS}
    _active = guard
    try:
        yield guard
        guard.check()  # a signal after the last prompt
    finally:
        _active = None
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_prompt(question: Any) -> Any:
    """Ask a questionary Question; within `guarded()`, signals end it as the Guard says."""
    if _active is None:
        return question.unsafe_ask()
    return _active.run(question.application)
