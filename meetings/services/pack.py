"""The meeting pack: the circulated agenda and every paper the reader may see, in agenda order, as one PDF
with continuous page numbers, a bookmark per agenda item and a table of contents giving each paper's page
(docs/decisions/0039).

- **Who sees what:** a pack is made per classification level (Public, Restricted, Confidential); a reader
  gets the pack of the highest level they may read on the body, so every reader of one level has the
  same pages and the same numbers.
- **Which papers:** those the latest circulated agenda version lists under each item, each in its latest
  version (a new version of a paper changes the pack); a paper that is not a readable PDF is listed in the
  contents with a link instead of being bound in.
- **Front matter:** the cover and contents are drawn as PDF pages directly (``pack_front``), or laid out by
  WeasyPrint when a title needs shaping (Thai, Khmer, Chinese…).
- **Cache:** a built pack is stored under a fingerprint of the agenda version, the level and each bound
  paper's id and SHA-256, so it is built once and again only when one of them changes.
- **Restricted or Confidential packs** are stamped per recipient on download like single papers
  (``meetings.services.downloads``); they are stored with empty stamp slots, so a reader's copy is the
  stored bytes with the stamp filled in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from dataclasses import dataclass, field
from html import escape

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from governance.prepared import Prepared
from meetings.models import AgendaVersion, Document, Meeting, MeetingPack
from meetings.services.pack_front import front_drawable, front_pdf, paper_link
from meetings.services.watermark import overlay_each_page, stamp_prepared_write, stamp_slots_add

Level = Document.Classification


@dataclass
class Paper:
    document: Document
    pages: int = 0  # 0: not bound (not a readable PDF): listed with a link
    data: bytes = b""
    first_page: int = 0  # in the pack, from 1
    reader: PdfReader | None = field(default=None, repr=False)  # parsed once: counted, then bound


@dataclass
class Entry:
    number: str
    title: str
    depth: int
    papers: list[Paper] = field(default_factory=list)
    page: int = 0  # where the item's first paper starts (or its line in the contents)


@dataclass
class PackPlan:
    meeting: Meeting
    version: AgendaVersion
    level: int
    entries: list[Entry]

    @property
    def papers(self) -> list[Paper]:
        return [p for e in self.entries for p in e.papers]

    @property
    def fingerprint(self) -> str:
        parts = [f"v{self.version.pk}", f"l{self.level}"]
        parts += [f"{p.document.pk}:{p.document.sha256}" for p in self.papers]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


# The meeting page asks for the pack's state on every request: compiled once per process (governance.prepared).
_LATEST_VERSION = Prepared(
    lambda meeting_id: AgendaVersion.objects.filter(meeting_id=meeting_id).order_by("-number")[:1]
)


def pack_plan(*, meeting: Meeting, level: int) -> PackPlan:
    """What the pack of ``level`` holds: the latest circulated agenda, and under each item the latest
    version of each paper it lists that ``level`` may read (raises ``ValidationError``)."""
    version = next(iter(_LATEST_VERSION(meeting_id=meeting.pk)), None)
    if version is None:
        raise ValidationError({"agenda": "The agenda has not been circulated yet: there is no pack."})
    listed = {d["id"] for item in version.items for d in item.get("documents", [])}
    titles = dict(Document.objects.filter(pk__in=listed).values_list("pk", "title"))
    latest: dict[str, Document] = {}
    for d in Document.objects.filter(meeting=meeting, title__in=set(titles.values())).order_by(
        "title", "version"
    ):
        latest[d.title] = d  # the highest version wins
    entries = []
    for item in version.items:
        papers = []
        for ref in item.get("documents", []):
            doc = latest.get(titles.get(ref["id"], ""))
            if (
                doc is not None
                and doc.classification <= level
                and doc.pk not in {p.document.pk for p in papers}
            ):
                papers.append(Paper(doc))
        entries.append(Entry(item["number"], item["title"], item.get("depth", 0), papers))
    return PackPlan(meeting=meeting, version=version, level=level, entries=entries)


def _read_papers(plan: PackPlan) -> None:
    for paper in plan.papers:
        if paper.data or paper.document.content_type != "application/pdf":
            continue  # read already (a bench passes the bytes), or not a PDF
        with paper.document.file.open("rb") as handle:
            data = handle.read()
        paper.data = data
    for paper in plan.papers:
        try:
            reader = PdfReader(io.BytesIO(paper.data))
            paper.pages = 0 if reader.is_encrypted else len(reader.pages)
            paper.reader = reader if paper.pages else None
        except (PdfReadError, ValueError, KeyError, TypeError):
            paper.pages = 0  # listed with a link, like a Word paper


FRONT_CSS = """
@page { size: A4; margin: 22mm 20mm; }
body { font: 10.5pt/1.4 "DejaVu Sans", "Noto Sans", sans-serif; color: #111; }
h1 { font-size: 17pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 18pt 0 6pt; }
.cover { page-break-after: always; } .muted { color: #555; }
table { width: 100%; border-collapse: collapse; } td { padding: 3pt 4pt; vertical-align: top; }
td.n { width: 3.2em; } td.p { width: 4em; text-align: right; } .d1 td.t { padding-left: 1.4em; }
tr.paper td { color: #333; font-size: 9.5pt; } tr.paper td.t { padding-left: 2.4em; }
"""


def _front_html(plan: PackPlan, *, level_label: str, base_url: str) -> str:
    m = plan.meeting
    rows = []
    for e in plan.entries:
        rows.append(
            f'<tr class="d{min(e.depth, 1)}"><td class="n">{escape(e.number)}</td>'
            f'<td class="t">{escape(e.title)}</td><td class="p">{e.page or ""}</td></tr>'
        )
        for p in e.papers:
            d = p.document
            title = f"{escape(d.title)} (v{d.version}, {escape(d.get_classification_display())})"
            if not p.pages:
                link = paper_link(base_url, d.pk)
                title += f' — not bound in: <a href="{escape(link)}">{escape(link)}</a>'
            rows.append(
                f'<tr class="paper"><td class="n"></td><td class="t">{title}</td>'
                f'<td class="p">{p.first_page or "—"}</td></tr>'
            )
    return (
        "<html><head><meta charset='utf-8'></head><body>"
        f'<div class="cover"><h1>{escape(m.title)}</h1>'
        f'<p class="muted">Meeting pack · agenda version {plan.version.number} · papers up to {escape(level_label)}'
        f"</p></div><h2>Agenda and contents</h2><table>{''.join(rows)}</table></body></html>"
    )


def _number(plan: PackPlan, front_pages: int) -> None:
    page = front_pages + 1
    for e in plan.entries:
        e.page = 0
        for p in e.papers:
            p.first_page = page if p.pages else 0
            if p.pages and not e.page:
                e.page = page
            page += p.pages


_weasy = threading.local()


def _front_style():
    """WeasyPrint's font configuration and the front's parsed style, made once per thread (a font
    configuration is not to be shared between threads): a new one per pack cost about a quarter of the
    front's layout."""
    if not hasattr(_weasy, "css"):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        _weasy.fonts = FontConfiguration()
        _weasy.css = CSS(string=FRONT_CSS, font_config=_weasy.fonts)
    return _weasy.fonts, _weasy.css


def _front_laid_out(plan: PackPlan, *, level_label: str, base_url: str) -> PdfReader:
    """The front laid out by WeasyPrint: for text ``pack_front`` cannot draw without shaping."""
    from weasyprint import HTML

    fonts, css = _front_style()
    html = HTML(string=_front_html(plan, level_label=level_label, base_url=base_url))
    return PdfReader(io.BytesIO(html.write_pdf(stylesheets=[css], font_config=fonts)))


def _render_front(plan: PackPlan, *, level_label: str, base_url: str) -> PdfReader:
    """The cover and the agenda with page numbers; laid out until the numbers fit the front's own length
    (a longer contents pushes every paper later). Drawn directly (``pack_front``) when every character
    needs no shaping, else by WeasyPrint. Returned parsed: counted, then bound."""
    drawn = front_drawable(plan, level_label=level_label, base_url=base_url)
    render = front_pdf if drawn else _front_laid_out
    front_pages = 2  # a cover and a page of contents: usually right the first time
    for _ in range(4):
        _number(plan, front_pages)
        front = render(plan, level_label=level_label, base_url=base_url)
        if len(front.pages) == front_pages:
            break
        front_pages = len(front.pages)
    return front


def pack_render(plan: PackPlan, *, base_url: str = "") -> tuple[bytes, int]:
    """The pack's bytes and page count."""
    _read_papers(plan)
    label = Level(plan.level).label
    front = _render_front(plan, level_label=label, base_url=base_url)
    writer = PdfWriter()
    writer.append(front, import_outline=False)
    for p in plan.papers:
        if p.pages and p.reader is not None:
            writer.append(p.reader, import_outline=False)
    # Bookmarks once every page is in: one per agenda item (an item without papers points at the
    # contents, the page after the cover) with one per paper under it.
    for e in plan.entries:
        parent = writer.add_outline_item(title=f"{e.number} {e.title}", page_number=(e.page or 2) - 1)
        for p in e.papers:
            if p.pages:
                writer.add_outline_item(title=p.document.title, page_number=p.first_page - 1, parent=parent)
    total = len(writer.pages)
    overlay_each_page(writer, lambda n: f"{plan.meeting.title} · page {n} of {total}")
    if plan.level != Level.PUBLIC:
        # Stored ready for its readers' stamps: each copy is then the pack's bytes with its stamp filled
        # in, not a copy of every page (meetings.services.watermark).
        stamp_slots_add(writer)
        return stamp_prepared_write(writer), total
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total


def pack_get(*, meeting: Meeting, level: int, base_url: str = "") -> MeetingPack:
    """The stored pack for ``level`` as the record stands, built now if there is none yet."""
    plan = pack_plan(meeting=meeting, level=level)
    fingerprint = plan.fingerprint
    found = MeetingPack.objects.filter(fingerprint=fingerprint).first()
    if found is not None:
        return found
    data, pages = pack_render(plan, base_url=base_url)
    pack = MeetingPack(
        meeting=meeting,
        agenda_version=plan.version,
        level=level,
        fingerprint=fingerprint,
        pages=pages,
        built_at=timezone.now(),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    pack.file.save(f"pack-{meeting.pk}-v{plan.version.number}-l{level}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            pack.save()
    except IntegrityError:  # built by another request meanwhile: theirs is the same
        pack.file.delete(save=False)
        return MeetingPack.objects.get(fingerprint=fingerprint)
    return pack


PACK_HORIZON = dt.timedelta(days=60)  # packs are prepared for meetings up to this far ahead
PACK_MEETINGS_PER_SWEEP = 50


def packs_missing(*, now: dt.datetime) -> list[tuple[int, int]]:
    """(meeting id, level) of each pack that meetings running or coming up within ``PACK_HORIZON`` lack for
    the record as it stands: after a new agenda version or a new version of a paper, its packs are due
    again."""
    meetings = (
        Meeting.objects.filter(end__gte=now, start__lte=now + PACK_HORIZON, agenda_versions__isnull=False)
        .exclude(status__in=(Meeting.Status.CANCELLED, Meeting.Status.POSTPONED))
        .distinct()
        .order_by("start")[:PACK_MEETINGS_PER_SWEEP]
    )
    wanted: dict[str, tuple[int, int]] = {}
    for meeting in meetings:
        for level in Level.values:
            wanted[pack_plan(meeting=meeting, level=level).fingerprint] = (meeting.pk, level)
    built = set(MeetingPack.objects.filter(fingerprint__in=wanted).values_list("fingerprint", flat=True))
    return [key for fingerprint, key in wanted.items() if fingerprint not in built]
