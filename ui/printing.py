"""The one way a document is printed (the contract now; the follow-up record and the prescription next): a builder
makes a fresh ``QTextDocument`` (HTML with sizes in points), which is laid out on A4 for the device it goes to —
the preview's printer, a real printer, a PDF file — and painted page by page with a page-number footer.

The person sees it in Qt's print preview; its print button prints (or, on a computer without a printer, writes
a PDF), and a "Save as PDF…" action saves it to the Documents folder under a suggested name.

Why the old contract printed at ~4 pt: a QTextDocument measures points in the dots of the device it is laid out
for (the screen by default, 96 per inch) while its page size was given in the 300-dpi dots of the PDF, so every
point came out 96/300 of its size. Here the document is laid out on the device itself and its page is that
device's paint rectangle, so a point is a point on every device."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ui.files import ask_where_to_save, documents_folder, safe_file_name, why_not_written
from ui.i18n import tr
from ui.ops import Op, Ops
from ui.qt import (
    QAction,
    QBoxLayout,
    QBuffer,
    QFileDialog,
    QFont,
    QHBoxLayout,
    QImage,
    QKeySequence,
    QLabel,
    QMarginsF,
    QMessageBox,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPrinter,
    QPrintPreviewDialog,
    QPrintPreviewWidget,
    QPushButton,
    QRectF,
    QSizeF,
    Qt,
    QTextBlock,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QToolBar,
    QWidget,
    Signal,
)

DocumentBuilder = Callable[[], QTextDocument]
MARGIN_MM = 20.0
FOOTER_PT = 9.0
FOOTER_GAP_MM = 6.0  # the footer sits in the bottom margin, this far below the body
PDF_DPI = 300
CREATOR = "村医助手 Village Clinic"
# An anchor (<a name="print-keep-tail"></a>) before the signatures: from there to the end stays on one page.
KEEP_TAIL = "print-keep-tail"
PREVIEW_DPI = (
    100  # the preview's pictures: about a screen's dots at 100 %; a whole page at ~50 % stays legible
)
RENDER_BANDS = 8  # a page drawn in strips: the GIL is let go between them (~30 ms a page in one call)
# the Chinese printed forms' type, in the order tried (Windows, then Linux)
CJK_FAMILIES = ("SimSun", "Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei")


def new_printer(layout: QPageLayout | None = None) -> QPrinter:
    """The printer a preview shows and prints on: the computer's default (or a PDF), A4 with our margins (or
    ``layout``: the A5 prescription)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(layout or a4_layout())
    printer.setCreator(CREATOR)
    return printer


def a4_layout() -> QPageLayout:
    return page_layout(QPageSize.PageSizeId.A4, MARGIN_MM)


def page_layout(size: QPageSize.PageSizeId, margin_mm: float) -> QPageLayout:
    """A portrait page of ``size`` with ``margin_mm`` on every side (the footer sits in the bottom one)."""
    return QPageLayout(
        QPageSize(size),
        QPageLayout.Orientation.Portrait,
        QMarginsF(margin_mm, margin_mm, margin_mm, margin_mm),
        QPageLayout.Unit.Millimeter,
    )


def page_metrics(device: QPagedPaintDevice) -> tuple[int, int, int, int]:
    """What a layout depends on: the page body in dots and the dots per inch."""
    return (device.width(), device.height(), device.logicalDpiX(), device.logicalDpiY())


def lay_out(document: QTextDocument, device: QPagedPaintDevice) -> int:
    """Lay ``document`` out on ``device``'s page body (its paint rectangle, inside the margins); the pages.
    The margin and the page go in before the layout is made (each change after it lays the whole document out
    again, ~30 ms for a record of three sheets), then one layout for the device's dots."""
    document.setDocumentMargin(0)
    document.setPageSize(QSizeF(float(device.width()), float(device.height())))
    document.documentLayout().setPaintDevice(device)
    document.markContentsDirty(0, document.characterCount())  # laid out again in the device's dots
    _keep_tail_together(document, float(device.height()))
    return int(document.pageCount())


def paint_pages(document: QTextDocument, device: QPagedPaintDevice, footer: str = "") -> int:
    """Lay ``document`` out on ``device`` and paint every page, with ``footer`` and the page number in the
    bottom margin; returns the number of pages."""
    pages = lay_out(document, device)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(tr("The printer or file could not be opened for writing."))
    try:
        for page in range(pages):
            if page:
                device.newPage()
            _paint_page(painter, document, page, page_metrics(device), footer)
    finally:
        painter.end()
    return pages


def _paint_page(
    painter: QPainter,
    document: QTextDocument,
    page: int,
    metrics: tuple[int, int, int, int],
    footer: str,
    bands: int = 1,
) -> None:
    """One page of a laid-out document at the painter's origin (the body's top left), its footer under it."""
    width, body, dpi = float(metrics[0]), float(metrics[1]), float(metrics[3])
    band = (body - 1) / bands
    for i in range(bands):  # on a worker: each call holds the GIL, and the GUI thread waits for it
        painter.save()
        painter.translate(0, -page * body)
        # a line starting exactly at the next page's top is not this page's (not even clipped away)
        document.drawContents(painter, QRectF(0, page * body + i * band, width, band))
        painter.restore()
    font = QFont(document.defaultFont())
    font.setPointSizeF(FOOTER_PT)
    painter.setFont(font)
    painter.setPen(Qt.GlobalColor.darkGray)
    foot = QRectF(0, body + FOOTER_GAP_MM * dpi / 25.4, width, FOOTER_PT * 1.6 * dpi / 72)
    number = tr("Page %1 of %2").replace("%1", str(page + 1)).replace("%2", str(document.pageCount()))
    painter.drawText(foot, int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft), footer)
    painter.drawText(foot, int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight), number)


def _printed_height(metrics: tuple[int, int, int, int]) -> float:
    """The body and the footer under it, in the device's dots."""
    return metrics[1] + (FOOTER_GAP_MM / 25.4 + FOOTER_PT * 1.6 / 72) * metrics[3]


@dataclass
class Printable:
    """A document to preview: how to build it (a fresh one per device), its PDF name, title and footer."""

    builder: DocumentBuilder
    suggested_name: str
    title: str
    footer: str = ""


@dataclass
class Rendered:
    """A document's pages as pictures for the preview (made off the GUI thread by ``render``) for a printer
    page of ``metrics`` (``page_metrics``); printing and saving lay the document out again, as vectors."""

    printable: Printable
    images: list[QImage]
    metrics: tuple[int, int, int, int]


def render(printable: Printable, resolution: int, layout: QPageLayout, dpi: int = PREVIEW_DPI) -> Rendered:
    """Off the GUI thread: build the document, lay it out as the printer of this resolution and page does, and
    draw each page (body and footer) into an image of ``dpi``. The document and the fonts it used stay on this
    thread (a layout holds the font faces of the thread that made it); only the images go to the GUI thread."""
    writer = QPdfWriter(QBuffer())  # for its page's metrics: nothing is painted on it
    writer.setPageLayout(layout)
    writer.setResolution(resolution)
    document = printable.builder()
    pages = lay_out(document, writer)
    metrics = page_metrics(writer)
    scale = dpi / metrics[3]
    images = []
    for page in range(pages):
        image = QImage(
            round(metrics[0] * scale), round(_printed_height(metrics) * scale), QImage.Format.Format_RGB32
        )
        # the image claims the printer's dots per inch: the footer's points are then the printer's dots, scaled
        dots_per_metre = round(metrics[3] / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.scale(scale, scale)
        _paint_page(painter, document, page, metrics, printable.footer, RENDER_BANDS)
        painter.end()
        images.append(image)
    del document, writer
    return Rendered(printable, images, metrics)


def _keep_tail_together(document: QTextDocument, page_height: float) -> None:
    """If the part from the KEEP_TAIL anchor to the end would be split over two pages, it starts a new page."""
    layout = document.documentLayout()
    block = document.begin()
    while block.isValid() and not _holds_anchor(block, KEEP_TAIL):
        block = block.next()
    if not block.isValid():
        return
    top = layout.blockBoundingRect(block).top()
    bottom, later = top, block
    while later.isValid():
        if later.length() > 1:  # a block with text or an image (empty ones may sit past the end)
            bottom = max(bottom, layout.blockBoundingRect(later).bottom())
        later = later.next()
    if int(top // page_height) != int((bottom - 1) // page_height) and bottom - top < page_height:
        form = block.blockFormat()
        form.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        QTextCursor(block).setBlockFormat(form)


def _holds_anchor(block: QTextBlock, name: str) -> bool:
    fragments = block.begin()
    while not fragments.atEnd():
        if name in fragments.fragment().charFormat().anchorNames():
            return True
        fragments += 1
    return False


def write_pdf(
    document_builder: DocumentBuilder,
    target: Path,
    title: str,
    footer: str = "",
    layout: QPageLayout | None = None,
) -> Path:
    """The document as a PDF at ``target`` (A4, or the page of ``layout``), whole or not at all (written beside
    it, then moved in place)."""
    target = Path(target)
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(target.parent))
    partial = target.with_name(target.name + ".part")
    writer = QPdfWriter(str(partial))
    writer.setPageLayout(layout or a4_layout())
    writer.setResolution(PDF_DPI)
    writer.setTitle(title)
    writer.setCreator(CREATOR)
    try:
        try:
            paint_pages(document_builder(), writer, footer)
        finally:
            del writer  # closes the file
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


class PrintPreview(QPrintPreviewDialog):
    """Qt's print preview of one document, plus "Save as PDF…" (to Documents, under the suggested name)."""

    saved = Signal(str)  # the path of the PDF just written

    def __init__(
        self,
        document_builder: DocumentBuilder,
        suggested_name: str,
        title: str,
        footer: str = "",
        parent: QWidget | None = None,
        *,
        printer: QPrinter | None = None,
        ops: Ops | None = None,
        rendered: Rendered | None = None,
    ) -> None:
        printer = printer or new_printer()
        printer.setDocName(title)
        super().__init__(printer, parent)
        self._kept_printer = printer  # the dialog does not own it; self.printer() returns it
        self.builder, self.title, self.footer = document_builder, title, footer
        self.rendered = rendered  # the pages drawn on a worker: what the preview shows
        self._ops = ops or Ops(self)
        self.rendering: Op | None = None
        self.saving: Op | None = None
        if rendered is None:  # drawn on a worker; the preview shows the pages when they come
            printable = Printable(document_builder, suggested_name, title, footer)
            resolution, layout = printer.resolution(), printer.pageLayout()
            self.rendering = self._ops.work(
                lambda: render(printable, resolution, layout), self._rendered, parent=self
            )
        self.suggested_name = safe_file_name(suggested_name)
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat:
            # no printer on this computer: Qt's own print button then writes a PDF, offered in Documents too
            printer.setOutputFileName(str(documents_folder() / self.suggested_name))
        self.setWindowTitle(tr("Print preview: %1").replace("%1", title))
        self.paintRequested.connect(self._paint)
        self.preview_widget = self.findChild(QPrintPreviewWidget)
        self._smooth_pictures()
        self.save_action = QAction(tr("Save as PDF…"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.setToolTip(tr("Save as a PDF file in the Documents folder"))
        self.save_action.triggered.connect(lambda _checked=False: self.ask_where_to_save())
        self.toolbar = self.findChild(QToolBar)
        qt_actions = self.toolbar.actions() if self.toolbar is not None else []
        # Qt's own "Print" is the toolbar's last action
        self.print_action = qt_actions[-1] if qt_actions else None
        if self.toolbar is not None:
            self.toolbar.addSeparator()
            self.toolbar.addAction(self.save_action)
        self.addAction(self.save_action)
        # the same two actions as plain buttons under the page, where a person looks for them
        self.print_button = QPushButton(tr("Print…"))
        self.print_button.setEnabled(self.print_action is not None)
        self.print_button.setToolTip(tr("Print on a printer (without a printer: write a PDF file)"))
        self.print_button.clicked.connect(lambda _checked=False: self._print())
        self.save_button = QPushButton(tr("Save as PDF…"))
        self.save_button.setToolTip(self.save_action.toolTip())
        self.save_button.clicked.connect(lambda _checked=False: self.ask_where_to_save())
        self.close_button = QPushButton(tr("Close"))
        self.close_button.clicked.connect(lambda _checked=False: self.reject())
        row = QHBoxLayout()
        row.setContentsMargins(9, 6, 9, 9)
        row.addWidget(QLabel(tr("Print it, or save it as a PDF in the Documents folder.")), 1)
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addWidget(self.close_button)
        outer = self.layout()
        if isinstance(outer, QBoxLayout):
            outer.addLayout(row)
        self.save_button.setDefault(True)
        self.file_dialog: QFileDialog | None = None
        self.message: QMessageBox | None = None

    def _print(self) -> None:
        if self.print_action is not None:
            self.print_action.trigger()

    def _smooth_pictures(self) -> None:
        """The preview's view scales the page pictures smoothly (Qt's default scales them pixel by pixel)."""
        for child in self.findChildren(QWidget):
            set_hint = getattr(child, "setRenderHint", None)
            if set_hint is not None:
                set_hint(QPainter.RenderHint.SmoothPixmapTransform, True)

    def _rendered(self, rendered: Rendered) -> None:
        self.rendered = rendered
        if self.preview_widget is not None:
            self.preview_widget.updatePreview()

    def _paint(self, printer: QPrinter) -> None:
        """The preview (Qt paints it as pictures) shows the pages drawn on the worker — none while they are
        being drawn; a printer, or a page the person changed in the preview, gets the document as vectors."""
        engine = printer.paintEngine()
        previewing = engine is not None and engine.type() == type(engine).Type.Picture
        rendered = self.rendered
        if previewing and rendered is None:
            return
        if previewing and rendered is not None and rendered.metrics == page_metrics(printer):
            painter = QPainter()
            if not painter.begin(printer):
                return
            try:
                for page, image in enumerate(rendered.images):
                    if page:
                        printer.newPage()
                    target = QRectF(0, 0, rendered.metrics[0], _printed_height(rendered.metrics))
                    painter.drawImage(target, image)
            finally:
                painter.end()
            return
        paint_pages(self.builder(), printer, self.footer)

    def ask_where_to_save(self) -> QFileDialog:
        self.file_dialog = ask_where_to_save(
            self, tr("Save as PDF…"), self.suggested_name, "PDF (*.pdf)", "pdf", self.save_to
        )
        return self.file_dialog

    def save_to(self, target: Path) -> None:
        """The PDF built, laid out and written on a worker (all of it on that one thread); told when done."""
        builder, title, footer = self.builder, self.title, self.footer
        layout = self._kept_printer.pageLayout()  # the page the preview shows (A4, or the prescription's A5)

        def failed(error: BaseException) -> None:
            if not isinstance(error, OSError):
                raise error
            reason = (
                tr("Could not write %1: %2").replace("%1", str(target)).replace("%2", why_not_written(error))
            )
            self._tell(QMessageBox.Icon.Warning, tr("The PDF was not saved"), reason)

        self.saving = self._ops.work(
            lambda: write_pdf(builder, target, title, footer, layout), self._saved, failed, parent=self
        )

    def _saved(self, target: Path) -> None:
        self._tell(
            QMessageBox.Icon.Information, tr("PDF saved"), tr("Saved to %1").replace("%1", str(target))
        )
        self.saved.emit(str(target))

    def _tell(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()


def preview(
    parent: QWidget | None,
    document_builder: DocumentBuilder,
    suggested_name: str,
    title: str = "",
    footer: str = "",
) -> PrintPreview:
    """Open the print preview of a document (``document_builder`` makes a fresh one for each device) and return
    it; the person prints from it or saves it as a PDF (``suggested_name`` in Documents)."""
    dialog = PrintPreview(
        document_builder, suggested_name, title or Path(suggested_name).stem, footer, parent
    )
    return _open(dialog, parent)


def _open(dialog: PrintPreview, parent: QWidget | None) -> PrintPreview:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    screen = (parent.screen() if parent is not None else dialog.screen()).availableGeometry()
    dialog.resize(min(1000, screen.width() - 40), screen.height() - 60)
    dialog.open()
    return dialog


def preview_when_ready(
    parent: QWidget,
    ops: Ops,
    make: Callable[[], Printable],
    opened: Callable[[PrintPreview], None] | None = None,
    layout: QPageLayout | None = None,
) -> Op:
    """The print preview of a document read and drawn on a worker (``make`` reads what it needs on a
    connection of its own and says how to build the document); ``opened(dialog)`` once it is shown. The page is
    A4 unless ``layout`` says otherwise."""
    printer = new_printer(layout)  # on the GUI thread: it asks the system for its default printer
    resolution, layout = printer.resolution(), printer.pageLayout()

    def ready(rendered: Rendered) -> None:
        p = rendered.printable
        dialog = PrintPreview(
            p.builder,
            p.suggested_name,
            p.title,
            p.footer,
            parent,
            printer=printer,
            ops=ops,
            rendered=rendered,
        )
        _open(dialog, parent)
        if opened is not None:
            opened(dialog)

    return ops.work(lambda: render(make(), resolution, layout), ready, parent=parent)
