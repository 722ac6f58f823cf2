"""A dialog built a section a turn of the event loop and shown when whole (a large form built at once held the
window still for 50-180 ms on a loaded machine). A dialog mixes ``Staged`` in before its Qt class, sets ``ready``
at the end of its ``_build`` generator (one ``yield`` between sections) and calls ``build_in_steps``; ``open()``
before the last section waits for it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ui.qt import QTimer


class Staged:
    ready: bool = False
    _open_wanted: bool = False
    _steps: Iterator[None]

    def build_in_steps(self, steps: Iterator[None]) -> None:
        self.ready = False
        self._open_wanted = False
        self._steps = steps
        self._build_step()

    def _build_step(self) -> None:
        if next(self._steps, None) is None and self.ready:
            if self._open_wanted:
                super().open()  # type: ignore[misc]
            return
        QTimer.singleShot(0, self, self._build_step)  # type: ignore[call-overload]  # not after the form is gone

    def open(self) -> Any:
        if self.ready:
            return super().open()  # type: ignore[misc]
        self._open_wanted = True
        return None
