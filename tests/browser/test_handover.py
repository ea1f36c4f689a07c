"""Browser journey: the outgoing chair logs in, opens the handover, ticks an item, comments on it and
completes the handover (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest

from chairmanship import handovers, terms
from chairmanship.models import ChairTerm, Handover, HandoverItem
from governance.models import Body, Membership, MemberState

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_chair_walks_through_the_handover(seeded, make_user, live_server, browser, logged_in):
    # The live server runs on the real clock, so the outgoing term spans any day this test may run on and
    # the handover is due far ahead: completing it now means bringing it forward, as a chair would.
    tf = Body.objects.create(
        acronym="TF-X", name="Task force X", kind="task_force", chair_policy="designated"
    )
    indonesia, malaysia = MemberState.objects.get(iso2="ID"), MemberState.objects.get(iso2="MY")
    chair = make_user("ina-chair", state=indonesia, password="a-good-password-42")
    Membership.objects.create(
        person=chair.person, body=tf, member_state=indonesia, role="head", start_date=dt.date(2000, 1, 1)
    )
    outgoing = terms.chair_term_record(
        body=tf, member_state=indonesia, start_date=dt.date(2000, 1, 1), end_date=dt.date(2098, 12, 31)
    )
    incoming = terms.chair_term_record(
        body=tf, member_state=malaysia, start_date=dt.date(2099, 1, 1), end_date=dt.date(2099, 12, 31)
    )
    handover = handovers.handover_plan(outgoing_term=outgoing, incoming_term=incoming)
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(
                handover=handover, kind="other", label="Pass on the Secretariat contact list", position=1
            ),
            HandoverItem(handover=handover, kind="other", label="Brief the incoming chair", position=2),
        ]
    )
    from governance.rights import sync_user_rights

    sync_user_rights(chair)  # today, in the outgoing term: the chair manages the body

    page = browser.new_page()
    logged_in(page, "ina-chair", "a-good-password-42", next_path="/chairmanship/handovers/")
    page.wait_for_url(f"{live_server.url}/chairmanship/handovers/")
    page.click("text=Indonesia → Malaysia")
    page.wait_for_url(f"{live_server.url}/chairmanship/handovers/{handover.pk}/")

    # The whole checklist is one form: a comment typed on the second row is saved with the first's tick.
    first = page.locator("#checklist li", has_text="contact list")
    second = page.locator("#checklist li", has_text="Brief the incoming")
    first.locator("input[type=checkbox]").check()
    first.locator("input[type=text]").fill("Sent by email on handover day")
    second.locator("input[type=text]").fill("Call booked for Friday")
    page.click("#save-checklist")
    page.wait_for_load_state()
    first = page.locator("#checklist li", has_text="contact list")
    assert "done" in first.get_attribute("class")
    assert first.locator("input[type=text]").input_value() == "Sent by email on handover day"
    second = page.locator("#checklist li", has_text="Brief the incoming")
    assert second.locator("input[type=text]").input_value() == "Call booked for Friday"
    assert "1 of 2 done" in page.locator("h2").first.inner_text()

    # Completing asks first: what happens, to whose rights, and that nobody is e-mailed.
    page.check("#id_bring_forward")
    page.click("#complete-handover")
    asked = page.locator("#confirmation").inner_text()
    assert "pass from Ina-Chair" in asked and "1 of 2 checklist items are not ticked" in asked
    assert page.locator("#confirm-mailed").inner_text() == "Nobody is e-mailed."
    page.click("#confirm-button")
    page.wait_for_load_state()
    assert page.locator("#handover-status").inner_text() == "Completed"
    assert "the chair's rights have moved" in page.locator(".messages").inner_text()
    assert page.locator("#complete-handover").count() == 0

    h = Handover.objects.get(pk=handover.pk)
    assert (h.status, h.completed_by_id) == ("completed", chair.pk)
    item = HandoverItem.objects.get(handover=h, position=1)
    assert (item.is_done, item.done_by_id, item.comment) == (True, chair.pk, "Sent by email on handover day")
    assert ChairTerm.objects.get(pk=incoming.pk).start_date == h.effective_date
    assert ChairTerm.objects.get(pk=outgoing.pk).end_date == h.effective_date - dt.timedelta(days=1)
