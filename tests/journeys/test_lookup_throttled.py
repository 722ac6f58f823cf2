"""Signing a household when the county refuses to answer because this computer asked too often (issue 11, break
8), against a real county server on loopback: the county allows one lookup a minute per device (`county-server
policy set lookup.device_per_minute 1`), the administrator enrolls the demo clinic, and a household of two asks
twice: the doctor reads why and how long to wait in Chinese, nothing is signed, and Sign again signs the household
provisional without asking.

The county server is a separate program (a subprocess): this journey imports nothing of the server."""

from __future__ import annotations

import datetime as dt

import pytest

from clinic_app import contracts as C
from tests.journeys.conftest import CountyServer, Journey
from tests.journeys.test_contracts import _household_nobody_signed, open_page, shot_dialog

pytestmark = pytest.mark.timeout(300)
LONG = 120_000  # ms: the first sync sends the whole demo clinic


def test_a_throttled_lookup_tells_the_doctor_to_wait_and_signs_nothing(
    admin_journey: Journey, county_server: CountyServer
) -> None:
    from ui.enroll_dialog import EnrollDialog
    from ui.sign_dialog import SignDialog

    j, win = admin_journey, admin_journey.window
    county_server.cli("policy", "set", "lookup.device_per_minute", "1", "--from", dt.date.today().isoformat())
    with j.step("open the sync page and click 登记本机…"):
        page = j.nav_to("sync")
        j.click(page.enroll_button)
        dialog = j.dialog(EnrollDialog)
    code = county_server.enroll_code()
    with j.step("type the server address and the enrollment code, enroll and sync"):
        j.type(dialog.form.server, county_server.url)
        j.type(dialog.form.code, code)
        with j.qtbot.waitSignal(win.sync.finished, timeout=LONG) as first:
            j.click(dialog.ok)
        j.wait_until(lambda: not dialog.isVisible())
    assert first.args[0] == "ok", win.sync.message

    head, _young = _household_nobody_signed(j)
    contracts = open_page(j)
    with j.step("type the last digits of the head's ID number"):
        j.type(contracts.finder, head["id_number"][-8:])
        j.wait_until(lambda: contracts.contract_model.rowCount() == 0)
    with j.step("click 签约全户…, name the witness and sign"):
        j.click(contracts.household_button)
        sign = j.dialog(SignDialog)
        assert len(sign.chosen_residents()) >= 2
        j.type(sign.witness, "示范护士")
        j.click(sign.sign_button)
        j.wait_until(sign.error.isVisible, timeout=30_000)
    text = sign.error.text()
    assert text.startswith(
        "县里暂不回答：本机或本诊所查询居民签约情况的次数已达县里规定的上限，尚未签约。"
    ), text
    assert "请 1 分钟后再签" in text and sign.sign_button.isEnabled()
    shot_dialog(j, sign, "contracts-lookup-throttled")
    conn, clinic = j.store.conn, j.store.clinic_id
    assert not C.contract_page(conn, clinic, str(j.today.year), head["id_number"][-8:]), "nothing signed"
    with j.step("press 签约 again: signed without asking the county"):
        j.click(sign.sign_button)
        j.wait_until(lambda: not sign.isVisible(), timeout=30_000)
    signed = C.contract_page(conn, clinic, str(j.today.year), head["id_number"][-8:])
    assert signed and {r["status"] for r in signed} == {"provisional"}
    j.shot("contracts-lookup-throttled-signed")
