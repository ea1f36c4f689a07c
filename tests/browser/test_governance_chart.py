"""Browser journey: log in and open the governance chart (Playwright driving Debian's Chromium)."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_login_and_open_the_governance_chart(seeded, make_user, live_server, browser, logged_in):
    make_user("ana", password="a-good-password-42")
    page = browser.new_page()
    page.goto(f"{live_server.url}/governance/")
    assert "/accounts/login/" in page.url
    logged_in(page, "ana", "a-good-password-42", next_path="/governance/")
    page.wait_for_url(f"{live_server.url}/governance/")
    chart = page.locator("#governance-chart svg")
    assert chart.is_visible()
    acronyms = page.locator("#governance-chart a.box").evaluate_all("els => els.map(e => e.dataset.acronym)")
    assert {"ACCMSME", "SEOM", "AEM", "AEC Council", "ASEAN Summit"} <= set(acronyms)
    # ACCMSME to SEOM to AEM to AEC Council to the Summit, and the two task forces to ACCMSME
    assert page.locator("#governance-chart line.reports_to").count() == 6
    page.click("#governance-chart a.box[data-acronym=ACCMSME]")
    page.wait_for_url(f"{live_server.url}/governance/bodies/ACCMSME/")
    assert "reports to" in page.locator("main").inner_text().lower()
