"""Render the screens offscreen to PNG files, to look at them as a user would.

QT_QPA_PLATFORM=offscreen python tests/ui/screenshots.py OUTDIR [--lang en]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    lang = "en" if "--lang" in sys.argv and sys.argv[-1] == "en" else "zh_CN"
    out.mkdir(parents=True, exist_ok=True)
    from clinic_app.demo import DEMO_USERS, create_demo_database
    from clinic_app.store import Store
    from clinic_app.users import authenticate
    from ui.i18n import install_language
    from ui.mainwindow import MainWindow
    from ui.ops import Writer
    from ui.qt import QApplication, QFont
    from ui.signin import SignInDialog

    app = QApplication([])
    app.setFont(QFont("WenQuanYi Micro Hei", 10))
    install_language(app, lang)
    tmp = Path(tempfile.mkdtemp())
    create_demo_database(tmp / "demo.db", tmp / "demo.key", residents=400, seed=5)
    store = Store.open(tmp / "demo.db", tmp / "demo.key")
    hint = ", ".join(f"{u} / {p}" for u, p in DEMO_USERS.items())

    signin = SignInDialog(store, "青石乡示范村卫生室", hint)
    signin.username.setText("doctor")
    signin.password.setText("wrong-password")
    signin.try_sign_in()
    while not signin.sign_in.isEnabled():  # the password is checked off the GUI thread
        app.processEvents()
    signin.show()
    app.processEvents()
    signin.grab().save(str(out / f"signin-{lang}.png"))

    user = authenticate(store, "doctor", DEMO_USERS["doctor"])
    writer = Writer()
    window = MainWindow(store, user, writer)
    window.resize(1200, 720)
    window.show()
    page = window.residents
    page.search.setText("l")
    page.run_search()
    page.table.selectRow(2)
    app.processEvents()
    window.grab().save(str(out / f"residents-{lang}.png"))

    dialog = window.open_resident(None)
    dialog.name.setText("王小明")
    dialog.id_number.setText("110105194912310021")
    dialog.phone.setText("1381234")
    dialog.save()
    app.processEvents()
    dialog.grab().save(str(out / f"add-dialog-error-{lang}.png"))
    dialog.reject()

    window.nav.setCurrentRow(1)
    app.processEvents()
    window.grab().save(str(out / f"not-built-{lang}.png"))
    window.close()
    writer.shutdown()
    print("\n".join(str(p) for p in sorted(out.glob(f"*-{lang}.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
