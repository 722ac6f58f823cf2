"""The desktop shows the new long-term prescription refusals by their rule code, in Chinese (trial F1, F2, F20,
F21): the numbers of boxes, the trace code that cannot be one, the prescription in force."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from clinic_app import prescriptions as P
from clinic_app.errors import ValidationError
from ui import i18n
from ui.rx_dialogs import rx_error_text


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    assert i18n.install_language(qapp, "zh_CN")
    yield
    i18n.install_language(qapp, "en")


def refusal(call: object, *args: object) -> ValidationError:
    with pytest.raises(ValidationError) as err:
        call(*args)  # type: ignore[operator]
    return err.value


def test_each_new_refusal_is_told_by_its_rule_in_chinese(chinese: None) -> None:
    boxes = refusal(P.check_box_count, 5, 1, False)
    assert rx_error_text(boxes).endswith("请逐盒扫码：已扫 5 盒，本次应发 1 盒。")
    short = refusal(P.read_trace_code, "12345")
    assert "12345：5 位不可能是追溯码（至少 8 位" in rx_error_text(short)
    signs = refusal(P.read_trace_code, "8100001-00000001")
    assert "追溯码只含数字和字母" in rx_error_text(signs)
    held = refusal(P.check_not_in_force, "hypertension", {"id": "rx1", "issued_on": "2026-11-06"})
    assert "2026-11-06 开具的高血压长处方仍在执行" in rx_error_text(held)
