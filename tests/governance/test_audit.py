"""The audit trail: who changed what and when, for meetings, agendas, documents, terms, handovers and
rights; read by the Secretariat on each object's page and on the audit log, and by nobody else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from governance.audit import audit, object_history, recent_changes
from governance.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db


def edit(obj, user, **changes):
    """Save a change as a request by ``user`` would (simple-history reads the user from the request)."""
    for k, v in changes.items():
        setattr(obj, k, v)
    obj._history_user = user
    obj.save()


def test_a_meetings_history_shows_who_changed_what_on_it_and_its_agenda_and_documents(roles):
    edit(roles.m_acc, roles.secretariat, title="Mtg-ACC-renamed", host=roles.ph)
    edit(roles.m_acc, roles.chair, host=roles.sg)
    edit(roles.item, roles.chair, title="Item-ACC-reworded")
    edit(roles.doc_restricted, roles.secretariat, classification=2)
    entries = object_history(roles.m_acc)
    changed = [e for e in entries if e.kind == "changed"]
    assert [e.actor for e in changed[:4]] == ["secretariat", "chair", "chair", "secretariat"]
    doc, item, host, first = changed[:4]
    assert doc.what == "Document: Doc-ACC-restricted"
    assert [(c.field, c.old, c.new) for c in doc.changes] == [
        ("classification", "ASEAN Restricted", "Confidential")
    ]
    assert [(c.field, c.old, c.new) for c in item.changes] == [
        ("title", "Item-ACC-private", "Item-ACC-reworded")
    ]
    assert [(c.field, c.old, c.new) for c in host.changes] == [("host", "Philippines", "Singapore")]
    assert {(c.field, c.new) for c in first.changes} == {
        ("title", "Mtg-ACC-renamed"),
        ("host", "Philippines"),
    }
    assert any(e.kind == "created" and e.what == "Meeting" for e in entries)
    # The meeting's single-meeting rights (the guest's invitation) are in its trail too.
    assert any(e.kind == "rights" and "guest" in e.summary for e in entries)


def test_terms_handovers_memberships_and_rights_are_in_the_bodys_trail(roles):
    edit(roles.handover, roles.secretariat, notes="Checklist done")
    m = Membership.objects.get(person=roles.delegate.person)
    edit(m, roles.secretariat, role="alternate")
    entries = object_history(roles.accmsme)
    whats = {e.what.split(":")[0] for e in entries}
    assert {"Chair term", "Handover", "Membership"} <= whats
    person_entries = object_history(roles.delegate.person)
    assert any(e.kind == "rights" for e in person_entries)  # the person's login's rights events
    assert any(e.kind == "changed" and e.what.startswith("Membership") for e in person_entries)


def test_reading_a_trail_costs_the_same_whatever_its_length(roles):
    edit(roles.m_acc, roles.secretariat, title="v1")
    with CaptureQueriesContext(connection) as ctx:
        object_history(roles.m_acc)
    few = len(ctx.captured_queries)
    for i in range(10):
        edit(roles.m_acc, roles.chair, title=f"v{i + 2}", host=[roles.ph, roles.sg][i % 2])
        edit(roles.item, roles.chair, title=f"item v{i}")
    with CaptureQueriesContext(connection) as ctx:
        object_history(roles.m_acc)
    assert len(ctx.captured_queries) <= few + 1  # + naming the hosts now seen in the changes


def test_the_history_include_renders_for_the_secretariat_only(roles):
    edit(roles.m_acc, roles.secretariat, title="Mtg-ACC-renamed")
    for user, shown in [(roles.secretariat, True), (roles.chair, False), (roles.delegate, False)]:
        request = RequestFactory().get("/")
        request.user = user
        html = render_to_string("governance/_history.html", {"object": roles.m_acc}, request=request)
        assert ('id="history"' in html) is shown, user
        assert ("Mtg-ACC-renamed" in html) is shown


def test_the_audit_log_page(roles, client):
    audit(action="handover", obj=roles.handover, actor=roles.chair, summary="Handover MY → PH completed")
    assert client.get("/governance/audit/").status_code == 302  # anonymous: log in first
    for user in (roles.chair, roles.head, roles.delegate, roles.observer, roles.seom):
        client.force_login(user)
        assert client.get("/governance/audit/").status_code == 403, user
        assert client.get("/governance/audit/?tab=changes").status_code == 403, user
    client.force_login(roles.secretariat)
    r = client.get("/governance/audit/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "Handover MY → PH completed" in page and "granted manage_body on ACCMSME" in page
    r = client.get("/governance/audit/", {"action": "handover"})
    assert "Handover MY → PH completed" in r.content.decode()
    assert "granted manage_body" not in r.content.decode()
    edit(roles.m_acc, roles.chair, title="Mtg-ACC-renamed")
    r = client.get("/governance/audit/", {"tab": "changes", "model": "meetings.meeting"})
    assert r.status_code == 200 and "Mtg-ACC-renamed" in r.content.decode()
    assert client.get("/governance/audit/", {"tab": "changes"}).status_code == 200


def test_an_objects_history_page_is_a_404_for_anyone_but_the_secretariat(roles, client):
    url = f"/governance/audit/meetings.meeting/{roles.m_acc.pk}/"
    for user in (roles.chair, roles.delegate, roles.observer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(roles.secretariat)
    assert client.get(url).status_code == 200
    assert client.get("/governance/audit/meetings.nothing/1/").status_code == 404
    assert client.get("/governance/audit/meetings.meeting/999999/").status_code == 404
    # A deleted object's history stays readable.
    pk = roles.item_other.pk
    roles.item_other.delete()
    r = client.get(f"/governance/audit/meetings.agendaitem/{pk}/")
    assert r.status_code == 200 and "deleted" in r.content.decode()


def test_recent_changes_across_models(roles):
    edit(roles.term, roles.secretariat, reason="Recorded from the AEM decision")
    entries = recent_changes(limit=20)
    assert entries[0].what.startswith("Chair term") and entries[0].actor == "secretariat"
    assert len(entries) == 20


def test_audit_events_record_the_request_user(roles, client):
    """An act through a request records who did it, without passing the user along."""
    from simple_history.models import HistoricalRecords

    request = RequestFactory().get("/")
    request.user = roles.chair
    HistoricalRecords.context.request = request
    try:
        event = audit(action="act", obj=roles.m_acc, summary="Circulated the agenda")
    finally:
        del HistoricalRecords.context.request
    assert event.actor == roles.chair and event.object_type == "meetings.meeting"
    assert AuditEvent.objects.filter(object_id=roles.m_acc.pk, action="act").exists()


def test_the_body_page_shows_its_history_to_the_secretariat_only(roles, client):
    edit(roles.term, roles.secretariat, source="AEM decision of 2099, paragraph 7")
    client.force_login(roles.secretariat)
    page = client.get("/governance/bodies/ACCMSME/").content.decode()
    assert 'id="history"' in page
    assert "AEM decision of 2099, paragraph 7" in page
    client.force_login(roles.chair)
    page = client.get("/governance/bodies/ACCMSME/").content.decode()
    assert 'id="history"' not in page
    assert "AEM decision of 2099, paragraph 7" not in page


def test_the_meeting_and_handover_pages_show_their_history_to_the_secretariat_only(roles, client):
    roles.m_acc.title = "Mtg-ACC-renamed"
    roles.m_acc._history_user = roles.chair
    roles.m_acc.save()
    roles.next_item.comment = "Files are in the shared drive"
    roles.next_item._history_user = roles.chair
    roles.next_item.save()
    pages = {
        f"/meetings/{roles.m_acc.pk}/": "Mtg-ACC-private",  # the old title, shown in the trail only
        f"/chairmanship/handovers/{roles.next_handover.pk}/": "Handover item: Pass the files on",
    }
    for user, shown in [(roles.secretariat, True), (roles.chair, False), (roles.delegate, False)]:
        client.force_login(user)
        for url, marker in pages.items():
            html = client.get(url).content.decode()
            assert ('id="history"' in html) is shown, (user, url)
            assert (marker in html) is shown, (user, url)
