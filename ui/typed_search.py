"""A search field answered on a worker as the doctor types (the 长处方 drug search, the visit form's services and
drugs): the hits of an older text are dropped as soon as the text changes, only the answer to the text typed last
is shown, and an Enter typed before that answer comes takes its first hit when it does (a barcode scanner or a
fast typist never gets a hit of what was typed before)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ui.ops import Writer
from ui.qt import QEvent, Qt, QWidget

ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

T = TypeVar("T")


class TypedSearch(Generic[T]):
    """The state of one search field: ``show`` draws the hits (none while an answer is awaited), ``take`` adds
    one."""

    def __init__(self, writer: Writer, show: Callable[[list[T]], None], take: Callable[[T], Any]) -> None:
        self.writer, self.show, self.take = writer, show, take
        self.searched = self.shown = 0  # the searches asked for, and the one whose answer is shown
        self.enter_waiting = False  # Enter typed before the answer to the text came
        self.hits: list[T] = []

    @property
    def searching(self) -> bool:
        """A search asked for whose answer has not come yet."""
        return self.shown != self.searched

    def ask(self, text: str, read: Callable[[], list[T]], parent: QWidget) -> None:
        """The text changed: the older hits go at once; ``read`` runs on a worker unless the text is blank."""
        self.searched += 1
        asked = self.searched
        self.hits = []
        self.show([])
        if not text.strip():
            self.answer(asked, [])
            return
        self.writer.work(read, lambda hits: self.answer(asked, hits), parent=parent)

    def answer(self, asked: int, hits: list[T]) -> None:
        """The hits of search number ``asked``; dropped when the doctor typed on since."""
        if asked != self.searched:
            return  # a later answer is coming
        self.shown, self.hits = asked, hits
        self.show(hits)
        if self.enter_waiting:
            self.enter_waiting = False
            if hits:
                self.take(hits[0])

    def enter(self, at: int) -> None:
        """Enter in the field: the hit at ``at`` taken, or the first of the answer awaited when it comes."""
        if self.searching:
            self.enter_waiting = True
        elif 0 <= at < len(self.hits):
            self.take(self.hits[at])

    def clear(self) -> None:
        """A hit was taken: the field is emptied by its owner, the hits go."""
        self.hits = []
        self.show([])

    def keys(self, watched: Any, event: Any, field: QWidget, results: Any) -> bool:
        """The keys of the field and its hit list (an event filter's part): Enter takes the hit chosen (or the
        first of the answer awaited), ↓ goes from the field into the list. True when the key was used."""
        if event.type() != QEvent.Type.KeyPress:
            return False
        if watched is field and event.key() in ENTER:
            self.enter(max(results.currentRow(), 0))
            return True
        if watched is field and event.key() == Qt.Key.Key_Down and self.hits:
            results.setFocus()
            return True
        if watched is results and event.key() in ENTER and self.hits:
            self.enter(max(results.currentRow(), 0))
            return True
        return False
