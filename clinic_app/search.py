"""Search keys for residents, computed when a resident is written and kept in an indexed key table.

Every search form is one prefix range on one index (``resident_search_key(key, resident_id)``):

==========  ==========================================  =======================================
kind        keys stored per resident                    what a query finds
==========  ==========================================  =======================================
``n:``      every suffix of the name                    any part of a name (``三`` finds 张三)
``p:``      full pinyin from each syllable on,           ``zhangsan``, ``san``, ``zs``
            initials (``v`` and ``u`` spellings of ü)
``r:``      ID number, phone, other document number,     the last digits of any of them, or the
            each reversed                                whole number
==========  ==========================================  =======================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clinic_app.db import Connection

# Surnames whose reading differs from the character's most common one.
SURNAME_READINGS: dict[str, list[str]] = {
    "单": ["shan"],
    "曾": ["zeng"],
    "解": ["xie"],
    "仇": ["qiu"],
    "区": ["ou"],
    "朴": ["piao"],
    "查": ["zha"],
    "覃": ["qin"],
    "翟": ["zhai"],
    "乐": ["yue"],
    "盖": ["ge"],
    "缪": ["miao"],
    "种": ["chong"],
    "长孙": ["zhang", "sun"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "折": ["she"],
    "召": ["shao"],
    "员": ["yun"],
    "秘": ["bi"],
    "阚": ["kan"],
    "那": ["na"],
    "柏": ["bai"],
    "薄": ["bo"],
    "过": ["guo"],
    "沈": ["shen"],
    "贾": ["jia"],
    "祭": ["zhai"],
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGITS_X = re.compile(r"^[0-9A-Z]+$")
_LETTERS = re.compile(r"^[a-zü]+$")


def normalize_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


@lru_cache(maxsize=65536)
def text_syllables(text: str) -> tuple[str, ...]:
    """Pinyin syllables of a text without tones, each character read in its most common reading (a drug's name:
    no surname readings); characters without a reading are left out."""
    from pypinyin import Style, lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(normalize_name(text), style=Style.NORMAL, errors="ignore"))


def text_keys(text: str) -> set[str]:
    """The name keys of a text: ``n:`` every suffix, ``p:`` the pinyin and the initials from each syllable on."""
    clean = normalize_name(text).lower()
    keys = {"n:" + clean[i:] for i in range(len(clean))}
    syllables = text_syllables(clean)
    for i in range(len(syllables)):
        for spelling in _with_u_spelling("".join(syllables[i:])):
            keys.add("p:" + spelling)
    initials = "".join(s[0] for s in syllables if s)
    keys.update("p:" + initials[i:] for i in range(len(initials)))  # 氨氯地平 (aldp) in 苯磺酸氨氯地平片
    return keys


@lru_cache(maxsize=65536)
def name_syllables(name: str) -> tuple[str, ...]:
    """Pinyin syllables of a name without tones, the surname read as a surname."""
    from pypinyin import Style, lazy_pinyin  # imported on first write: costs 0.3 s

    name = normalize_name(name)
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname):
            rest = name[len(surname) :]
            tail = lazy_pinyin(rest, style=Style.NORMAL, errors="ignore") if rest else []
            return tuple(SURNAME_READINGS[surname] + [s.lower() for s in tail])
    return tuple(s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore"))


def name_pinyin(name: str) -> str:
    return "".join(name_syllables(name))


def name_initials(name: str) -> str:
    return "".join(s[0] for s in name_syllables(name) if s)


def _with_u_spelling(text: str) -> set[str]:
    return {text, text.replace("v", "u")} if "v" in text else {text}


def resident_keys(
    name: str, id_number: str | None, phone: str | None, document_number: str | None
) -> set[str]:
    keys: set[str] = set()
    clean = normalize_name(name)
    for i in range(len(clean)):
        keys.add("n:" + clean[i:].lower())
    syllables = name_syllables(clean)
    for i in range(len(syllables)):
        for spelling in _with_u_spelling("".join(syllables[i:])):
            keys.add("p:" + spelling)
    initials = "".join(s[0] for s in syllables if s)
    if initials:
        keys.add("p:" + initials)
    for number in (id_number, phone, document_number):
        if number:
            digits = re.sub(r"[\s\-+()]", "", number).upper()
            if digits:
                keys.add("r:" + digits[::-1])
    return keys


def query_prefix(query: str) -> str | None:
    """The key prefix a typed query looks for, or None if there is nothing to search."""
    q = normalize_name(query)
    if not q:
        return None
    if _CJK.search(q):
        return "n:" + q.lower()
    upper = re.sub(r"[\-+()]", "", q).upper()
    if any(c.isdigit() for c in upper) and _DIGITS_X.match(upper):
        return "r:" + upper[::-1]
    lower = q.lower().replace("'", "")
    if _LETTERS.match(lower):
        return "p:" + lower.replace("ü", "v")
    return "n:" + q.lower()


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# -- the resident table's hooks (clinic_app.registry): derived name columns and the key table ----------------
def derive_resident_names(row: dict[str, Any]) -> None:
    """``name_pinyin`` and ``name_initials`` of a resident row that carries its name."""
    if "name" in row:
        row["name_pinyin"] = name_pinyin(row["name"] or "")
        row["name_initials"] = name_initials(row["name"] or "")


def index_residents(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Replace the search keys of whole resident rows just written (a deleted one keeps none)."""
    unindex_residents(conn, [r["id"] for r in rows])
    conn.executemany(
        "INSERT INTO resident_search_key(key, resident_id) VALUES (?, ?)",
        [
            (k, r["id"])
            for r in rows
            if not r.get("deleted_at")
            for k in resident_keys(r["name"], r.get("id_number"), r.get("phone"), r.get("document_number"))
        ],
    )


def unindex_residents(conn: Connection, ids: Sequence[str]) -> None:
    conn.executemany("DELETE FROM resident_search_key WHERE resident_id = ?", [(i,) for i in ids])
