"""The one way a page confirms that a save worked: a line under the page's list naming what was done to whom
("已为 张三 签约 2026 年度"), kept until the next confirmation or for ``SHOWN_MS``. A failure is never shown here
(it goes to a message box or under the field)."""

from __future__ import annotations

from ui.qt import QLabel, QTimer, QWidget

SHOWN_MS = 60_000


class Notice(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#notice { color: #1e7e34; font-weight: bold; padding: 2px 4px; }")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SHOWN_MS)
        self._timer.timeout.connect(self.clear)

    def say(self, text: str) -> None:
        self.setText("✓ " + text)
        self.setAccessibleName(text)
        self._timer.start()

    def clear(self) -> None:
        """The confirmation no longer concerns what is shown (another year, another search)."""
        self._timer.stop()
        super().clear()
        self.setAccessibleName("")


def reserve_problem_line(label: QLabel) -> None:
    """A dialog's message label that keeps its room while hidden (at least one line): the buttons under it
    never move when a problem appears or goes (a click aimed at them lands)."""
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    text = label.text()
    label.setText("Xg字")  # one line as show_problem measures it (Latin and Chinese glyphs)
    label.setMinimumHeight(max(label.heightForWidth(400), label.sizeHint().height()))
    label.setText(text)


def show_problem(label: QLabel, text: str) -> None:
    """Show why an action was refused in a dialog's word-wrapped message label, the dialog growing to hold every
    line (Qt's minimum size of a top-level window counts a wrapped label as one line, squeezing the fields)."""
    label.setText(text)
    label.show()
    width = label.width() if label.width() > 50 else label.window().width() - 24
    label.setMinimumHeight(label.heightForWidth(width))
    label.window().adjustSize()


def hide_problem(label: QLabel) -> None:
    """The problem is gone: the label hides and the dialog gives its room back (no empty gap)."""
    if label.isVisible():
        label.hide()
        label.window().adjustSize()
