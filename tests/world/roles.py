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
import secrets
from types import SimpleNamespace

from django.utils import timezone

from chairmanship.models import ChairTerm, Handover, HandoverItem
from governance.models import Organisation, ReportingLine, StrategicPlan
from governance.rights import sync_all_rights
from meetings.models import (
    ActionItem,
    AgendaItem,
    AgendaVersion,
    Attendance,
    Decision,
    Meeting,
    Report,
    ReportJob,
    Submission,
)
from meetings.services import agenda_snapshot
from tests.world.documents import document_row
from tests.world.meetings import invite, meeting_row
from tests.world.people import SINCE, body_make, seat, state, user_make

ROLES = ("secretariat", "chair", "head", "delegate", "observer", "seom", "anonymous")
FOREVER = dt.date(2999, 12, 31)


def roles_scene() -> SimpleNamespace:
    w = SimpleNamespace()
    w.ph, w.sg, w.id, w.th, w.my = (state(iso2) for iso2 in ("PH", "SG", "ID", "TH", "MY"))
    w.meti = Organisation.objects.create(name="Japan METI", acronym="METI", kind="dialogue_partner")
    w.asec = Organisation.objects.create(name="ASEAN Secretariat", acronym="ASEC", kind="secretariat")

    w.accmsme = body_make("ACCMSME")
    w.seom_body = body_make("SEOM", kind="senior_officials", chair_policy="follows_asean_chair")
    w.aem = body_make("AEM", kind="ministerial", chair_policy="follows_asean_chair")
    w.tfx = body_make("TFX", kind="task_force", chair_policy="designated")
    w.spare = body_make("SPARE", kind="task_force", chair_policy="designated")  # nothing on it: deletable
    w.line = ReportingLine(from_body=w.accmsme, to_body=w.seom_body)
    w.line.save()
    w.plan = StrategicPlan.objects.create(
        name="SAP SMED", short_name="SAP", period_start=2016, period_end=2025
    )
    ReportingLine(from_body=w.seom_body, to_body=w.aem).save()
    ReportingLine(from_body=w.tfx, to_body=w.accmsme, kind="advises").save()

    w.secretariat = user_make("secretariat", organisation=w.asec, secretariat=True, staff=True)
    w.chair = user_make("chair", state=w.ph)
    w.head = user_make("head", state=w.sg)
    w.delegate = user_make("delegate", state=w.id)
    w.observer = user_make("observer", organisation=w.meti)
    w.seom = user_make("seom", state=w.th)
    w.former_chair = user_make("former_chair", state=w.my)
    w.guest = user_make("guest", organisation=w.meti)
    w.anonymous = None

    seat(w.chair.person, w.accmsme, w.ph, "head")
    seat(w.head.person, w.accmsme, w.sg, "head")
    w.seat_delegate = seat(w.delegate.person, w.accmsme, w.id, "delegate")
    seat(w.observer.person, w.accmsme, None, "observer", organisation=w.meti)
    seat(w.seom.person, w.seom_body, w.th, "delegate")
    seat(w.former_chair.person, w.accmsme, w.my, "head")

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
        # Planned, at sequence 0, as a new meeting is.
        return meeting_row(
            body, start=start, end=end, title=title, is_public=public, status="planned", sequence=0, venue=""
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

    w.doc_public = document_row(w.m_acc, w.accmsme, "Doc-ACC-public", 0)
    w.doc_restricted = document_row(w.m_acc, w.accmsme, "Doc-ACC-restricted", 1)
    w.doc_confidential = document_row(w.m_acc, w.accmsme, "Doc-ACC-confidential", 2)
    w.doc_pub_public = document_row(w.m_pub, w.accmsme, "Doc-PUB-public", 0)
    w.doc_pub_restricted = document_row(w.m_pub, w.accmsme, "Doc-PUB-restricted", 1)
    w.doc_other = document_row(w.m_other, w.tfx, "Doc-TFX-public", 0)

    # Each for their own state; the guest for none.
    w.inv_chair, w.inv_head, w.inv_delegate, w.inv_guest = invite(
        w.m_acc, [u.person for u in (w.chair, w.head, w.delegate, w.guest)]
    )
    [w.inv_seom] = invite(w.m_seom, [w.seom.person])

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
    w.report_job = ReportJob.objects.create(meeting=w.m_acc, status="done", progress=100, report=w.report)

    for role in ROLES[:-1]:
        person = getattr(w, role).person
        person.feed_token = f"feed-{role}-" + secrets.token_urlsafe(24)
        person.save()

    sync_all_rights()
    w.users = {role: getattr(w, role) for role in ROLES}
    return w
