"""The report reads as an ASEAN report: one sentence per decision kind, never "The meeting agreed The
Meeting adopted the agenda." Checked on generated reports, not only on the sentence function."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from freezegun import freeze_time

from governance.models import Body, ReportingLine
from meetings import reports, services
from meetings.models import Decision
from tests.world.documents import pdf_bytes
from tests.world.meetings import meeting_schedule

NOW = dt.datetime(2026, 5, 14, 9, tzinfo=dt.UTC)
K = Decision.Kind


def sentence(kind: str, text: str, **kw) -> str:
    return reports.decision_sentence(Decision(kind=kind, text=text), **kw)


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        (K.AGREED, "The Meeting adopted the agenda.", "The Meeting adopted the agenda."),
        (K.AGREED, "the meeting adopted the agenda", "The Meeting adopted the agenda."),
        (
            K.AGREED,
            "to convene the 22nd ACCMSME Meeting in Manila.",
            "The Meeting agreed to convene the 22nd ACCMSME Meeting in Manila.",
        ),
        (K.AGREED, "that the work plan be revised.", "The Meeting agreed that the work plan be revised."),
        (
            K.AGREED,
            "Convene a workshop on digitalisation",
            "The Meeting agreed to convene a workshop on digitalisation.",
        ),
        (K.AGREED, "the revised terms of reference", "The Meeting agreed on the revised terms of reference."),
        (
            K.NOTED,
            "The progress of the SME Policy Index.",
            "The Meeting noted the progress of the SME Policy Index.",
        ),
        (K.NOTED, "ASEAN SME Academy usage figures", "The Meeting noted ASEAN SME Academy usage figures."),
        (
            K.ENDORSED,
            "the MSME digitalisation roadmap.",
            "The Meeting endorsed the MSME digitalisation roadmap.",
        ),
        (
            K.TASKED,
            "the Secretariat to circulate the draft by June.",
            "The Meeting tasked the Secretariat to circulate the draft by June.",
        ),
        (K.TASKED, "Viet Nam to host the workshop", "The Meeting tasked Viet Nam to host the workshop."),
        (
            K.DEFERRED,
            "consideration of the green MSME guidelines to its next meeting",
            "The Meeting agreed to defer consideration of the green MSME guidelines to its next meeting.",
        ),
        (
            K.REFERRED,
            "the proposal on cross-border e-payments",
            "The Meeting agreed to refer the proposal on cross-border e-payments to SEOM for its consideration.",
        ),
    ],
)
def test_each_decision_kind_reads_as_an_asean_sentence(kind, text, expected):
    got = sentence(kind, text, higher="SEOM", proper=["Viet Nam", "ASEAN"])
    assert got == expected
    assert not re.search(r"The [Mm]eeting \w+ The Meeting", got)


@pytest.fixture
def fake_pdf(monkeypatch):
    monkeypatch.setattr(reports, "report_pdf", lambda *, html: pdf_bytes(html[:40]))


@pytest.mark.django_db
def test_the_generated_report_words_every_kind_and_says_each_once(world, media, fake_pdf):
    body = world.body
    seom = Body.objects.get(acronym="SEOM")
    assert ReportingLine.objects.filter(from_body=body, to_body=seom).exists()
    m = meeting_schedule(world, confirm=True)
    services.agenda_default_create(meeting=m)
    item = services.agenda_item_add(meeting=m, title="MSME digitalisation roadmap")
    texts = {
        K.AGREED: "The Meeting adopted the agenda.",
        K.NOTED: "the update on the ASEAN SME Academy.",
        K.ENDORSED: "the MSME digitalisation roadmap.",
        K.TASKED: "the Secretariat to circulate the roadmap to Member States.",
        K.DEFERRED: "the discussion on green MSMEs to its next meeting",
        K.REFERRED: "the proposal on cross-border e-payments",
    }
    for kind, text in texts.items():
        services.decision_record(meeting=m, agenda_item=item, kind=kind, text=text)
    with freeze_time(NOW):
        report = services.report_generate(meeting=m)
    html = report.html
    for expected in (
        "The Meeting adopted the agenda.",
        "The Meeting noted the update on the ASEAN SME Academy.",
        "The Meeting endorsed the MSME digitalisation roadmap.",
        "The Meeting tasked the Secretariat to circulate the roadmap to Member States.",
        "The Meeting agreed to defer the discussion on green MSMEs to its next meeting.",
        "The Meeting agreed to refer the proposal on cross-border e-payments to SEOM for its consideration.",
    ):
        assert html.count(expected) == 1, expected
    assert "The meeting agreed The Meeting" not in html and "The Meeting agreed The Meeting" not in html
    assert not re.search(r"The [Mm]eeting (agreed|noted|endorsed|tasked)\s*</strong>", html)
