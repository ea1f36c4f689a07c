"""The table the issue asks for: every role × every object kind × every action, through the pages and the
API, with the answer each role must get.

Columns (ROLES): secretariat, chair, head of delegation, delegate, observer, SEOM member, anonymous — see
``tests/world/roles.py`` for who they are and the objects they meet.

Answers:
  200      exactly 200
  ok       past the permission check: 2xx, a redirect that is not to a login page, or a 400/409 (the
           request was judged on its content, not refused)
  201 ...  exactly that status (400: a hidden meeting given as a field is "no such meeting")
  403      may see the object, may not do this
  404      may not see the object (its existence is not leaked)
  login    a page sends the anonymous visitor to log in
  admin    the admin sends a non-staff visitor to its own login

Every request runs inside a savepoint that is rolled back, so a permitted change or delete never affects the
next role. A ``seen``/``hidden`` row checks, for every role that gets the page, which object markers (unique
titles) it shows. ``test_every_endpoint_is_in_the_table`` fails when a URL exists that no row covers and
that is not exempt with a reason, so a new endpoint cannot ship without its permission row.

Rows marked ``gap=...`` are where the current code departs from the issue's rules; they run as strict
xfails (so the suite stays green, the gap stays visible, and fixing it flips the row to a failure that asks
for the mark to be removed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, get_resolver, resolve

from tests.world.documents import pdf_file
from tests.world.roles import ROLES, roles_scene

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Row:
    kind: str  # object kind: body, meeting, agenda, document, invitation, report, chair, feed, audit ...
    action: str  # list, view, change, delete, download, feed
    via: str  # page | api
    method: str
    url: str  # formatted with the roles scene as w: {w.m_acc.pk}; {me.*} is the requesting role's own user
    expect: str  # seven answers in ROLES order
    data: dict = field(default_factory=dict, hash=False, compare=False)
    seen: dict = field(default_factory=dict, hash=False, compare=False)  # marker -> roles that see it
    gap: str = ""  # why the current code departs from the issue (strict xfail) ...
    gap_roles: str = ""  # ... and the only roles whose answers may differ
    json: bool = False

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.action}-{self.via}-{self.method}-{self.url}"


def E(answers: str) -> str:
    parts = answers.split()
    assert len(parts) == len(ROLES), answers
    return answers


# Short names for the roles in ``seen``.
ALL = "secretariat chair head delegate observer seom"
MEMBERS = "secretariat chair head delegate"

MEETING_MARKERS = {
    "Mtg-ACC-private": MEMBERS,
    "Mtg-ACC-public": MEMBERS + " observer",
    "Mtg-SEOM": "secretariat seom",
    "Mtg-TFX": "secretariat",
}
# Who sees which document in a list (the same table as tests/governance/test_rights.py DOC_TABLE).
DOCUMENT_MARKERS = {
    "Doc-ACC-public": MEMBERS,
    "Doc-ACC-restricted": MEMBERS,
    "Doc-ACC-confidential": "secretariat chair head",
    "Doc-PUB-public": MEMBERS + " observer",
    "Doc-PUB-restricted": MEMBERS,
    "Doc-TFX-public": "secretariat",
}
PDF_UPLOAD = object()  # replaced by a fresh small PDF upload for each request

ROWS: list[Row] = [
    # --- Bodies and the governance structure: every logged-in user reads it; the Secretariat writes ---
    Row("body", "list", "page", "GET", "/governance/", E("200 200 200 200 200 200 login")),
    Row(
        "body",
        "view",
        "page",
        "GET",
        "/governance/bodies/ACCMSME/",
        E("200 200 200 200 200 200 login"),
        # The body page lists the meetings each reader may see, and the reports only to its members.
        seen={"Mtg-ACC-private": MEMBERS, "Mtg-ACC-public": MEMBERS + " observer", "Report-ACC": MEMBERS},
    ),
    Row("body", "view", "page", "GET", "/governance/bodies/NO-SUCH/", E("404 404 404 404 404 404 login")),
    Row("body", "list", "api", "GET", "/api/v1/bodies/", E("200 200 200 200 200 200 403")),
    Row("body", "view", "api", "GET", "/api/v1/bodies/{w.accmsme.pk}/", E("200 200 200 200 200 200 403")),
    Row(
        "body",
        "change",
        "api",
        "PATCH",
        "/api/v1/bodies/{w.accmsme.pk}/",
        E("200 403 403 403 403 403 403"),
        data={"mandate": "Changed"},
        json=True,
    ),
    Row("body", "delete", "api", "DELETE", "/api/v1/bodies/{w.spare.pk}/", E("ok 403 403 403 403 403 403")),
    Row(
        "body",
        "change",
        "page",
        "GET",
        "/admin/governance/body/{w.accmsme.pk}/change/",
        E("200 admin admin admin admin admin admin"),
    ),
    Row("membership", "list", "api", "GET", "/api/v1/memberships/", E("200 200 200 200 200 200 403")),
    Row(
        "membership",
        "delete",
        "api",
        "DELETE",
        "/api/v1/memberships/{w.seat_delegate.pk}/",
        E("ok 403 403 403 403 403 403"),
    ),
    Row(
        "membership",
        "change",
        "api",
        "POST",
        "/api/v1/memberships/",
        E("ok 403 403 403 403 403 403"),
        data={
            "person": "{w.guest.person.pk}",
            "body": "{w.aem.pk}",
            "organisation": "{w.meti.pk}",
            "role": "observer",
            "start_date": "2000-01-01",
        },
        json=True,
    ),
    Row("person", "list", "api", "GET", "/api/v1/people/", E("200 200 200 200 200 200 403")),
    Row(
        "person",
        "delete",
        "api",
        "DELETE",
        "/api/v1/people/{w.guest.person.pk}/",
        E("ok 403 403 403 403 403 403"),
    ),
    Row("member-state", "list", "api", "GET", "/api/v1/member-states/", E("200 200 200 200 200 200 403")),
    Row(
        "member-state",
        "change",
        "api",
        "PATCH",
        "/api/v1/member-states/{w.th.pk}/",
        E("200 403 403 403 403 403 403"),
        data={"zone_label": "Bangkok time"},
        json=True,
    ),
    Row("reporting-line", "list", "api", "GET", "/api/v1/reporting-lines/", E("200 200 200 200 200 200 403")),
    Row(
        "reporting-line",
        "change",
        "api",
        "PATCH",
        "/api/v1/reporting-lines/{w.line.pk}/",
        E("ok 403 403 403 403 403 403"),
        data={"source": "Checked"},
        json=True,
    ),
    Row("plan", "list", "api", "GET", "/api/v1/strategic-plans/", E("200 200 200 200 200 200 403")),
    Row(
        "plan",
        "delete",
        "api",
        "DELETE",
        "/api/v1/strategic-plans/{w.plan.pk}/",
        E("ok 403 403 403 403 403 403"),
    ),
    Row("api", "list", "api", "GET", "/api/v1/", E("200 200 200 200 200 200 403")),
    # --- Meetings ----------------------------------------------------------------------------------
    Row(
        "meeting",
        "list",
        "page",
        "GET",
        "/meetings/",
        E("200 200 200 200 200 200 login"),
        seen={
            "Mtg-ACC-private": MEMBERS,
            "Mtg-ACC-public": MEMBERS + " observer",
            "Mtg-SEOM": "secretariat seom",
            "Mtg-TFX": "secretariat",
        },
    ),
    Row(
        "meeting",
        "list",
        "page",
        "GET",
        "/",
        E("200 200 200 200 200 200 login"),
        seen={
            "Mtg-ACC-private": MEMBERS,
            "Mtg-ACC-public": MEMBERS + " observer",
            "Mtg-SEOM": "secretariat seom",
            "Mtg-TFX": "secretariat",
        },
    ),
    Row(
        "meeting",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/",
        E("200 200 200 200 404 404 login"),
        # The meeting page lists the documents each reader is cleared for.
        seen={
            "Doc-ACC-public": MEMBERS,
            "Doc-ACC-restricted": MEMBERS,
            "Doc-ACC-confidential": "secretariat chair head",
        },
    ),
    Row(
        "meeting",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_pub.pk}/",
        E("200 200 200 200 200 404 login"),
        seen={"Doc-PUB-public": MEMBERS + " observer", "Doc-PUB-restricted": MEMBERS},
    ),
    Row("meeting", "view", "page", "GET", "/meetings/{w.m_seom.pk}/", E("200 404 404 404 404 200 login")),
    Row("meeting", "view", "page", "GET", "/meetings/{w.m_other.pk}/", E("200 404 404 404 404 404 login")),
    Row("meeting", "view", "page", "GET", "/meetings/999999/", E("404 404 404 404 404 404 login")),
    Row(
        "meeting", "change", "page", "GET", "/meetings/{w.m_acc.pk}/edit/", E("200 200 403 403 404 404 login")
    ),
    Row(
        "meeting", "change", "page", "GET", "/meetings/{w.m_pub.pk}/edit/", E("200 200 403 403 403 404 login")
    ),
    Row(
        "meeting",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_other.pk}/edit/",
        E("200 404 404 404 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/confirm/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/confirm/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/cancel/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/cancel/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/held/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/held/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/postpone/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/postpone/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "GET",
        "/meetings/new/",
        E("200 200 403 403 403 403 login"),
    ),
    Row(
        "meeting",
        "change",
        "page",
        "POST",
        "/meetings/new/",
        E("ok ok 403 403 403 403 login"),
        data={
            "body": "{w.accmsme.pk}",
            "title": "New",
            "start": "2091-01-10T09:00",
            "end": "2091-01-11T17:00",
            "timezone": "Asia/Jakarta",
            "modality": "in_person",
        },
    ),
    Row("meeting", "list", "page", "GET", "/meetings/plan/", E("200 403 403 403 403 403 login")),
    Row(
        "meeting",
        "feed",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/calendar.ics",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "meeting",
        "feed",
        "page",
        "GET",
        "/meetings/{w.m_pub.pk}/calendar.ics",
        E("200 200 200 200 200 404 login"),
    ),
    # --- Agendas -----------------------------------------------------------------------------------
    Row(
        "agenda",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/",
        E("200 200 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/",
        E("200 200 403 403 404 404 login"),
    ),
    # Another meeting's item through this meeting's URL does not exist, even for the Secretariat.
    Row(
        "agenda",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item_other.pk}/",
        E("404 404 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/shift/",
        E("ok ok 403 403 404 404 login"),
        data={"direction": "up"},
    ),
    Row(
        "agenda",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/move/",
        E("ok ok 403 403 404 404 login"),
        data={"parent": "", "position": "1"},
    ),
    Row(
        "agenda",
        "delete",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/items/{w.item.pk}/remove/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/standing/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/usual/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/circulate/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/agenda/v1/adopt/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "agenda",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/v1/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "agenda",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/v9/",
        E("404 404 404 404 404 404 login"),
    ),
    Row(
        "agenda",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/changes/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "agenda",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/agenda/changes/?from=1&to=draft",
        E("200 200 403 403 404 404 login"),
    ),
    # --- Documents by classification -----------------------------------------------------------------
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/documents/{w.doc_public.pk}/download/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/documents/{w.doc_restricted.pk}/download/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/documents/{w.doc_confidential.pk}/download/",
        E("200 200 200 404 404 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/documents/{w.doc_pub_public.pk}/download/",
        E("200 200 200 200 200 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/documents/{w.doc_pub_restricted.pk}/download/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/documents/{w.doc_other.pk}/download/",
        E("200 404 404 404 404 404 login"),
    ),
    Row(
        "document",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/documents/upload/",
        E("200 200 403 403 404 404 login"),
    ),
    Row(
        "document",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_pub.pk}/documents/upload/",
        E("200 200 403 403 403 404 login"),
    ),
    # --- Invitations and registrations ---------------------------------------------------------------
    Row(
        "invitation",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/participants/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "invitation",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/participants/delegations/",
        # Inviting every delegation, or one person, is for the body's managers; heads of delegation see the
        # list but do not invite.
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "invitation",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/participants/invite/",
        E("ok ok 403 403 404 404 login"),
        data={"person": "{w.guest.person.pk}", "role": "REQ-PARTICIPANT"},
    ),
    Row(
        "invitation",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/participants/delegation/",
        # A head registers their own delegation; another state's is not among the delegate's choices (the
        # form answers with its error).
        E("ok ok ok ok 404 404 login"),
        data={"member_state": "{w.sg.pk}", "persons": "{w.head.person.pk}"},
    ),
    Row(
        "invitation",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/participants/{w.inv_head.pk}/withdraw/",
        # The head withdraws their own delegation's member; the delegate of Indonesia may not touch
        # Singapore's registration.
        E("ok ok ok 403 404 404 login"),
    ),
    Row(
        "invitation",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/participants/{w.inv_delegate.pk}/withdraw/",
        E("ok ok 403 ok 404 404 login"),
    ),
    Row(
        "invitation",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/rsvp/",
        # Answer one's own invitation: the Secretariat, the observer and the SEOM member have none here.
        E("404 ok ok ok 404 404 login"),
        data={"answer": "accept"},
    ),
    Row(
        "invitation",
        "change",
        "api",
        "POST",
        "/api/v1/itip/reply/",
        E(
            "ok ok ok ok ok ok 403"
        ),  # judged on the file's content: an empty body is a 400 for anyone signed in
    ),
    # --- Reports and submissions ---------------------------------------------------------------------
    Row(
        "report",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/report/",
        E("200 200 403 403 404 404 login"),
    ),
    Row(
        "report",
        "change",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/record/",
        E("200 200 403 403 404 404 login"),
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/report/generate/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/report/adopt/",
        E("ok ok 403 403 404 404 login"),
        data={"adoption_mode": "at_meeting", "adopted_on": "2090-06-01"},
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/report/submit/",
        E("ok ok 403 403 404 404 login"),
        data={"submitted_on": "2090-06-02"},
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/record/",
        E("ok ok 403 403 404 404 login"),
        data={"minutes_{w.item.pk}": "Discussed"},
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/record/decisions/delete/",
        E("ok ok 403 403 404 404 login"),
        data={"decision": "{w.decision.pk}"},
    ),
    Row(
        "report",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/report/view/",
        E("200 200 200 200 404 200 login"),  # SEOM reads the report submitted to it
    ),
    Row(
        "report", "view", "page", "GET", "/submissions/{w.submission.pk}/", E("200 200 200 200 404 200 login")
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/submissions/{w.submission.pk}/outcome/",
        # Recording SEOM's outcome is for the Secretariat (and SEOM's chair), not ACCMSME's chair.
        E("ok 403 403 403 404 403 login"),
        data={"status": "noted", "outcome_on": "2090-06-10", "outcome": "Noted"},
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/submissions/{w.submission.pk}/forward/",
        # Carrying it further up is SEOM's too: the Secretariat (and SEOM's chair), not ACCMSME's chair.
        E("ok 403 403 403 404 403 login"),
        data={"submitted_on": "2090-06-11"},
    ),
    # --- The record through the API (meetings/api.py) ---------------------------------------------------
    Row(
        "meeting",
        "list",
        "api",
        "GET",
        "/api/v1/meetings/",
        E("200 200 200 200 200 200 403"),
        seen=MEETING_MARKERS,
    ),
    Row("meeting", "view", "api", "GET", "/api/v1/meetings/{w.m_acc.pk}/", E("200 200 200 200 404 404 403")),
    Row(
        "meeting", "view", "api", "GET", "/api/v1/meetings/{w.m_other.pk}/", E("200 404 404 404 404 404 403")
    ),
    Row(
        "meeting",
        "change",
        "api",
        "PATCH",
        "/api/v1/meetings/{w.m_acc.pk}/",
        E("200 200 403 403 404 404 403"),
        data={"venue": "Hall B"},
        json=True,
    ),
    Row(
        "meeting",
        "change",
        "api",
        "PATCH",
        "/api/v1/meetings/{w.m_pub.pk}/",
        E("200 200 403 403 403 404 403"),
        data={"venue": "Hall B"},
        json=True,
    ),
    # Meetings are cancelled, never deleted: no role may DELETE one.
    Row(
        "meeting",
        "delete",
        "api",
        "DELETE",
        "/api/v1/meetings/{w.m_acc.pk}/",
        E("405 405 405 405 405 405 403"),
    ),
    Row(
        "meeting",
        "change",
        "api",
        "POST",
        "/api/v1/meetings/",
        E("201 201 403 403 403 403 403"),
        data={
            "body": "{w.accmsme.pk}",
            "title": "New",
            "start": "2091-01-10T09:00:00",
            "end": "2091-01-11T17:00:00",
            "timezone": "Asia/Jakarta",
            "modality": "in_person",
        },
        json=True,
    ),
    Row(
        "meeting",
        "change",
        "api",
        "POST",
        "/api/v1/meetings/{w.m_acc.pk}/confirm/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "meeting",
        "change",
        "api",
        "POST",
        "/api/v1/meetings/{w.m_acc.pk}/cancel/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "meeting",
        "change",
        "api",
        "POST",
        "/api/v1/meetings/{w.m_acc.pk}/postpone/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "meeting",
        "change",
        "api",
        "POST",
        "/api/v1/meetings/{w.m_acc.pk}/held/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "meeting",
        "view",
        "api",
        "GET",
        "/api/v1/meetings/{w.m_acc.pk}/conflicts/",
        E("200 200 403 403 404 404 403"),
    ),
    Row(
        "meeting",
        "change",
        "api",
        "POST",
        "/api/v1/meetings/{w.m_acc.pk}/invite-delegations/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "meeting",
        "list",
        "api",
        "GET",
        "/api/v1/meetings/propose/?body=ACCMSME&year=2091",
        E("ok 403 403 403 403 403 403"),
    ),
    Row(
        "agenda",
        "list",
        "api",
        "GET",
        "/api/v1/agenda-items/",
        E("200 200 200 200 200 200 403"),
        seen={
            "Item-ACC-private": MEMBERS,
            "Item-ACC-public": MEMBERS + " observer",
            "Item-TFX": "secretariat",
        },
    ),
    Row(
        "agenda", "view", "api", "GET", "/api/v1/agenda-items/{w.item.pk}/", E("200 200 200 200 404 404 403")
    ),
    Row(
        "agenda",
        "change",
        "api",
        "POST",
        "/api/v1/agenda-items/",
        # A meeting the user may not see is "no such meeting" (400), never a 403 that confirms it exists.
        E("201 201 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}", "title": "Any other business"},
        json=True,
    ),
    Row(
        "agenda",
        "change",
        "api",
        "PATCH",
        "/api/v1/agenda-items/{w.item.pk}/",
        E("200 200 403 403 404 404 403"),
        data={"title": "Reworded"},
        json=True,
    ),
    Row(
        "agenda",
        "delete",
        "api",
        "DELETE",
        "/api/v1/agenda-items/{w.item.pk}/",
        E("ok ok 403 403 404 404 403"),
    ),
    Row(
        "agenda",
        "change",
        "api",
        "POST",
        "/api/v1/agenda-items/{w.item.pk}/move/",
        E("ok ok 403 403 404 404 403"),
        data={"parent": None},
        json=True,
    ),
    Row(
        "agenda",
        "change",
        "api",
        "POST",
        "/api/v1/agenda-items/{w.item.pk}/minutes/",
        E("ok ok 403 403 404 404 403"),
        data={"minutes": "Discussed"},
        json=True,
    ),
    Row("agenda", "list", "api", "GET", "/api/v1/agenda-versions/", E("200 200 200 200 200 200 403")),
    Row(
        "agenda",
        "view",
        "api",
        "GET",
        "/api/v1/agenda-versions/{w.agenda_v1.pk}/",
        E("200 200 200 200 404 404 403"),
    ),
    Row(
        "agenda",
        "change",
        "api",
        "POST",
        "/api/v1/agenda-versions/circulate/",
        E("ok ok 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}"},
        json=True,
    ),
    Row(
        "agenda",
        "change",
        "api",
        "POST",
        "/api/v1/agenda-versions/{w.agenda_v1.pk}/adopt/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "agenda",
        "view",
        "api",
        "GET",
        "/api/v1/agenda-versions/{w.agenda_v1.pk}/diff/?other=draft",
        E("200 200 403 403 404 404 403"),
    ),
    Row(
        "document",
        "list",
        "api",
        "GET",
        "/api/v1/documents/",
        E("200 200 200 200 200 200 403"),
        seen=DOCUMENT_MARKERS,
    ),
    Row(
        "document",
        "view",
        "api",
        "GET",
        "/api/v1/documents/{w.doc_confidential.pk}/",
        E("200 200 200 404 404 404 403"),
    ),
    Row(
        "document",
        "view",
        "api",
        "GET",
        "/api/v1/documents/{w.doc_pub_public.pk}/",
        E("200 200 200 200 200 404 403"),
    ),
    Row(
        "document",
        "download",
        "api",
        "GET",
        "/api/v1/documents/{w.doc_restricted.pk}/download/",
        E("200 200 200 200 404 404 403"),
    ),
    Row(
        "document",
        "download",
        "api",
        "GET",
        "/api/v1/documents/{w.doc_confidential.pk}/download/",
        E("200 200 200 404 404 404 403"),
    ),
    Row(
        "document",
        "change",
        "api",
        "POST",
        "/api/v1/documents/",
        E("201 201 403 403 400 400 403"),
        data={
            "meeting": "{w.m_acc.pk}",
            "title": "Paper",
            "kind": "working_paper",
            "classification": "1",
            "file": PDF_UPLOAD,
        },
    ),
    # Documents are versioned, never changed or deleted in place: no role may PATCH or DELETE one.
    Row(
        "document",
        "delete",
        "api",
        "DELETE",
        "/api/v1/documents/{w.doc_public.pk}/",
        E("405 405 405 405 405 405 403"),
    ),
    Row("invitation", "list", "api", "GET", "/api/v1/invitations/", E("200 200 200 200 200 200 403")),
    Row(
        "invitation",
        "view",
        "api",
        "GET",
        "/api/v1/invitations/{w.inv_head.pk}/",
        E("200 200 200 200 404 404 403"),
    ),
    Row(
        "invitation",
        "change",
        "api",
        "POST",
        "/api/v1/invitations/{w.inv_head.pk}/withdraw/",
        E("ok ok ok 403 404 404 403"),
        json=True,
    ),
    Row(
        "invitation",
        "change",
        "api",
        "POST",
        "/api/v1/invitations/",
        # Malaysia's registration: the Secretariat and the chair may; Singapore's head may not.
        E("201 201 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}", "person": "{w.former_chair.person.pk}", "member_state": "{w.my.pk}"},
        json=True,
    ),
    Row("attendance", "list", "api", "GET", "/api/v1/attendance/", E("200 200 200 200 200 200 403")),
    Row(
        "attendance",
        "view",
        "api",
        "GET",
        "/api/v1/attendance/{w.attendance.pk}/",
        E("200 200 200 200 404 404 403"),
    ),
    Row(
        "attendance",
        "change",
        "api",
        "POST",
        "/api/v1/attendance/",
        E("ok ok 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}", "person": "{w.head.person.pk}", "present": True},
        json=True,
    ),
    Row(
        "report",
        "list",
        "api",
        "GET",
        "/api/v1/decisions/",
        E("200 200 200 200 200 200 403"),
        seen={"Decision-ACC": MEMBERS},
    ),
    Row(
        "report", "view", "api", "GET", "/api/v1/decisions/{w.decision.pk}/", E("200 200 200 200 404 404 403")
    ),
    Row(
        "report",
        "change",
        "api",
        "PATCH",
        "/api/v1/decisions/{w.decision.pk}/",
        E("ok ok 403 403 404 404 403"),
        data={"text": "Agreed, as amended"},
        json=True,
    ),
    Row(
        "report",
        "delete",
        "api",
        "DELETE",
        "/api/v1/decisions/{w.decision.pk}/",
        E("ok ok 403 403 404 404 403"),
    ),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/decisions/",
        E("ok ok 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}", "agenda_item": "{w.item.pk}", "kind": "noted", "text": "Noted"},
        json=True,
    ),
    Row(
        "report",
        "list",
        "api",
        "GET",
        "/api/v1/action-items/",
        E("200 200 200 200 200 200 403"),
        seen={"Action-ACC": MEMBERS},
    ),
    Row(
        "report",
        "view",
        "api",
        "GET",
        "/api/v1/action-items/{w.action.pk}/",
        E("200 200 200 200 404 404 403"),
    ),
    Row(
        "report",
        "change",
        "api",
        "PATCH",
        "/api/v1/action-items/{w.action.pk}/",
        E("ok ok 403 ok 404 404 403"),  # the delegate's state (Indonesia) owns it
        data={"status": "in_progress"},
        json=True,
    ),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/action-items/",
        E("ok ok 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}", "title": "Follow up", "owner_state": "{w.sg.pk}"},
        json=True,
    ),
    Row(
        "report",
        "list",
        "api",
        "GET",
        "/api/v1/reports/",
        E("200 200 200 200 200 200 403"),
        seen={"Report-ACC": MEMBERS + " seom", "Report-TFX": "secretariat"},
    ),
    # SEOM reads the report submitted to it.
    Row("report", "view", "api", "GET", "/api/v1/reports/{w.report.pk}/", E("200 200 200 200 404 200 403")),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/reports/generate/",
        E("ok ok 403 403 400 400 403"),
        data={"meeting": "{w.m_acc.pk}"},
        json=True,
    ),
    # The job behind generate: followed by the meeting's managers only, as on the report page.
    Row(
        "report",
        "view",
        "api",
        "GET",
        "/api/v1/report-jobs/{w.report_job.pk}/",
        E("200 200 403 403 404 404 403"),
    ),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/reports/{w.report.pk}/adopt/",
        E("ok ok 403 403 404 403 403"),
        data={"adoption_mode": "at_meeting", "adopted_on": "2090-05-22"},
        json=True,
    ),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/reports/{w.report.pk}/submit/",
        E("ok ok 403 403 404 403 403"),
        data={"submitted_on": "2090-06-02"},
        json=True,
    ),
    Row("report", "list", "api", "GET", "/api/v1/submissions/", E("200 200 200 200 200 200 403")),
    Row(
        "report",
        "view",
        "api",
        "GET",
        "/api/v1/submissions/{w.submission.pk}/",
        E("200 200 200 200 404 200 403"),
    ),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/submissions/{w.submission.pk}/outcome/",
        # SEOM's side: the Secretariat (or SEOM's chair), not ACCMSME's chair nor a SEOM delegate.
        E("ok 403 403 403 404 403 403"),
        data={"status": "noted", "outcome_on": "2090-06-10", "outcome": "Noted"},
        json=True,
    ),
    Row(
        "report",
        "change",
        "api",
        "POST",
        "/api/v1/submissions/{w.submission.pk}/forward/",
        E("ok 403 403 403 404 403 403"),
        data={"submitted_on": "2090-07-01"},
        json=True,
    ),
    # --- Chair terms and handovers -------------------------------------------------------------------
    Row(
        "chair", "view", "page", "GET", "/chairmanship/ACCMSME/timeline/", E("200 200 200 200 200 200 login")
    ),
    Row(
        "chair",
        "list",
        "page",
        "GET",
        "/chairmanship/handovers/",
        E("200 200 200 200 200 200 login"),
        seen={"Malaysia": MEMBERS},
    ),
    Row(
        "chair",
        "view",
        "page",
        "GET",
        "/chairmanship/handovers/{w.handover.pk}/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "chair",
        "view",
        "page",
        "GET",
        "/chairmanship/handovers/{w.next_handover.pk}/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "chair",
        "change",
        "page",
        "POST",
        "/chairmanship/handovers/{w.next_handover.pk}/items/{w.next_item.pk}/",
        E("ok ok 403 403 404 404 login"),
        data={"tick": "1", "is_done": "on"},
    ),
    Row(
        "chair",
        "change",
        "page",
        "POST",
        "/chairmanship/handovers/{w.next_handover.pk}/complete/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "chair",
        "change",
        "page",
        "POST",
        "/chairmanship/handovers/{w.next_handover.pk}/checklist/",
        E("ok ok 403 403 404 404 login"),
        data={"comment_{w.next_item.pk}": "noted"},
    ),
    Row(
        "chair",
        "change",
        "page",
        "GET",
        "/chairmanship/handovers/{w.next_handover.pk}/complete/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "chair",
        "change",
        "page",
        "POST",
        "/chairmanship/handovers/{w.next_handover.pk}/refresh/",
        E("ok ok 403 403 404 404 login"),
    ),
    Row(
        "chair",
        "change",
        "page",
        "POST",
        "/chairmanship/ACCMSME/handovers/plan/",
        E("ok ok 403 403 403 403 login"),
    ),
    Row("chair", "list", "api", "GET", "/api/v1/chair-terms/", E("200 200 200 200 200 200 403")),
    Row("chair", "view", "api", "GET", "/api/v1/chair-terms/{w.term.pk}/", E("200 200 200 200 200 200 403")),
    Row(
        "chair",
        "change",
        "api",
        "PATCH",
        "/api/v1/chair-terms/{w.spare_term.pk}/",
        E("ok 403 403 403 403 403 403"),
        data={"reason": "Recorded"},
        json=True,
    ),
    Row(
        "chair",
        "delete",
        "api",
        "DELETE",
        "/api/v1/chair-terms/{w.spare_term.pk}/",
        E("ok 403 403 403 403 403 403"),
    ),
    Row(
        "chair",
        "list",
        "api",
        "GET",
        "/api/v1/handovers/",
        E("200 200 200 200 200 200 403"),
        seen={"Malaysia": MEMBERS},
    ),
    Row(
        "chair", "view", "api", "GET", "/api/v1/handovers/{w.handover.pk}/", E("200 200 200 200 404 404 403")
    ),
    Row(
        "chair",
        "change",
        "api",
        "POST",
        "/api/v1/handovers/{w.next_handover.pk}/complete/",
        E("ok ok 403 403 404 404 403"),
        json=True,
    ),
    Row(
        "chair",
        "change",
        "api",
        "PATCH",
        "/api/v1/handovers/{w.next_handover.pk}/items/{w.next_item.pk}/",
        E("ok ok 403 403 404 404 403"),
        data={"comment": "Done"},
        json=True,
    ),
    Row(
        "chair",
        "change",
        "api",
        "POST",
        "/api/v1/handovers/",
        E("ok ok 403 403 403 403 403"),
        data={
            "outgoing_term": "{w.term.pk}",
            "incoming_term": "{w.next_term.pk}",
            "effective_date": "3000-01-01",
        },
        json=True,
    ),
    Row("chair", "view", "api", "GET", "/api/v1/rotation/ACCMSME/", E("ok ok ok ok ok ok 403")),
    # --- Feeds ---------------------------------------------------------------------------------------
    Row(
        "feed",
        "feed",
        "page",
        "GET",
        "/calendar/feed/{me.person.feed_token}.ics",
        E("200 200 200 200 200 200 404"),
        # Each person's private feed lists exactly what they may see.
        seen={
            "Mtg-ACC-private": MEMBERS,
            "Mtg-ACC-public": MEMBERS + " observer",
            "Mtg-SEOM": "secretariat seom",
            "Mtg-TFX": "secretariat",
        },
    ),
    Row(
        "feed",
        "feed",
        "page",
        "GET",
        "/calendar/bodies/ACCMSME.ics",
        E("200 200 200 200 200 200 200"),
        seen={"Mtg-ACC-public": ALL + " anonymous", "Mtg-ACC-private": ""},
    ),
    Row("feed", "view", "page", "GET", "/accounts/profile/", E("200 200 200 200 200 200 login")),
    # --- Public pages: the same answer for everyone, logged in or not (tests/portal/test_public_pages.py) --
    Row(
        "public",
        "list",
        "page",
        "GET",
        "/public/",
        E("200 200 200 200 200 200 200"),
        seen={"Mtg-ACC-public": ALL + " anonymous", "Mtg-ACC-private": ""},
    ),
    Row("public", "view", "page", "GET", "/public/bodies/ACCMSME/", E("200 200 200 200 200 200 200")),
    Row("public", "view", "page", "GET", "/public/bodies/TFX/", E("404 404 404 404 404 404 404")),
    Row("public", "view", "page", "GET", "/public/meetings/{w.m_pub.pk}/", E("200 200 200 200 200 200 200")),
    Row("public", "view", "page", "GET", "/public/meetings/{w.m_acc.pk}/", E("404 404 404 404 404 404 404")),
    Row(
        "public",
        "view",
        "page",
        "GET",
        "/public/meetings/{w.m_acc.pk}/agenda/",
        E("404 404 404 404 404 404 404"),
    ),
    Row(
        "public",
        "view",
        "page",
        "GET",
        "/public/decisions/{w.decision.pk}/",
        E("404 404 404 404 404 404 404"),
    ),
    Row(
        "public",
        "download",
        "page",
        "GET",
        "/public/papers/{w.doc_pub_public.pk}/",
        E("200 200 200 200 200 200 200"),
    ),
    Row(
        "public",
        "download",
        "page",
        "GET",
        "/public/papers/{w.doc_public.pk}/",
        E("404 404 404 404 404 404 404"),
    ),
    Row("public", "list", "page", "GET", "/public/sitemap.xml", E("200 200 200 200 200 200 200")),
    Row("public", "list", "page", "GET", "/robots.txt", E("200 200 200 200 200 200 200")),
    # The Secretariat's publish step (docs/decisions/0049)
    Row(
        "public", "view", "page", "GET", "/meetings/{w.m_acc.pk}/public/", E("200 403 403 403 404 404 login")
    ),
    Row(
        "public",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/public/publish/",
        E("ok 403 403 403 404 404 login"),
        data={"confirmed": "yes"},
    ),
    Row(
        "public",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_pub.pk}/public/withdraw/",
        E("ok 403 403 403 403 404 login"),
        data={"confirmed": "yes"},
    ),
    Row(
        "public",
        "change",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/public/decisions/",
        E("ok 403 403 403 404 404 login"),
        data={"public": "{w.decision.pk}"},
    ),
    Row("feed", "change", "page", "POST", "/accounts/profile/feed/rotate/", E("ok ok ok ok ok ok login")),
    # --- Secretariat tools ---------------------------------------------------------------------------
    Row("audit", "list", "page", "GET", "/governance/audit/", E("200 403 403 403 403 403 login")),
    Row(
        "audit",
        "view",
        "page",
        "GET",
        "/governance/audit/meetings.meeting/{w.m_acc.pk}/",
        E("200 404 404 404 404 404 login"),
    ),
    Row("account", "change", "page", "GET", "/accounts/invite/", E("200 403 403 403 403 403 login")),
    Row("outbox", "list", "page", "GET", "/outbox/", E("200 403 403 403 403 403 login")),
    Row(
        "notifications", "view", "page", "GET", "/calendar/notifications/", E("200 200 200 200 200 200 login")
    ),
    Row(
        "notifications",
        "list",
        "page",
        "GET",
        "/calendar/notifications/everyone/",
        E("200 403 403 403 403 403 login"),
    ),
    Row("outbox", "view", "page", "GET", "/outbox/messages/nothing.eml", E("404 403 403 403 403 403 login")),
    Row("outbox", "change", "page", "POST", "/outbox/999999/retry/", E("404 403 403 403 403 403 login")),
    Row("outbox", "change", "page", "POST", "/outbox/retry-failed/", E("ok 403 403 403 403 403 login")),
    Row("outbox", "change", "page", "POST", "/outbox/held/", E("ok 403 403 403 403 403 login")),
    # --- Between meetings: the dated reporting chain, written procedures, the pack, tracing a copy ---
    Row(
        "body",
        "view",
        "api",
        "GET",
        "/api/v1/bodies/ACCMSME/reporting-chain/?on=2026-03-02",
        E("200 200 200 200 200 200 403"),
    ),
    Row("procedure", "list", "page", "GET", "/procedures/", E("200 200 200 200 200 200 login")),
    # Opening one is for those who manage a body: the Secretariat and a chair while the term runs.
    Row("procedure", "change", "page", "GET", "/procedures/new/", E("200 200 403 403 403 403 login")),
    # No procedure in the scene: an id nobody may see is a 404 to all (tests/meetings/test_written_procedure.py
    # covers who sees and answers a real one).
    Row("procedure", "view", "page", "GET", "/procedures/999999/", E("404 404 404 404 404 404 login")),
    Row(
        "procedure",
        "change",
        "page",
        "POST",
        "/procedures/999999/answer/",
        E("404 404 404 404 404 404 login"),
        data={"answer": "concur"},
    ),
    Row("procedure", "list", "api", "GET", "/api/v1/written-procedures/", E("200 200 200 200 200 200 403")),
    Row(
        "procedure",
        "view",
        "api",
        "GET",
        "/api/v1/written-procedures/999999/",
        E("404 404 404 404 404 404 403"),
    ),
    Row(
        "procedure",
        "change",
        "api",
        "POST",
        "/api/v1/written-procedures/999999/answer/",
        E("404 404 404 404 404 404 403"),
        data={"member_state": "PH", "answer": "concur"},
        json=True,
    ),
    # Withdrawing one (the Secretariat or the body's chair): a procedure nobody may see is a 404 to all.
    Row(
        "procedure",
        "change",
        "page",
        "POST",
        "/procedures/999999/withdraw/",
        E("404 404 404 404 404 404 login"),
        data={"reason": "Superseded"},
    ),
    Row(
        "procedure",
        "change",
        "api",
        "POST",
        "/api/v1/written-procedures/999999/withdraw/",
        E("404 404 404 404 404 404 403"),
        data={"reason": "Superseded"},
        json=True,
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/pack.pdf",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/pack/status/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "document",
        "download",
        "page",
        "POST",
        "/meetings/{w.m_acc.pk}/pack/build/",
        E("redirect redirect redirect redirect 404 404 login"),
    ),
    Row("document", "view", "page", "GET", "/documents/downloads/trace/", E("200 404 404 404 404 404 login")),
    # Issue 16: the report's background job, the portal's lists, search and overviews.
    Row(
        "report",
        "view",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/report/job/",
        E("200 200 403 403 404 404 login"),  # the scene's job (w.report_job)
    ),
    Row(
        "report",
        "list",
        "page",
        "GET",
        "/action-items/",
        E("200 200 200 200 200 200 login"),
        seen={"Action-ACC": MEMBERS},
    ),
    Row(
        "report",
        "change",
        "page",
        "POST",
        "/action-items/{w.action.pk}/update/",
        E("ok ok 403 ok 404 404 login"),  # the delegate's state (Indonesia) owns it
        data={"status": "in_progress", "progress_note": "Under way"},
    ),
    Row(
        "meeting",
        "list",
        "page",
        "GET",
        "/search/?q=Mtg",
        E("200 200 200 200 200 200 login"),
        seen=MEETING_MARKERS,
    ),
    Row(
        "invitation",
        "list",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/lists/participants/",
        E("200 200 200 200 404 404 login"),
    ),
    Row(
        "invitation",
        "list",
        "page",
        "GET",
        "/meetings/{w.m_acc.pk}/lists/attendance/?export=csv",
        E("200 200 200 200 404 404 login"),
    ),
    Row("meeting", "list", "page", "GET", "/work-queue/", E("200 403 403 403 403 403 login")),
    Row("chair", "view", "page", "GET", "/chair/", E("200 200 200 200 200 200 login")),
]

# URL names that need no row, and why.
EXEMPT = {
    "healthz": "liveness probe, no data",
    "readyz": "readiness probe: names the part that is down, no data",
    "login": "the login page itself (tests/governance/test_login.py)",
    "logout": "ends one's own session",
    "password_change": "one's own password (Django's view)",
    "password_change_done": "static page",
    "password_reset": "open by design (tests/governance/test_accounts.py)",
    "password_reset_done": "static page",
    "password_reset_confirm": "signed token (tests/governance/test_accounts.py)",
    "password_reset_complete": "static page",
    "account_welcome": "signed invitation token (tests/governance/test_accounts.py)",
    "schema": "the OpenAPI description, no data",
    "api-docs": "Swagger UI assets, no data",
    "api-redoc": "ReDoc assets, no data",
    "meetings:rsvp_link": "signed RSVP token (tests/meetings/calendar/test_rsvp.py)",
    "meetings:itip_webhook": "mail provider's signed post (tests/meetings/calendar/test_inbound_webhook.py)",
    "meetings:itip_webhook_provider": "the same, for Postmark, SendGrid and SES "
    "(tests/meetings/calendar/test_inbound_providers.py)",
}


def answer_of(response) -> str:
    code = response.status_code
    if code in (301, 302):
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "admin"
        if location.startswith("/accounts/login/"):
            return "login"
        return "redirect"
    return str(code)


def matches(expected: str, got: str) -> bool:
    if expected == "ok":
        return got == "redirect" or got.startswith("2") or got in ("400", "409")
    return expected == got


def fill(text: str, roles, me) -> str:
    return text.format(w=roles, me=me)


def fill_data(data: dict, roles, me) -> dict:
    out = {}
    for k, v in data.items():
        if v is PDF_UPLOAD:
            v = pdf_file()
        elif isinstance(v, str):
            v = fill(v, roles, me)
        out[k] = v
    return out


def run_row(row: Row, roles) -> list[str]:
    problems = []
    for role, expected in zip(ROLES, row.expect.split(), strict=True):
        user = roles.users[role]
        me = user if user is not None else _Nobody()
        try:
            url = fill(row.url, roles, me)
        except AttributeError:
            url = "/calendar/feed/no-such-token.ics"  # the anonymous visitor has no feed of their own
        client = Client()
        if user is not None:
            client.force_login(user)
        data = fill_data(row.data, roles, me)
        with transaction.atomic():
            sid = transaction.savepoint()
            kwargs = {}
            if row.json:
                kwargs = {"data": json.dumps(data), "content_type": "application/json"}
            elif data:
                kwargs = {"data": data}
            response = getattr(client, row.method.lower())(url, **kwargs)
            transaction.savepoint_rollback(sid)
        got = answer_of(response)
        if not matches(expected, got):
            problems.append(f"{role}: expected {expected}, got {got} ({response.status_code}) for {url}")
            continue
        if row.seen and response.status_code == 200:
            body = response.content.decode(errors="replace")
            for marker, who in row.seen.items():
                should = role in who.split()
                if (marker in body) is not should:
                    problems.append(f"{role}: {'missing' if should else 'shown'} {marker!r} on {url}")
    return problems


class _Nobody:
    def __getattr__(self, name):
        raise AttributeError(name)


@pytest.fixture(scope="module")
def roles_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole table, built once inside a transaction that is rolled back at the end; each
    row runs in its own savepoint within it (pytest-django's per-test transaction)."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield roles_scene()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def table_roles(roles_once, db):
    """The roles scene the whole table shares, inside this test's transaction."""
    return roles_once


class KnownGap(AssertionError):
    """The row departs from the issue exactly where its ``gap`` says."""


def _param(row: Row):
    marks = [pytest.mark.xfail(reason=row.gap, strict=True, raises=KnownGap)] if row.gap else []
    return pytest.param(row, id=row.id, marks=marks)


@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_matrix(table_roles, row: Row):
    problems = run_row(row, table_roles)
    if row.gap and problems and {p.split(":")[0] for p in problems} <= set(row.gap_roles.split()):
        raise KnownGap("\n".join(problems))
    assert not problems, "\n".join(problems)


def _named_urls() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace: str = "") -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                if ns.startswith("admin:"):
                    continue  # the admin is one staff-only area, checked by its rows
                walk(p.url_patterns, ns)
            elif p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_endpoint_is_in_the_table():
    covered = set()
    for row in ROWS:
        url = row.url.split("?")[0]
        url = url.replace("{me.person.feed_token}", "token")
        url = "".join(part if not part.startswith("{") else "1" for part in _split_fields(url))
        try:
            match = resolve(url)
        except Resolver404:
            pytest.fail(f"row {row.id} matches no URL")
        covered.add(match.view_name)
    missing = sorted(_named_urls() - covered - set(EXEMPT))
    # DRF registers list and detail names per viewset, and format-suffix variants of the same names.
    assert not missing, "endpoints with no row in the permission table: " + ", ".join(missing)


def _split_fields(text: str) -> list[str]:
    parts, buf, depth = [], "", 0
    for ch in text:
        if ch == "{":
            if buf:
                parts.append(buf)
            buf, depth = "{", 1
            continue
        if ch == "}" and depth:
            parts.append(buf + "}")
            buf, depth = "", 0
            continue
        buf += ch
    if buf:
        parts.append(buf)
    return parts


def test_the_table_covers_every_role_and_kind():
    kinds = {r.kind for r in ROWS}
    assert {"body", "meeting", "agenda", "document", "invitation", "report", "chair", "feed"} <= kinds
    actions = {r.action for r in ROWS}
    assert {"list", "view", "change", "delete", "download", "feed"} <= actions
    assert {r.via for r in ROWS} == {"page", "api"}
