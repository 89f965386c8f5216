"""SIGINT and SIGTERM during the interview become exceptions at safe points."""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Callable, Iterator

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from mesoguide.errors import Terminated
from mesoguide.interrupts import SIGNALS, guarded
from mesoguide.model import RulePack
from mesoguide.prompts import QuestionaryPrompter

pytestmark = pytest.mark.timeout(20)  # a prompt that is never ended must fail, not hang


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


@pytest.fixture
def prompter(pipe: PipeInput) -> QuestionaryPrompter:
    """The real prompter, reading keys from ``pipe`` (none unless a test sends some)."""
    return QuestionaryPrompter(Console(file=io.StringIO()), input=pipe, output=DummyOutput())


@pytest.fixture
def later() -> Iterator[Callable[[signal.Signals], None]]:
    """Sends a signal to this process from another thread, once a prompt is waiting.

    A signal that comes after the test is over (it failed early) is caught here, not by pytest.
    """
    timers: list[threading.Timer] = []
    caught = {sig: signal.signal(sig, lambda signum, frame: None) for sig in SIGNALS}

    def send(sig: signal.Signals) -> None:
        timers.append(threading.Timer(0.2, os.kill, (os.getpid(), sig)))
        timers[-1].start()

    yield send
    for timer in timers:
        timer.cancel()
        timer.join()
    for sig, handler in caught.items():
        signal.signal(sig, handler)


@pytest.mark.parametrize(
    ("sig", "raised"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)]
)
def test_a_signal_after_the_last_prompt_raises_at_the_end(
    sig: signal.Signals, raised: type[BaseException]
) -> None:
    """Records a signal outside a prompt, and raises its exception when the interview ends."""
    with pytest.raises(raised), guarded():
        signal.raise_signal(sig)  # never raised from the handler: it could land in a finalizer
        reached = True
    assert reached


@pytest.mark.parametrize(
    ("sig", "raised"), [(signal.SIGTERM, Terminated), (signal.SIGINT, KeyboardInterrupt)]
)
@pytest.mark.parametrize("question_id", ["age", "sex", "concerns"])
def test_a_signal_ends_a_waiting_prompt(
    pack: RulePack,
    prompter: QuestionaryPrompter,
    later: Callable[[signal.Signals], None],
    sig: signal.Signals,
    raised: type[BaseException],
    question_id: str,
) -> None:
    """Ends a text, list or checkbox prompt waiting for input with the signal's exception."""
    later(sig)
    with pytest.raises(raised), guarded():
        prompter.ask(pack.question(question_id), None)


def test_a_signal_before_a_prompt_keeps_it_from_running(
    pack: RulePack, prompter: QuestionaryPrompter
) -> None:
    """A prompt asked after a signal raises the signal's exception instead of asking."""
    with pytest.raises(Terminated), guarded():
        signal.raise_signal(signal.SIGTERM)
        prompter.ask(pack.question("age"), None)


def test_later_signals_are_ignored_once_stopping() -> None:
    """Keeps the first signal's exception: a second signal changes nothing."""
    with pytest.raises(Terminated), guarded():
        signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGINT)


def test_the_previous_handlers_are_restored() -> None:
    """Puts back whatever handled SIGINT and SIGTERM before."""
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with guarded():
        assert signal.getsignal(signal.SIGTERM) is not before[1]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
