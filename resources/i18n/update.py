"""The translations, kept the way Qt Linguist intends: clinic_zh_CN.ts is the source of truth.

    python resources/i18n/update.py              # pyside6-lupdate ui/ -> .ts, pyside6-lrelease .ts -> .qm
    python resources/i18n/update.py --check      # exit 1 on anything a translator or developer must fix
    python resources/i18n/update.py --import F   # fill in translations from F, then as above

The code's strings are English source text in ``tr("…")`` (ui/i18n.py); ``QT_TRANSLATE_NOOP(context, "…")``
marks a string in another context (Qt's own, where its catalogue has a gap). pyside6-lupdate extracts them: a
new string arrives in the .ts ``unfinished``, a string gone from the code is dropped (``-no-obsolete``; when a
source text only changed a little, lupdate carries the old translation over as unfinished for review).
pyside6-lrelease compiles the .qm the program loads; both files are committed.

A translator opens the .ts in Qt Linguist (``pyside6-linguist resources/i18n/clinic_zh_CN.ts``), translates,
marks each entry done (Ctrl+Return), saves, and runs this script. ``--check`` (also a test) fails on an
unfinished entry, an entry whose source is no longer in the code, a string in the code missing from the .ts,
a translation that drops or adds a placeholder (%1, %2), ``tr()`` of an f-string, and a .qm that is not what
pyside6-lrelease makes of the .ts.

``--import F`` fills in translations without Linguist. F is a Python file holding a ``ZH_CN = {source:
translation}`` dict literal (read with ``ast``, never run), another .ts (its finished entries), or a UTF-8 TSV of
``source<TAB>translation`` lines (\\n and \\t escaped). Only unfinished entries are filled; where F disagrees
with a finished translation the .ts wins and the difference is printed (``--replace``: F wins).

Merging a branch that still added its Chinese to the ZH_CN dict of the old version of this script: resolve
resources/i18n/ to this version, import that branch's dict, check.

    git show MERGE_HEAD:resources/i18n/update.py > /tmp/zh.py   # the branch being merged has the dict, or
    git show HEAD:resources/i18n/update.py > /tmp/zh.py         # ... the branch merged into has it
    git checkout HEAD -- resources/i18n/                        # (MERGE_HEAD if that one is this version)
    python resources/i18n/update.py --import /tmp/zh.py && python resources/i18n/update.py --check
"""

from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TS = HERE / "clinic_zh_CN.ts"
QM = HERE / "clinic_zh_CN.qm"
SOURCE_DIRS = ("ui",)  # every folder with tr(); clinic_app speaks English to logs and the CLI
LUPDATE_OPTIONS = (
    "-silent",
    "-no-obsolete",
    "-locations",
    "relative",  # a line added above a string changes one location, not every later one
    "-source-language",
    "en",
    "-tr-function-alias",
    "QT_TR_NOOP+=_t",  # _t marks a text where it is defined (ui/i18n.py)
)
PLACEHOLDER = re.compile(r"%\d+")


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    translation: str
    kind: str  # "" finished, "unfinished", "vanished", "obsolete"

    @property
    def active(self) -> bool:
        return self.kind not in ("vanished", "obsolete")


def code_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for d in SOURCE_DIRS for p in (root / d).rglob("*.py"))


def tool(name: str) -> str:
    here = Path(sys.executable).parent  # the venv's (Scripts on Windows), matching the pinned PySide6
    beside = [here / n for n in (name, f"{name}.exe") if (here / n).exists()]
    found = str(beside[0]) if beside else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6-Essentials (pip install -e .)")
    return found


def lupdate(files: list[Path], ts: Path) -> None:
    language = ts.stem.split("_", 1)[1]  # clinic_zh_CN.ts -> zh_CN
    command = [tool("pyside6-lupdate"), *LUPDATE_OPTIONS, "-target-language", language]
    subprocess.run([*command, *map(str, files), "-ts", str(ts)], check=True, capture_output=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def read_ts(ts: Path) -> list[Message]:
    messages = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None, f"{ts}: a message without <translation>"
            kind = translation.get("type", "")
            text = translation.text or ""
            messages.append(Message(name, message.findtext("source") or "", text, kind))
    return messages


def fill(ts: Path, translations: dict[str, str], replace: bool = False) -> tuple[int, list[str], list[str]]:
    """Write ``translations`` (by source text, any context) into the .ts; returns how many were filled, the
    disagreements with finished entries, and the sources the .ts does not have."""
    tree = ET.parse(ts)
    filled, differ, seen = 0, [], set()
    for message in tree.getroot().iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if (
            source not in translations
            or translation is None
            or translation.get("type") in ("vanished", "obsolete")
        ):
            continue
        seen.add(source)
        new = translations[source]
        unfinished = translation.get("type") == "unfinished" or not translation.text
        if not unfinished and translation.text != new:
            differ.append(f"{source!r}: the .ts has {translation.text!r}, the import {new!r}")
            if not replace:
                continue
        if unfinished or translation.text != new:
            translation.text = new
            translation.attrib.pop("type", None)
            filled += 1
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return filled, differ, [s for s in translations if s not in seen]


def read_import(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(text)):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else getattr(node, "targets", [])
            value = getattr(node, "value", None)
            if value is not None and any(isinstance(t, ast.Name) and t.id == "ZH_CN" for t in targets):
                return {str(k): str(v) for k, v in ast.literal_eval(value).items()}
        raise SystemExit(f"{path}: no ZH_CN = {{...}} dict in it")
    if path.suffix == ".ts":
        return {m.source: m.translation for m in read_ts(path) if m.kind == "" and m.translation}
    pairs = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.count("\t") != 1:
            raise SystemExit(f"{path}:{number}: a line is source<TAB>translation")
        source, translation = (part.replace("\\n", "\n").replace("\\t", "\t") for part in line.split("\t"))
        pairs[source] = translation
    return pairs


def fstring_calls(files: list[Path]) -> list[str]:
    """``tr(f"…")`` cannot be translated: lupdate extracts the braces literally and no run matches them."""
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "_t")
                and node.args
                and isinstance(node.args[0], ast.JoinedStr)
            ):
                found.append(f"{path.name}:{node.lineno}")
    return found


def check(ts: Path = TS, qm: Path = QM, files: list[Path] | None = None) -> list[str]:
    files = code_files() if files is None else files
    if not ts.exists():
        return [f"{ts.name} is missing: run python resources/i18n/update.py"]
    messages = read_ts(ts)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / ts.name
        lupdate(files, fresh)
        in_code = {(m.context, m.source) for m in read_ts(fresh)}
        compiled = Path(tmp) / "fresh.qm"
        lrelease(ts, compiled)
        qm_current = qm.exists() and qm.read_bytes() == compiled.read_bytes()
    active = {(m.context, m.source) for m in messages if m.active}
    problems = [f"missing from {ts.name} (run update.py): {s!r}" for c, s in sorted(in_code - active)]
    for m in messages:
        where = f" [{m.context}]" if m.context else ""
        if not m.active:
            problems.append(f"stale (marked {m.kind}; run update.py){where}: {m.source!r}")
        elif (m.context, m.source) not in in_code:
            problems.append(f"stale, no longer in the code (run update.py){where}: {m.source!r}")
        elif m.kind == "unfinished" or not m.translation:
            problems.append(f"unfinished{where}: {m.source!r}")
        elif sorted(set(PLACEHOLDER.findall(m.source))) != sorted(set(PLACEHOLDER.findall(m.translation))):
            problems.append(f"placeholders differ{where}: {m.source!r} -> {m.translation!r}")
    problems += [f"tr() of an f-string cannot be translated: {where}" for where in fstring_calls(files)]
    if not qm_current:
        problems.append(f"{qm.name} is not compiled from {ts.name}: run python resources/i18n/update.py")
    return problems


def update(
    ts: Path = TS,
    qm: Path = QM,
    files: list[Path] | None = None,
    imports: Sequence[Path] = (),
    replace: bool = False,
) -> list[str]:
    """lupdate, the imports, lrelease; returns the sources still unfinished."""
    files = code_files() if files is None else files
    lupdate(files, ts)
    for path in imports:
        filled, differ, unknown = fill(ts, read_import(path), replace)
        print(f"{path}: filled {filled}; {len(unknown)} not in the code")
        for line in differ:
            print(f"  {'replaced' if replace else 'kept the .ts'}: {line}")
    if imports:
        lupdate(files, ts)  # back to lupdate's own layout of the file
    lrelease(ts, qm)
    return [m.source for m in read_ts(ts) if m.active and (m.kind == "unfinished" or not m.translation)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on a problem")
    parser.add_argument("--import", dest="imports", type=Path, action="append", default=[], metavar="FILE")
    parser.add_argument("--replace", action="store_true", help="an import overrides finished translations")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check()
            for line in problems:
                print(line)
            return 1 if problems else 0
        unfinished = update(imports=args.imports, replace=args.replace)
    except ET.ParseError as exc:
        print(f"{TS.name} (or an import) is not a readable .ts, a merge conflict left in it? {exc}")
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"{Path(exc.cmd[0]).name} failed: {(exc.stderr or b'').decode(errors='replace').strip()}")
        return 1
    for source in unfinished:
        print(f"unfinished: {source!r}")
    total = sum(m.active for m in read_ts(TS))
    print(f"{total} strings, {len(unfinished)} unfinished; wrote {TS.name} and {QM.name}")
    if unfinished:
        print(f"translate them in Qt Linguist (pyside6-linguist {TS.relative_to(ROOT)}) or with --import")
    return 1 if unfinished else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
