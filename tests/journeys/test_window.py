"""Every page of the navigation opens on the demo clinic, and the window fits a 1366×768 screen."""

from __future__ import annotations

from typing import Any

from tests.journeys.conftest import Journey

PAGES = ("residents", "contracts", "followups", "prescriptions", "reports", "sync")


def test_every_page_of_the_navigation_opens_on_the_demo_clinic(journey: Journey) -> None:
    seen: dict[str, Any] = {}
    for page in PAGES:
        with journey.step(f"open the {page} page"):
            shown = journey.nav_to(page)
            if page == "contracts":  # the list is read the turn after the page is shown
                journey.wait_until(lambda shown=shown: shown.contract_model.rowCount() > 0)
        assert shown.isVisible()
        seen[page] = shown
        journey.shot(f"journey-page-{page}")
    assert len({id(p) for p in seen.values()}) == len(PAGES)  # six different pages, none reused
    with journey.step("back to the residents page"):
        residents = journey.nav_to("residents")
    assert residents is seen["residents"]
    assert residents.model.rowCount() > 0  # the register shows its first rows
