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
from typing import TYPE_CHECKING  # noqa: E402

from clinic_app.errors import AuthError, ClinicError  # noqa: E402
from clinic_app.keystore import KEY_FILE_ENV  # noqa: E402
from ui.qt import QApplication, QMessageBox, QStandardPaths, QTimer  # noqa: E402

if TYPE_CHECKING:
    from clinic_app.store import Store
    from clinic_app.users import User
    from ui.mainwindow import MainWindow
    from ui.ops import Writer

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


def open_store(args: argparse.Namespace) -> tuple[object, str | None]:
    from clinic_app.cli_core import default_db_path  # not clinic_app.cli: it imports every command module
    from clinic_app.store import Store

    if args.demo:
        from clinic_app.demo import DEMO_USERS, create_demo_database

        folder = data_dir() / "demo"
        db, key = folder / "clinic.db", folder / "demo.key"
        if not db.exists():
            create_demo_database(db, key, residents=DEMO_RESIDENTS)
        hint = ", ".join(f"{u} / {p}" for u, p in DEMO_USERS.items())
        return Store.open(db, key), hint
    db = Path(args.db or os.environ.get("CLINIC_DB") or default_db_path())
    if not db.exists() and not (args.exit_when_ready or args.user):
        from ui.enroll_dialog import FirstRunDialog

        first = FirstRunDialog(db, args.key_file)
        if not first.exec() or first.store is None:
            raise SystemExit(0)
        return first.store, None
    return Store.open(db, args.key_file), None


def open_main_window(store: Store, user: User, start_sync: bool = True) -> tuple[MainWindow, Writer]:
    """The main window as a signed-in person gets it (the program and the journeys open it this one way)."""
    from ui.mainwindow import MainWindow
    from ui.ops import Writer

    writer = Writer()
    window = MainWindow(store, user, writer)
    window.show()
    if start_sync:
        from clinic_app.contracts import expire_due

        writer.run(lambda: expire_due(store, user))  # contracts past their period's end
        window.sync.start()  # on start, then every sync_interval_minutes (± 20 %)
    return window, writer


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
    install_excepthook(
        data_dir() / "logs" / "clinic-app.log", interactive=not (args.exit_when_ready or args.user)
    )

    try:
        store, demo_hint = open_store(args)
    except ClinicError as exc:
        print(f"clinic-app: {exc}", file=sys.stderr, flush=True)
        if not (args.exit_when_ready or args.user):  # unattended runs print and exit; no dialog to wait on
            from clinic_app.errors import KeyringUnavailable, StoreError, StoreKeyError
            from ui.i18n import tr

            leads = [
                (StoreKeyError, tr("The clinic database cannot be opened: its key is missing or not this database's.")),
                (KeyringUnavailable, tr("This computer has no keyring for the database key: start with --key-file.")),
                (StoreError, tr("The clinic database cannot be opened.")),
            ]  # fmt: skip
            lead = next(
                (text for kind, text in leads if isinstance(exc, kind)), tr("The program cannot start.")
            )
            QMessageBox.critical(None, tr("Village Clinic"), f"{lead}\n\n{exc}")
        return exc.exit_code

    from clinic_app import clinic
    from clinic_app.store import Store
    from clinic_app.users import authenticate
    from ui.signin import SignInDialog

    assert isinstance(store, Store)
    clinic_name = clinic.clinic_name(store.conn, store.clinic_id)
    if args.user:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sign-in") as pool:
            # scrypt lets go of the interpreter: the window's modules load while the password is checked
            checking = pool.submit(authenticate, store, args.user, os.environ.get("CLINIC_PASSWORD", ""))
            import ui.mainwindow  # noqa: F401
        try:
            user = checking.result()
        except AuthError as exc:
            print(f"clinic-app: {exc}", file=sys.stderr)
            return exc.exit_code
    else:
        dialog = SignInDialog(store, clinic_name, demo_hint)
        if not dialog.exec() or dialog.user is None:
            return 0
        user = dialog.user
    window, writer = open_main_window(store, user, start_sync=not args.exit_when_ready)
    if args.exit_when_ready:

        def ready() -> None:
            shown = window.residents.model.rowCount()
            print(f"ready {time.perf_counter() - STARTED:.3f} rows={shown}", flush=True)
            app.quit()

        QTimer.singleShot(0, ready)
    code = app.exec()
    writer.shutdown()
    store.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
