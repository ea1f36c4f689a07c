"""A small world with one user per role and one object of every kind, for the permission tests.

Dates are far from any real "today" (memberships from 2000 with no end, the running chair term to 2999,
the former chair's term in the 1990s), so rights derived with the real date are the same whenever the
tests run; rules that depend on the day are tested with an explicit ``on``/``now`` elsewhere.

Roles (ROLES order is the column order of the matrix):
  secretariat  Secretariat group, staff
  chair        head of delegation of the Philippines on ACCMSME, which holds the running ACCMSME chair term
  head         head of delegation of Singapore on ACCMSME
  delegate     delegate of Indonesia on ACCMSME
  observer     a dialogue partner (Japan METI) observing ACCMSME
  seom         delegate of Thailand on SEOM (ACCMSME reports to SEOM)
  anonymous    nobody logged in
Extra people: ``former_chair`` (head of Malaysia on ACCMSME, whose chair term ended at the handover to the
Philippines) and ``guest`` (a METI officer invited to the private ACCMSME meeting alone).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

ROLES = ("secretariat", "chair", "head", "delegate", "observer", "seom", "anonymous")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FOREVER = dt.date(2999, 12, 31)
SINCE = dt.date(2000, 1, 1)


def _state(iso2: str, iso3: str, name: str, capital: str, tz: str):
    from governance.models import MemberState

    return MemberState.objects.create(
        short_name=name,
        official_name=name,
        iso2=iso2,
        iso3=iso3,
        capital=capital,
        timezone=tz,
        admitted_on=dt.date(1967, 8, 8),
    )


def _user(username: str, **person):
    from governance.models import Person

    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org")
    user.set_unusable_password()  # tests log in with force_login: no slow hashing
    user.save()
    Person.objects.create(user=user, full_name=username.replace("_", " ").title(), email=user.email, **person)
    return user


def _document(meeting, body, title: str, classification: int, kind: str = "working_paper"):
    from meetings.models import Document

    doc = Document(
        body=body,
        meeting=meeting,
        title=title,
        kind=kind,
        classification=classification,
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    doc.file.save(f"{title}.pdf", ContentFile(PDF), save=False)
    doc.save()
    return doc


def build_world() -> SimpleNamespace:
    from chairmanship.models import ChairTerm, Handover, HandoverItem
    from governance.models import Body, Membership, Organisation, ReportingLine, StrategicPlan
    from governance.permissions import ensure_secretariat_group
    from governance.rights import sync_all_rights
    from meetings.models import (
        ActionItem,
        AgendaItem,
        AgendaVersion,
        Attendance,
        Decision,
        Invitation,
        Meeting,
        Report,
        Submission,
    )
    from meetings.rights import sync_meeting_rights
    from meetings.services import agenda_snapshot

    w = SimpleNamespace()
    w.ph = _state("PH", "PHL", "Philippines", "Manila", "Asia/Manila")
    w.sg = _state("SG", "SGP", "Singapore", "Singapore", "Asia/Singapore")
    w.id = _state("ID", "IDN", "Indonesia", "Jakarta", "Asia/Jakarta")
    w.th = _state("TH", "THA", "Thailand", "Bangkok", "Asia/Bangkok")
    w.my = _state("MY", "MYS", "Malaysia", "Kuala Lumpur", "Asia/Kuala_Lumpur")
    w.meti = Organisation.objects.create(name="Japan METI", acronym="METI", kind="dialogue_partner")
    w.asec = Organisation.objects.create(name="ASEAN Secretariat", acronym="ASEC", kind="secretariat")

    def body(acronym: str, kind: str, policy: str) -> Body:
        return Body.objects.create(name=f"{acronym} body", acronym=acronym, kind=kind, chair_policy=policy)

    w.accmsme = body("ACCMSME", "sectoral_committee", "own_rotation")
    w.seom_body = body("SEOM", "senior_officials", "follows_asean_chair")
    w.aem = body("AEM", "ministerial", "follows_asean_chair")
    w.tfx = body("TFX", "task_force", "designated")
    w.spare = body("SPARE", "task_force", "designated")  # nothing hangs on it: safe to delete
    w.line = ReportingLine(from_body=w.accmsme, to_body=w.seom_body)
    w.line.save()
    w.plan = StrategicPlan.objects.create(
        name="SAP SMED", short_name="SAP", period_start=2016, period_end=2025
    )
    ReportingLine(from_body=w.seom_body, to_body=w.aem).save()
    ReportingLine(from_body=w.tfx, to_body=w.accmsme, kind="advises").save()

    w.secretariat = _user("secretariat", organisation=w.asec)
    w.secretariat.groups.add(ensure_secretariat_group())
    w.secretariat.is_staff = True
    w.secretariat.save()
    w.chair = _user("chair", member_state=w.ph)
    w.head = _user("head", member_state=w.sg)
    w.delegate = _user("delegate", member_state=w.id)
    w.observer = _user("observer", organisation=w.meti)
    w.seom = _user("seom", member_state=w.th)
    w.former_chair = _user("former_chair", member_state=w.my)
    w.guest = _user("guest", organisation=w.meti)
    w.anonymous = None

    def seat(user, body, role, state=None, org=None):
        return Membership.objects.create(
            person=user.person, body=body, role=role, member_state=state, organisation=org, start_date=SINCE
        )

    seat(w.chair, w.accmsme, "head", state=w.ph)
    seat(w.head, w.accmsme, "head", state=w.sg)
    w.seat_delegate = seat(w.delegate, w.accmsme, "delegate", state=w.id)
    seat(w.observer, w.accmsme, "observer", org=w.meti)
    seat(w.seom, w.seom_body, "delegate", state=w.th)
    seat(w.former_chair, w.accmsme, "head", state=w.my)

    w.old_term = ChairTerm.objects.create(
        body=w.accmsme, member_state=w.my, start_date=dt.date(1990, 1, 1), end_date=dt.date(1999, 12, 31)
    )
    w.term = ChairTerm.objects.create(body=w.accmsme, member_state=w.ph, start_date=SINCE, end_date=FOREVER)
    w.handover = Handover.objects.create(
        body=w.accmsme,
        outgoing_term=w.old_term,
        incoming_term=w.term,
        effective_date=SINCE,
        status="completed",
        completed_at=timezone.make_aware(dt.datetime(2000, 1, 1, 9, 0)),
    )

    # Far ahead, so "upcoming" and "open for answers" hold whenever the tests run.
    # The next chair (Singapore) from the year 3000, with a planned handover from the Philippines.
    w.next_term = ChairTerm.objects.create(
        body=w.accmsme, member_state=w.sg, start_date=dt.date(3000, 1, 1), end_date=dt.date(3000, 12, 31)
    )
    w.next_handover = Handover.objects.create(
        body=w.accmsme, outgoing_term=w.term, incoming_term=w.next_term, effective_date=dt.date(3000, 1, 1)
    )
    w.next_item = HandoverItem.objects.create(
        handover=w.next_handover, kind="other", label="Pass the files on"
    )
    w.spare_term = ChairTerm.objects.create(
        body=w.spare, member_state=w.th, role="vice_chair", start_date=SINCE, end_date=SINCE
    )

    start = timezone.make_aware(dt.datetime(2090, 5, 20, 9, 0))
    end = start + dt.timedelta(days=2)

    def meeting(body, title: str, public: bool) -> Meeting:
        return Meeting.objects.create(
            body=body, title=title, start=start, end=end, timezone="Asia/Jakarta", is_public=public
        )

    # Titles are unique markers the list checks look for in pages and API answers.
    w.m_acc = meeting(w.accmsme, "Mtg-ACC-private", public=False)
    w.m_pub = meeting(w.accmsme, "Mtg-ACC-public", public=True)
    w.m_seom = meeting(w.seom_body, "Mtg-SEOM", public=False)
    w.m_other = meeting(w.tfx, "Mtg-TFX", public=False)
    w.item = AgendaItem.objects.create(meeting=w.m_acc, title="Item-ACC-private", position=1)
    w.item_pub = AgendaItem.objects.create(meeting=w.m_pub, title="Item-ACC-public", position=1)
    w.item_other = AgendaItem.objects.create(meeting=w.m_other, title="Item-TFX", position=1)

    w.agenda_v1 = AgendaVersion.objects.create(
        meeting=w.m_acc, number=1, items=agenda_snapshot(meeting=w.m_acc), created_by=w.secretariat
    )

    w.doc_public = _document(w.m_acc, w.accmsme, "Doc-ACC-public", 0)
    w.doc_restricted = _document(w.m_acc, w.accmsme, "Doc-ACC-restricted", 1)
    w.doc_confidential = _document(w.m_acc, w.accmsme, "Doc-ACC-confidential", 2)
    w.doc_pub_public = _document(w.m_pub, w.accmsme, "Doc-PUB-public", 0)
    w.doc_pub_restricted = _document(w.m_pub, w.accmsme, "Doc-PUB-restricted", 1)
    w.doc_other = _document(w.m_other, w.tfx, "Doc-TFX-public", 0)

    def invite(user, meeting, state=None):
        invitation = Invitation.objects.create(meeting=meeting, person=user.person, member_state=state)
        sync_meeting_rights(meeting, person_ids=[user.person.pk])  # as the invitation services do
        return invitation

    w.inv_chair = invite(w.chair, w.m_acc, w.ph)
    w.inv_head = invite(w.head, w.m_acc, w.sg)
    w.inv_delegate = invite(w.delegate, w.m_acc, w.id)
    w.inv_guest = invite(w.guest, w.m_acc)
    w.inv_seom = invite(w.seom, w.m_seom, w.th)

    w.decision = Decision.objects.create(
        meeting=w.m_acc, agenda_item=w.item, kind="agreed", text="Decision-ACC"
    )
    w.action = ActionItem.objects.create(
        body=w.accmsme, meeting=w.m_acc, title="Action-ACC", owner_state=w.id
    )
    w.attendance = Attendance.objects.create(meeting=w.m_acc, person=w.delegate.person, member_state=w.id)

    w.report = Report.objects.create(
        meeting=w.m_acc,
        title="Report-ACC",
        status="adopted",
        adoption_mode="at_meeting",
        adopted_on=dt.date(2090, 5, 22),
        html="<p>Report of the meeting</p>",
    )
    w.submission = Submission.objects.create(
        report=w.report, from_body=w.accmsme, to_body=w.seom_body, submitted_on=dt.date(2090, 6, 1)
    )
    w.report_other = Report.objects.create(meeting=w.m_other, title="Report-TFX")

    for role in ROLES[:-1]:
        person = getattr(w, role).person
        person.feed_token = f"feed-{role}-" + secrets.token_urlsafe(24)
        person.save()

    sync_all_rights()
    w.users = {role: getattr(w, role) for role in ROLES}
    return w
