"""Progress events from a pass, for whoever shows them (the CLI's progress bars; nobody in tests).

A pass may run inside a Prefect flow, whose parameters must be plain data, so a callback cannot
travel with it: listeners subscribe here for the duration of a command instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[..., None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call `listener(event, **info)` for every event emitted inside the block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def emit(event: str, **info) -> None:
    """Tell every listener; a listener that fails never fails the pass."""
    for listener in list(_listeners):
        try:
            listener(event, **info)
        except Exception:  # noqa: BLE001 - progress display is best effort
            pass
