"""The meetings scene (the `world` fixture) and its builders: ACCMSME with a chair term, a Secretariat
officer, the chair state's head of delegation, and the delegation of the Philippines; meetings made through
the services; papers. Every date is fixed; nothing depends on today."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from chairmanship.models import ChairTerm
from governance.models import Body, Membership, MemberState, Person
from governance.rights import sync_user_rights
from meetings import services
from meetings.models import Meeting, MeetingSeries

DAY = dt.date(2026, 3, 2)
SINCE = dt.date(2020, 1, 1)


def state(iso2: str) -> MemberState:
    return MemberState.objects.get(iso2=iso2)


def seat(
    person: Person, body: Body, iso2: str, role: str = Membership.Role.DELEGATE, start=SINCE
) -> Membership:
    return Membership.objects.create(
        person=person, body=body, member_state=state(iso2), role=role, start_date=start
    )


@dataclass
class World:
    body: Body
    series: MeetingSeries
    sec: object
    chair: object  # head of delegation of Viet Nam, the chair state in 2026
    head_ph: object
    delegate_ph: object
    outsider: object


def make_meeting(
    w: World,
    *,
    number: int = 21,
    start: dt.datetime = dt.datetime(2026, 5, 13, 9, 0),
    end: dt.datetime = dt.datetime(2026, 5, 14, 17, 0),
    host: str = "VN",
    confirm: bool = False,
) -> Meeting:
    m = services.meeting_create(
        body=w.body, series=w.series, number=number, start=start, end=end, host=state(host)
    )
    if confirm:
        m = services.meeting_confirm(meeting=m)
    return m


def pdf_bytes(text: str = "paper") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def pdf_file(name: str = "paper.pdf", text: str = "paper") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def docx_file(name: str = "paper.docx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buf.getvalue())


def media_files(root) -> list[str]:
    import os

    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def meetings_scene(make_user) -> World:
    """Needs the seeded ASEAN data (the `seeded` fixture)."""
    body = Body.objects.get(acronym="ACCMSME")
    ChairTerm.objects.create(
        body=body,
        member_state=state("VN"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        reason="Test chair term",
    )
    sec = make_user("sec", secretariat=True)
    chair = make_user("chair-vn", state=state("VN"))
    seat(chair.person, body, "VN", Membership.Role.HEAD_OF_DELEGATION)
    head_ph = make_user("head-ph", state=state("PH"))
    seat(head_ph.person, body, "PH", Membership.Role.HEAD_OF_DELEGATION)
    delegate_ph = make_user("delegate-ph", state=state("PH"))
    seat(delegate_ph.person, body, "PH")
    outsider = make_user("outsider", state=state("SG"))
    for u in (chair, head_ph, delegate_ph, outsider):
        sync_user_rights(u, on=DAY)
    return World(
        body=body,
        series=MeetingSeries.objects.get(name="ACCMSME Meeting"),
        sec=sec,
        chair=chair,
        head_ph=head_ph,
        delegate_ph=delegate_ph,
        outsider=outsider,
    )
