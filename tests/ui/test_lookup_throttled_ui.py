"""The sign dialog when the county refuses the lookup because this computer or clinic asked too often (issue 11,
break 8): the doctor reads why in Chinese and how long to wait; nothing is signed; Sign again signs provisional
without asking (the county checks the contract at the next sync)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clinic_app import contracts as C
from sync import protocol as p
from sync.client import Throttled

from .conftest import UiClinic
from .test_contracts_ui import dialog, signing  # noqa: F401 (fixture)


def test_a_throttled_lookup_says_why_and_how_long_and_signs_nothing(
    qtbot: Any,
    signing: UiClinic,  # noqa: F811
    tmp_path: Path,
) -> None:
    asked: list[str] = []

    def throttled(number: str, period: str) -> dict[str, Any]:
        asked.append(number)
        raise Throttled("this device has asked the county 30 times in a minute", p.Code.LOOKUP_THROTTLED, 42)

    d = dialog(qtbot, signing, "张三", lookup=throttled)
    d.resize(1366 // 2, d.height())
    d.witness.setText("王护士")
    d.sign_button.click()
    qtbot.waitUntil(d.error.isVisible, timeout=10_000)
    text = d.error.text()
    assert "县里暂不回答" in text and "1 分钟" in text and "待县级确认" in text, text
    assert d.sign_button.isEnabled() and asked == ["11010519491231002X"]
    assert C.list_contracts(signing.store.conn, signing.store.clinic_id) == [], "nothing signed"
    d.grab().save(str(tmp_path / "sign-lookup-throttled.png"))

    with qtbot.waitSignal(d.accepted, timeout=10_000):
        d.sign_button.click()
    assert asked == ["11010519491231002X"], "the second press does not ask the county again"
    assert not d.checked_online
    [row] = C.list_contracts(signing.store.conn, signing.store.clinic_id)
    assert row["status"] == "provisional"


def test_another_refusal_of_the_lookup_still_signs_provisional(qtbot: Any, signing: UiClinic) -> None:  # noqa: F811
    def down(number: str, period: str) -> dict[str, Any]:
        raise Throttled("too many failed attempts", p.Code.THROTTLED, 5)  # not the lookup's own limit

    d = dialog(qtbot, signing, "张三", lookup=down)
    d.witness.setText("王护士")
    with qtbot.waitSignal(d.accepted, timeout=10_000):
        d.sign_button.click()
    assert not d.checked_online


def test_a_slowed_enrollment_says_how_long_to_wait() -> None:
    from ui.enroll_dialog import failure_text

    slowed = Throttled("too many failed attempts from this address", p.Code.THROTTLED, 8)
    assert failure_text(slowed) == "从本网络输入错误登记码的次数过多：请 8 秒后再试。"
