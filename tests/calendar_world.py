"""A small world for the calendar, notification and time tests, on fixed clocks (never today's date).

The committee meets in Jakarta (UTC+7); delegates read from Manila (UTC+8), Yangon (UTC+6:30), Bangkok
(UTC+7, same clock as Jakarta), Brussels and New York (with daylight saving). The record side's changes
(confirm, move, postpone, withdraw) are applied directly here, with the hook the record side calls after
commit, so each test controls ``now``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from contextlib import nullcontext
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from freezegun import freeze_time

UTC = dt.UTC
JKT = ZoneInfo("Asia/Jakarta")
# "Now" for most tests: Monday 2 March 2026, 08:00 in Jakarta.
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=JKT)

STATES = {
    # iso2: (name, iso3, capital, tz, label)
    "ID": ("Indonesia", "IDN", "Jakarta", "Asia/Jakarta", "Jakarta time"),
    "PH": ("Philippines", "PHL", "Manila", "Asia/Manila", "Manila time"),
    "MM": ("Myanmar", "MMR", "Nay Pyi Taw", "Asia/Yangon", "Nay Pyi Taw time"),
    "TH": ("Thailand", "THA", "Bangkok", "Asia/Bangkok", "Bangkok time"),
    "MY": ("Malaysia", "MYS", "Kuala Lumpur", "Asia/Kuala_Lumpur", "Kuala Lumpur time"),
    "VN": ("Viet Nam", "VNM", "Hanoi", "Asia/Ho_Chi_Minh", "Hanoi time"),
}


def clock(now: dt.datetime | None):
    """The clock frozen at ``now``; the real one with ``None`` (a real worker cannot see a frozen clock)."""
    return freeze_time(now) if now is not None else nullcontext()


def at(y, m, d, hh=9, mm=0, tz: str | ZoneInfo = JKT) -> dt.datetime:
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime(y, m, d, hh, mm, tzinfo=zone)


def make_states() -> dict:
    from governance.models import MemberState

    out = {}
    for iso2, (name, iso3, capital, tz, label) in STATES.items():
        out[iso2], _ = MemberState.objects.get_or_create(
            iso2=iso2,
            defaults=dict(
                short_name=name,
                official_name=name,
                iso3=iso3,
                capital=capital,
                timezone=tz,
                zone_label=label,
                admitted_on=dt.date(1967, 8, 8),
            ),
        )
    return out


def make_body(acronym: str = "ACCMSME", **fields):
    from governance.models import Body

    defaults = dict(
        name=f"{acronym} (test)",
        kind=Body.Kind.SECTORAL_COMMITTEE,
        chair_policy=Body.ChairPolicy.OWN_ROTATION,
        reminder_days=[30, 7, 1],
        chaser_days=[14, 5],
        agenda_lead_days=14,
    )
    defaults.update(fields)
    body, _ = Body.objects.get_or_create(acronym=acronym, defaults=defaults)
    return body


def make_person(
    username: str,
    *,
    state=None,
    tz: str = "",
    body=None,
    role: str = "delegate",
    email=None,
    password: str | None = None,
):
    """A user with a Person (and a membership on ``body`` so they may see its meetings). Without a
    password the account logs in only through ``force_login`` (no slow hashing in every test)."""
    from governance.models import Membership, Person
    from governance.rights import sync_user_rights

    user = get_user_model().objects.create_user(username=username, email=email or f"{username}@example.org")
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person = Person.objects.create(
        user=user,
        full_name=username.replace("-", " ").title(),
        email=user.email,
        member_state=state,
        timezone=tz,
    )
    if body is not None and state is not None:
        Membership.objects.create(
            person=person, body=body, member_state=state, role=role, start_date=dt.date(2000, 1, 1)
        )
        sync_user_rights(user, on=dt.date(2026, 3, 2))
    return person


def make_meeting(body, *, host, start: dt.datetime, end: dt.datetime, tz: str = "Asia/Jakarta", **fields):
    from meetings.models import Meeting

    defaults = dict(
        title="21st ACCMSME Meeting",
        city=host.capital if host else "",
        venue="ASEAN Secretariat",
        status=Meeting.Status.CONFIRMED,
        sequence=1,
    )
    defaults.update(fields)
    return Meeting.objects.create(body=body, host=host, start=start, end=end, timezone=tz, **defaults)


def invite(meeting, people) -> list:
    from meetings.models import Invitation
    from meetings.rights import sync_meeting_rights

    invitations = [
        Invitation.objects.create(meeting=meeting, person=p, member_state=p.member_state) for p in people
    ]
    sync_meeting_rights(meeting, person_ids=[p.pk for p in people])  # as the invitation services do
    return invitations


def world(*, n_extra: int = 0, start: dt.datetime | None = None) -> SimpleNamespace:
    """Jakarta meeting on Mon 4 May 2026 (or on ``start``), 09:00–17:00, confirmed, with delegates in
    several zones."""
    states = make_states()
    body = make_body()
    people = SimpleNamespace(
        jakarta=make_person("ana-jakarta", state=states["ID"], body=body),
        manila=make_person("ben-manila", state=states["PH"], body=body),
        yangon=make_person("cho-yangon", state=states["MM"], body=body),
        bangkok=make_person("dao-bangkok", state=states["TH"], body=body),
        brussels=make_person("eva-brussels", state=states["MY"], tz="Europe/Brussels", body=body),
    )
    extra = [make_person(f"extra-{i}", state=states["VN"], body=body) for i in range(n_extra)]
    start = start or at(2026, 5, 4, 9)
    meeting = make_meeting(body, host=states["ID"], start=start, end=start + dt.timedelta(hours=8))
    everyone = [people.jakarta, people.manila, people.yangon, people.bangkok, people.brussels, *extra]
    invite(meeting, everyone)
    return SimpleNamespace(states=states, body=body, people=people, meeting=meeting, everyone=everyone)


# --- Record-side changes, as services.py makes them, with the hook it calls after commit ----------------


def confirm(meeting, *, now=NOW):
    from meetings.calendar.tasks import meeting_version_plan
    from meetings.models import Meeting

    meeting.status = Meeting.Status.CONFIRMED
    meeting.sequence += 1
    meeting.save()
    with clock(now):
        meeting_version_plan(meeting_id=meeting.pk)


def move(meeting, start, end, *, now=NOW):
    from meetings.calendar.tasks import meeting_version_plan

    meeting.start, meeting.end = start, end
    meeting.sequence += 1
    meeting.save()
    with clock(now):
        meeting_version_plan(meeting_id=meeting.pk)


def postpone(meeting, *, now=NOW):
    from meetings.calendar.tasks import meeting_version_plan
    from meetings.models import Meeting

    meeting.status = Meeting.Status.POSTPONED
    meeting.sequence += 1
    meeting.save()
    with clock(now):
        meeting_version_plan(meeting_id=meeting.pk)


def redate(meeting, start, end, *, now=NOW):
    """A postponed meeting gets its new date (services.meeting_postpone with a date)."""
    from meetings.calendar.tasks import meeting_version_plan
    from meetings.models import Meeting

    meeting.start, meeting.end = start, end
    meeting.status = Meeting.Status.CONFIRMED
    meeting.sequence += 1
    meeting.save()
    with clock(now):
        meeting_version_plan(meeting_id=meeting.pk)


def cancel(meeting, *, now=NOW):
    from meetings.calendar.tasks import meeting_version_plan
    from meetings.models import Meeting

    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save()
    with clock(now):
        meeting_version_plan(meeting_id=meeting.pk)


def withdraw(invitation, *, now=NOW):
    from meetings.calendar import changes

    invitation.is_withdrawn = True
    invitation.link_version += 1
    invitation.save()
    with clock(now):
        changes.invitation_withdrawal_plan(invitation_id=invitation.pk)


# --- Sending in-process and reading what went out ------------------------------------------------------


def deliver(now) -> list:
    """What the sweep and a worker would send at ``now``; returns the messages sent (locmem backend)."""
    from django.core import mail

    from outbox.handout import due_ids
    from outbox.sending import send_batch

    before = len(mail.outbox)
    send_batch(due_ids(now=now, limit=100000), now=now)
    return mail.outbox[before:]


def mime(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_part(message):
    """(content-type params, text) of the text/calendar alternative."""
    for part in mime(message).walk():
        if part.get_content_type() == "text/calendar":
            return dict(part.get_params()), part.get_content()
    return None, None


def text_part(message) -> str:
    for part in mime(message).walk():
        if part.get_content_type() == "text/plain" and not part.get_filename():
            return part.get_content()
    return ""


def ics_attachment(message) -> bytes | None:
    for part in mime(message).walk():
        if part.get_filename() and part.get_filename().endswith(".ics"):
            return part.get_payload(decode=True)
    return None


def outgoing(rows) -> list[tuple[str, str]]:
    """(kind, recipient) pairs, sorted, for "exactly which notifications go out" assertions."""
    return sorted((r.kind, r.recipient) for r in rows)


# --- Browser tests ---------------------------------------------------------------------------------------


def upcoming_day(days: int = 30) -> dt.date:
    """A day ahead of the real clock, for pages that list what is upcoming (browser tests run on the real
    clock; their assertions use only the times of day, which no date changes for zones without DST)."""
    from django.utils import timezone

    return (timezone.now() + dt.timedelta(days=days)).astimezone(JKT).date()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
