from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from clinic_app import residents as R
from clinic_app.idcard import check_character
from clinic_app.search import name_initials, name_pinyin, query_prefix, resident_keys
from tests.conftest import Clinic


def test_pinyin_of_polyphonic_surnames_and_u_umlaut() -> None:
    assert name_pinyin("曾国藩") == "zengguofan"
    assert name_pinyin("单田芳") == "shantianfang"
    assert name_initials("张三") == "zs"
    keys = resident_keys("吕布", None, None, None)
    assert {"p:lvbu", "p:lubu", "p:lb"} <= keys


def test_query_kinds() -> None:
    assert query_prefix("张") == "n:张"
    assert query_prefix("ZS") == "p:zs"
    assert query_prefix("002x") == "r:X200"
    assert query_prefix("138-1234-5678") == "r:87654321831"
    assert query_prefix("  ") is None


def _ids(clinic: Clinic, query: str) -> list[str]:
    return [r["name"] for r in R.search_residents(clinic.store.conn, clinic.store.clinic_id, query).rows]


def test_every_search_form_finds_the_resident(clinic: Clinic) -> None:
    store, admin = clinic.store, clinic.admin
    R.add_resident(
        store, admin, R.ResidentInput(name="张三", id_number="11010519491231002X", phone="13812345678")
    )
    R.add_resident(
        store, admin, R.ResidentInput(name="李四", id_number="445224199202290042", phone="15900001111")
    )
    assert _ids(clinic, "张三") == ["张三"]
    assert _ids(clinic, "三") == ["张三"]  # part of the name
    assert _ids(clinic, "zhangsan") == ["张三"]
    assert _ids(clinic, "zhang") == ["张三"]
    assert _ids(clinic, "san") == ["张三"]  # the given name in pinyin
    assert _ids(clinic, "zs") == ["张三"]  # initials
    assert _ids(clinic, "002x") == ["张三"]  # last digits of the ID number
    assert _ids(clinic, "11010519491231002X") == ["张三"]
    assert _ids(clinic, "5678") == ["张三"]  # last digits of the phone
    assert _ids(clinic, "13812345678") == ["张三"]
    assert _ids(clinic, "1111") == ["李四"]
    assert _ids(clinic, "王") == []


def test_search_walks_the_key_index_in_order(clinic: Clinic) -> None:
    store = clinic.store
    for i in range(30):  # no ANALYZE: the planner guesses, as on a clinic's database
        R.add_resident(
            store,
            clinic.admin,
            R.ResidentInput(
                name="张" + "伟明芳"[i % 3],
                document_type="other",
                document_number=f"DOC{i:04d}",
                sex="M",
                birth_date="1980-01-01",
            ),
        )
    plan = store.conn.execute(
        "EXPLAIN QUERY PLAN " + R.SEARCH_SQL, ("p:zt", "p:zs", "", store.clinic_id, 50)
    ).fetchall()
    steps = [str(row[3]) for row in plan]
    assert steps[0].startswith("SEARCH k USING PRIMARY KEY"), steps
    assert steps[1].startswith("SEARCH r USING INDEX"), steps
    assert not any("TEMP B-TREE" in s for s in steps), steps


def test_paging_returns_every_match_once(clinic: Clinic) -> None:
    store = clinic.store
    with store.unit(clinic.admin.id, "test.bulk") as uow:
        for i in range(130):
            first17 = f"632123198001{(i % 28) + 1:02d}{i:03d}"
            R.insert_resident(
                uow,
                R.validate_resident(
                    uow.conn,
                    store.clinic_id,
                    R.ResidentInput(name="张" + "伟明"[i % 2], id_number=first17 + check_character(first17)),
                ),
            )
    for query in ("张", "z", "zhang", "zw", ""):
        expected = 65 if query == "zw" else 130
        search = R.ResidentQuery(store.conn, store.clinic_id, query)
        seen: list[str] = []
        while not search.done:
            page = search.next_page(50)
            assert len(page) <= 50
            seen += [r["id"] for r in page]
        assert len(seen) == len(set(seen)) == expected, query


@given(st.text(alphabet="张王李赵刘陈杨黄吴三四伟芳娜敏静丽强磊军洋勇艳杰", min_size=2, max_size=4))
def test_any_part_of_a_name_is_a_key(name: str) -> None:
    keys = resident_keys(name, None, None, None)
    for i in range(len(name)):
        prefix = query_prefix(name[i:])
        assert prefix is not None and any(k.startswith(prefix) for k in keys)
    assert "p:" + name_initials(name) in keys
