"""An interrupt during a step with a retry policy ends the run instead of being retried.

Dagster raises ``DagsterExecutionInterruptedError`` from its signal handler (SIGINT and SIGTERM:
a Ctrl-C, a termination from the UI) and retries an interrupted step that has a retry policy,
after the policy's delay and without a word at the console's level. DuckDB, interrupted in the
middle of a statement, drops that exception and raises ``RuntimeError('Query interrupted')``
instead. So the step remembers whether a signal arrived, whatever exception it ends in.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import dagster as dg

INTERRUPT_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def interrupts_stop_the_run(what_stays: str) -> Iterator[None]:
    """Within the block, a SIGINT or SIGTERM ends the step with a ``Failure`` that is not
    retried, saying ``what_stays``; the handlers in place still run first."""
    if threading.current_thread() is not threading.main_thread():
        yield  # (signal handlers belong to the main thread; Dagster's own do nothing here)
        return
    received: list[int] = []
    previous = {signo: signal.getsignal(signo) for signo in INTERRUPT_SIGNALS}

    def remember(signo: int, frame: FrameType | None) -> None:
        handler = previous[signo]
        if handler == signal.SIG_IGN:
            return
        received.append(signo)
        if callable(handler):
            handler(signo, frame)
        elif handler == signal.SIG_DFL:
            raise KeyboardInterrupt

    for signo in INTERRUPT_SIGNALS:
        signal.signal(signo, remember)
    try:
        yield
    except BaseException as error:
        if received or isinstance(error, (KeyboardInterrupt, dg.DagsterExecutionInterruptedError)):
            raise dg.Failure(f"interrupted: {what_stays}", allow_retries=False) from None
        raise
    finally:
        for signo, handler in previous.items():
            signal.signal(signo, handler)
