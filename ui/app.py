"""`clinic-app`: the desktop program."""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # first thing: --exit-when-ready reports the time since here

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from types import TracebackType  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from clinic_app.errors import AuthError, ClinicError, DatabaseDamaged  # noqa: E402
from clinic_app.keystore import KEY_FILE_ENV  # noqa: E402
from ui.qt import QApplication, QLockFile, QMessageBox, QObject, QStandardPaths, QTimer, Signal  # noqa: E402

if TYPE_CHECKING:
    from clinic_app.store import Store
    from clinic_app.users import User
    from ui.mainwindow import MainWindow
    from ui.ops import Op, Writer
    from ui.signin import SignInDialog

log = logging.getLogger("clinic-app")
DEMO_RESIDENTS = 2000


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="clinic-app", description="Village Clinic desktop program")
    parser.add_argument(
        "--db", metavar="PATH", help="database file (default: $CLINIC_DB or the user data folder)"
    )
    parser.add_argument(
        "--key-file", metavar="PATH", help=f"key file where the OS has no keyring (or ${KEY_FILE_ENV})"
    )
    parser.add_argument("--demo", action="store_true", help="open (and first create) a demo clinic")
    parser.add_argument(
        "--lang", choices=("zh_CN", "en"), help="language (default: the last one chosen, else zh_CN)"
    )
    parser.add_argument(
        "--user", metavar="NAME", help="sign in as NAME with the password in $CLINIC_PASSWORD"
    )
    parser.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def data_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / "village-clinic"


def install_excepthook(log_path: Path, interactive: bool = True) -> None:
    """Unexpected errors go to a log file and one dialog; the program keeps running."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=str(log_path), level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, value, tb)))
        if not interactive:
            print(
                f"clinic-app: unexpected error: {value} (details in {log_path})", file=sys.stderr, flush=True
            )
            os._exit(1)
        if QApplication.instance() is not None:
            from ui.i18n import tr

            happened = tr("Something unexpected went wrong: %1").replace("%1", str(value) or kind.__name__)
            details = tr("The details are in %1. Your saved work is safe.").replace("%1", str(log_path))
            QMessageBox.critical(None, tr("Village Clinic"), f"{happened}\n\n{details}")

    sys.excepthook = hook


def explain_storage_errors(db: Path, interactive: bool) -> None:
    """A SQLite failure of ``db`` on the GUI thread (damage met while reading, a full disk) is no bug: its clear
    message is shown (an unattended run prints it and exits with its code); anything else goes on to the
    unexpected-error handler."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        clear = storage_message(value, db)
        if clear is None:
            previous(kind, value, tb)
            return
        log.error("%s\n%s", clear[0], "".join(traceback.format_exception(kind, value, tb)))
        print(f"clinic-app: {clear[0]}", file=sys.stderr, flush=True)
        if not interactive:
            os._exit(clear[1])
        if QApplication.instance() is not None:
            from ui.i18n import tr

            QMessageBox.critical(None, tr("Village Clinic"), clear[2])

    sys.excepthook = hook


def storage_message(error: BaseException, db: Path) -> tuple[str, int, str] | None:
    """A damaged database or a full disk behind ``error``: (English, exit code, the user's language)."""
    from clinic_app.db import storage_error
    from clinic_app.errors import DatabaseDamaged, DiskFull
    from ui.messages import storage_text

    clear = storage_error(error, db)
    if not isinstance(clear, DatabaseDamaged | DiskFull):
        return None
    return str(clear), clear.exit_code, storage_text(clear) or str(clear)


def database_path(args: argparse.Namespace) -> Path:
    from clinic_app.cli_core import default_db_path  # not clinic_app.cli: it imports every command module

    if args.demo:
        return data_dir() / "demo" / "clinic.db"
    return Path(args.db or os.environ.get("CLINIC_DB") or default_db_path())


def instance_lock(db: Path) -> QLockFile | None:
    """Held while this program has ``db`` open: ``<db>.app-lock`` beside it, holding the pid. None when another
    running clinic-app holds it. A lock left by a program that died is stale and taken over (Qt checks the pid);
    a lock is never stale by age. Only the desktop program takes it: the ``clinic`` command runs beside it."""
    db.parent.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(db.with_name(db.name + ".app-lock")))
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(0) else None


def say_already_open(db: Path, interactive: bool) -> None:
    print(f"clinic-app: already running on {db}", file=sys.stderr, flush=True)
    if interactive:
        from ui.i18n import tr

        QMessageBox.information(
            None,
            tr("Village Clinic"),
            tr(
                "Village Clinic is already open on this computer (database %1). Use the window that is open; "
                "look for it on the taskbar."
            ).replace("%1", str(db)),
        )


def open_store(args: argparse.Namespace) -> tuple[object, str | None]:
    from clinic_app.store import Store

    if args.demo:
        from clinic_app.demo import DEMO_USERS, create_demo_database

        db = database_path(args)
        key = db.with_name("demo.key")
        if not db.exists():
            create_demo_database(db, key, residents=DEMO_RESIDENTS)
        hint = ", ".join(f"{u} / {p}" for u, p in DEMO_USERS.items())
        return Store.open(db, key), hint
    db = database_path(args)
    if not db.exists() and not (args.exit_when_ready or args.user):
        from ui.enroll_dialog import FirstRunDialog

        first = FirstRunDialog(db, args.key_file)
        if not first.exec() or first.store is None:
            raise SystemExit(0)
        return first.store, None
    return Store.open(db, args.key_file), None


def start_store(args: argparse.Namespace, interactive: bool) -> tuple[object, str | None]:
    """``open_store``; a damaged database shows 数据库文件已损坏 (interactive runs), whose restore puts the newest
    good backup in place (the damaged file kept aside), and the store is opened from it."""
    try:
        return open_store(args)
    except DatabaseDamaged as exc:
        if not interactive or not offer_backup(exc, args.key_file):
            raise
    return open_store(args)


def offer_backup(error: DatabaseDamaged, key_file: str | None) -> bool:
    """The damaged-database dialog, modal; True when a backup was restored in place of the damaged file."""
    from clinic_app.errors import StoreKeyError
    from clinic_app.keystore import load_key
    from ui.damage_dialog import DamagedDialog

    try:
        key: bytes | None = load_key(error.path, key_file)
    except StoreKeyError:
        key = None
    dialog = DamagedDialog(error, key)
    dialog.exec()
    return dialog.restored_aside is not None


def open_main_window(store: Store, user: User, start_sync: bool = True) -> tuple[MainWindow, Writer]:
    """The main window as a signed-in person gets it (the program and the journeys open it this one way)."""
    from ui.mainwindow import MainWindow
    from ui.ops import Writer

    writer = Writer()
    window = MainWindow(store, user, writer)
    window.show()
    from clinic_app.idcard import load_places

    # off the GUI thread, once the window has painted: the place the first ID number typed names shows at once.
    # Soon after the first paint (300 ms), not later: a resident form opened before it loads the table on the GUI
    # thread (~180 ms still, seen in the residents journey when the warm-up waited 1.5 s).
    QTimer.singleShot(
        300, window, lambda: window.isVisible() and writer.warm(load_places)
    )  # not after sign-out
    # once a day, a while after the start (not in the first seconds' reads); a failure (a full disk) is shown
    QTimer.singleShot(DAILY_BACKUP_DELAY_MS, window, lambda: _daily_backup(store, writer, window))
    if start_sync:
        from clinic_app.contracts import expire_due

        writer.run(lambda: expire_due(store, user))  # contracts past their period's end
        window.sync.start()  # on start, then every sync_interval_minutes (± 20 %)
    return window, writer


DAILY_BACKUP_DELAY_MS = 20_000


def _daily_backup(store: Store, writer: Any, window: Any) -> None:
    from clinic_app.backups import take_daily_backup

    if not window.isVisible():  # signed out before the time came
        return

    def taken(path: Path | None) -> None:
        if path is not None:
            log.info("daily backup written to %s", path)

    writer.work(lambda: take_daily_backup(store), taken)


class Session(QObject):
    """Sign-in, then the window; after 退出登录 the old window's work stops and the sign-in comes back on the same
    database, for this user or another. Closing a sign-in, or the window itself, ends the session."""

    window_opened = Signal(object)  # MainWindow
    ended = Signal()

    def __init__(
        self,
        store: Store,
        clinic_name: str,
        demo_hint: str | None,
        start_sync: bool = True,
        key_file: str | None = None,
    ) -> None:
        super().__init__()
        self.store, self.clinic_name, self.demo_hint, self.start_sync = (
            store,
            clinic_name,
            demo_hint,
            start_sync,
        )
        self.key_file = key_file
        self.file_check: Op | None = None
        self.signin: SignInDialog | None = None
        self.window: MainWindow | None = None
        self.writer: Writer | None = None

    def start(self) -> None:
        from ui.signin import SignInDialog

        dialog = self.signin = SignInDialog(self.store, self.clinic_name, self.demo_hint)
        dialog.finished.connect(lambda result: self._signin_finished(dialog, result))
        dialog.show()
        dialog.activateWindow()

    def _signin_finished(self, dialog: SignInDialog, result: int) -> None:
        dialog.deleteLater()
        self.signin = None
        if not result or dialog.user is None:
            self.ended.emit()
            return
        window, writer = self.window, self.writer = open_main_window(self.store, dialog.user, self.start_sync)
        signed_out: list[bool] = []
        window.signed_out.connect(lambda: signed_out.append(True))
        window.closed.connect(lambda: self._window_closed(window, writer, bool(signed_out)))
        self.window_opened.emit(window)
        self.check_file(writer)

    def check_file(self, writer: Writer) -> None:
        """``quick_check`` in the background (seconds at 100,000 residents: too long for the start itself);
        damage found closes the window and shows the damaged-database dialog."""
        from clinic_app.db import Cancel
        from clinic_app.health import background_check

        store, cancel = self.store, Cancel()
        self.file_check = writer.work(
            lambda: background_check(store, cancel), self._file_checked, cancel=cancel
        )

    def _file_checked(self, found: object) -> None:
        if not isinstance(found, DatabaseDamaged) or self.window is None:
            return
        log.error("the database file is damaged: %s", found)
        self.shutdown()  # the window goes, and with it every connection but the store's
        self.store.close()
        if not offer_backup(found, self.key_file):
            self.ended.emit()
            return
        from clinic_app.store import Store

        self.store = Store.open(found.path, self.key_file)
        self.start()

    def _window_closed(self, window: MainWindow, writer: Writer, signed_out: bool) -> None:
        self._retire(window, writer)
        if signed_out:
            self.start()
        else:
            self.ended.emit()

    def _retire(self, window: MainWindow, writer: Writer) -> None:
        """The window's sync was stopped as it closed; its writer finishes what it was given, then stops."""
        if self.file_check is not None:
            self.file_check.cancel()  # the file check stops within moments rather than seconds
        writer.shutdown()
        window.reader.close()
        window.deleteLater()
        if self.window is window:
            self.window = self.writer = None

    def shutdown(self) -> None:
        if self.signin is not None:
            self.signin.checker.shutdown()
        if self.window is not None and self.writer is not None:
            window, writer = self.window, self.writer
            window.closed.disconnect()
            window.close()
            self._retire(window, writer)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Village Clinic")
    app.setOrganizationName("VillageClinic")
    from ui.i18n import install_language, saved_language, settings

    language = args.lang or saved_language()
    if args.lang:
        settings().setValue("language", args.lang)
    install_language(app, language)
    interactive = not (args.exit_when_ready or args.user)
    db = database_path(args)
    install_excepthook(data_dir() / "logs" / "clinic-app.log", interactive=interactive)
    explain_storage_errors(db, interactive)

    lock = instance_lock(db)
    if lock is None:
        say_already_open(db, interactive)
        return 0
    try:
        store, demo_hint = start_store(args, interactive)
    except ClinicError as exc:
        print(f"clinic-app: {exc}", file=sys.stderr, flush=True)
        if not (args.exit_when_ready or args.user):  # unattended runs print and exit; no dialog to wait on
            from clinic_app.errors import KeyringUnavailable, StoreError, StoreKeyError
            from ui.i18n import tr

            if isinstance(exc, DatabaseDamaged):  # its dialog was shown already: 退出 was chosen
                lock.unlock()
                return exc.exit_code
            leads = [
                (
                    StoreKeyError,
                    tr("The clinic database cannot be opened: its key is missing or not this database's."),
                ),
                (
                    KeyringUnavailable,
                    tr("This computer has no keyring for the database key: start with --key-file."),
                ),
                (StoreError, tr("The clinic database cannot be opened.")),
            ]
            lead = next(
                (text for kind, text in leads if isinstance(exc, kind)), tr("The program cannot start.")
            )
            QMessageBox.critical(None, tr("Village Clinic"), f"{lead}\n\n{exc}")
        return exc.exit_code

    from clinic_app import clinic
    from clinic_app.store import Store
    from clinic_app.users import authenticate

    assert isinstance(store, Store)
    clinic_name = clinic.clinic_name(store.conn, store.clinic_id)
    if args.user:
        from ui.ops import Ops

        checker, outcome = Ops(), list[Any]()
        # scrypt lets go of the interpreter: the window's modules load while the password is checked
        checking = checker.work(
            lambda: authenticate(store, args.user, os.environ.get("CLINIC_PASSWORD", "")),
            outcome.append,
            outcome.append,
        )
        import ui.mainwindow  # noqa: F401

        checking.wait()
        while not checking.done:
            app.processEvents()
        checker.shutdown()
        if isinstance(outcome[0], AuthError):
            print(f"clinic-app: {outcome[0]}", file=sys.stderr)
            return outcome[0].exit_code
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        user = outcome[0]
        window, writer = open_main_window(store, user, start_sync=not args.exit_when_ready)
        if args.exit_when_ready:
            QTimer.singleShot(0, lambda: ready(app, window))
        code = app.exec()
        writer.shutdown()
        store.close()
        lock.unlock()
        return code
    session = Session(
        store, clinic_name, demo_hint, start_sync=not args.exit_when_ready, key_file=args.key_file
    )
    app.setQuitOnLastWindowClosed(False)  # between a sign-out and the next sign-in no window is open
    session.ended.connect(app.quit)
    if args.exit_when_ready:
        session.window_opened.connect(lambda window: QTimer.singleShot(0, lambda: ready(app, window)))
    session.start()
    code = app.exec()
    session.shutdown()
    session.store.close()  # the one it has now: a restore replaced the first
    lock.unlock()
    return code


def ready(app: QApplication, window: MainWindow) -> None:
    shown = window.residents.model.rowCount()
    print(f"ready {time.perf_counter() - STARTED:.3f} rows={shown}", flush=True)
    app.quit()


if __name__ == "__main__":
    sys.exit(main())
