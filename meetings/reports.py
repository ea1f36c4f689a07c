"""The Report of the Meeting as HTML (from a template) and as PDF (WeasyPrint), and how a decision reads in
it: one sentence per decision kind, as ASEAN reports word them ("The Meeting noted …", "The Meeting agreed
to refer … to SEOM for its consideration.")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection

from django.template.loader import render_to_string

from meetings.models import Decision, Meeting
from meetings.selectors.reports import report_context

Kind = Decision.Kind

# How each kind of decision opens. ``{clause}`` is the recorded text as a clause ("the roadmap",
# "to publish the roadmap"); ``{higher}`` the body the meeting reports to.
KIND_SENTENCE: dict[str, str] = {
    Kind.AGREED: "The Meeting agreed {clause}",
    Kind.NOTED: "The Meeting noted {clause}",
    Kind.ENDORSED: "The Meeting endorsed {clause}",
    Kind.TASKED: "The Meeting tasked {clause}",
    Kind.DEFERRED: "The Meeting agreed to defer {clause}",
    Kind.REFERRED: "The Meeting agreed to refer {clause} to {higher} for its consideration",
}
# Words after which "agreed" needs nothing more ("agreed that …", "agreed to …", "agreed on …").
_AGREED_JOINS = ("to ", "that ", "on ", "with ", "in principle", "upon ", "ad referendum")
_ALREADY_A_SENTENCE = re.compile(r"^\s*the\s+meeting\b", re.IGNORECASE)


def _as_clause(text: str, proper: Collection[str]) -> str:
    """The recorded text as the middle of a sentence: its first word lower-cased unless it is a name
    (a member state, a body, an acronym), its closing full stop dropped."""
    text = text.strip().rstrip(".").strip()
    first = text.split(" ", 1)[0]
    is_name = (
        any(text.startswith(p) for p in proper)
        or (len(first) > 1 and not first[1:].islower())  # ASEAN, SEOM, MSMEs
        or not first.isalpha()
    )
    if first and first[0].isupper() and not is_name:
        text = first[0].lower() + text[1:]
    return text


def decision_sentence(
    decision: Decision, *, higher: str = "the higher body", proper: Collection[str] = ()
) -> str:
    """One decision as the report says it. Text already written as a sentence of the Meeting ("The Meeting
    adopted the agenda.") is kept as written, never prefixed a second time."""
    text = (decision.text or "").strip()
    if _ALREADY_A_SENTENCE.match(text):
        sentence = re.sub(r"^\s*the\s+meeting\b", "The Meeting", text, count=1, flags=re.IGNORECASE)
        return sentence if sentence.endswith((".", "!", "?")) else sentence + "."
    clause = _as_clause(text, proper)
    if decision.kind == Kind.AGREED and not clause.lower().startswith(_AGREED_JOINS):
        clause = f"to {clause}" if clause.split(" ", 1)[0].lower() not in _NOUN_STARTS else f"on {clause}"
    if decision.kind == Kind.DEFERRED and clause.lower().startswith("to defer "):
        clause = clause[len("to defer ") :]
    template = KIND_SENTENCE.get(decision.kind, "The Meeting {clause}")
    return template.format(clause=clause, higher=higher) + "."


# Openings that name a thing rather than an action: "agreed on the work plan", not "agreed to the work plan".
_NOUN_STARTS = {"the", "a", "an", "its", "this", "these", "those", "all", "each"}


def report_html(*, meeting: Meeting, title: str, now: dt.datetime) -> str:
    context = report_context(meeting=meeting)
    higher, proper = context["higher_body"], context["proper_names"]
    for row in context["rows"]:
        for d in row["decisions"]:
            d.sentence = decision_sentence(d, higher=higher, proper=proper)
    context.update({"title": title, "generated_at": now})
    return render_to_string("meetings/report.html", context)


def _no_fetch(url: str, *args, **kwargs):
    # The report is self-contained; WeasyPrint must never reach out to the network or the disk for it.
    raise ValueError(f"External resource refused in a report: {url}")


def report_pdf(*, html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
