"""The meeting pack's front matter (a cover, then the agenda and contents) drawn as PDF pages directly, in
the embedded DejaVu Sans subset the per-recipient stamp uses (``stamp_text``), without a layout engine: the
front's layout by WeasyPrint cost about as much as binding all of a 60-page pack's papers.

The layout is the one ``pack.FRONT_CSS`` gives WeasyPrint: A4, the same margins, sizes, leading, columns and
greys. Text is wrapped at spaces by the glyphs' advance widths (a word wider than its column is broken
between characters), a contents row that does not fit goes to the next page, page numbers are right
aligned, and a paper that is not bound in carries a link annotation to its download. Every character is one
that needs no shaping (``front_drawable``): any other text (Thai, Khmer, Chinese…) is laid out by
WeasyPrint, as before. The text is drawn with a ``ToUnicode`` map, so it extracts like WeasyPrint's.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, Protocol
from urllib.parse import quote

from pypdf import PdfReader

from meetings.services.stamp_text import Subset, drawable, font_objects, pdf_literal, pdf_stream, subset_for


class FrontPlan(Protocol):
    """What the front reads of ``meetings.services.pack.PackPlan`` (not imported: pack imports this)."""

    meeting: Any  # .title
    version: Any  # .number
    entries: list[Any]  # .number, .title, .depth, .page, .papers (.document, .pages, .first_page)


MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN_X, MARGIN_Y = 20 * MM, 22 * MM  # @page margin: 22mm 20mm
WIDTH = PAGE_W - 2 * MARGIN_X
BODY, PAPER, H1, H2 = 10.5, 9.5, 17.0, 13.0  # pt
LEADING = 1.4
PAD_X, PAD_Y = 4.0, 3.0  # td padding: 3pt 4pt
INK, MUTED, PAPER_INK = "0.067", "0.333", "0.2"  # grey levels: #111, #555, #333
LINK = "0 0 0.933"  # a link's #00e
NUMBER_W = 3.2 * BODY + 2 * PAD_X  # td.n
PAGE_COL_W = 4 * BODY + 2 * PAD_X  # td.p
TITLE_X = MARGIN_X + NUMBER_W + PAD_X
TITLE_W = WIDTH - NUMBER_W - PAGE_COL_W - 2 * PAD_X
PAGE_RIGHT = MARGIN_X + WIDTH - PAD_X
ITEM_INDENT, PAPER_INDENT = 1.4 * BODY, 2.4 * PAPER  # .d1 td.t, tr.paper td.t
COVER_GAP, H2_BEFORE, H2_AFTER = 10.5, 18.0, 6.0  # h1/p margins collapsed; h2 margins

Words = list[tuple[str, str | None]]  # (word, the URL it links to or None)


def paper_link(base_url: str, document_id: int | None) -> str:
    """Where a paper that is not bound in is downloaded from."""
    return f"{base_url}/documents/{document_id}/download/"


def _clean(text: str) -> str:
    return " ".join(str(text).split())  # white space collapsed, as HTML lays it out


@dataclass
class Row:
    number: str
    words: Words
    page: str
    size: float
    ink: str
    indent: float


def _rows(plan: FrontPlan, base_url: str) -> list[Row]:
    rows = []
    for e in plan.entries:
        title = [(w, None) for w in _clean(e.title).split()]
        rows.append(Row(_clean(e.number), title, str(e.page or ""), BODY, INK, ITEM_INDENT if e.depth else 0))
        for p in e.papers:
            d = p.document
            label = f"{d.title} (v{d.version}, {d.get_classification_display()})"
            words: Words = [(w, None) for w in _clean(label).split()]
            if not p.pages:
                link = _clean(paper_link(base_url, d.pk)).replace(" ", "%20")
                words += [("—", None), ("not", None), ("bound", None), ("in:", None), (link, link)]
            rows.append(Row("", words, str(p.first_page or "—"), PAPER, PAPER_INK, PAPER_INDENT))
    return rows


def _cover_texts(plan: FrontPlan, level_label: str) -> tuple[str, str]:
    muted = f"Meeting pack · agenda version {plan.version.number} · papers up to {level_label}"
    return _clean(plan.meeting.title), _clean(muted)


def _all_texts(plan: FrontPlan, level_label: str, base_url: str) -> list[str]:
    texts = [*_cover_texts(plan, level_label), "Agenda and contents"]
    for row in _rows(plan, base_url):
        texts += [row.number, row.page, *(w for w, _ in row.words)]
    return texts


def front_drawable(plan: FrontPlan, *, level_label: str, base_url: str) -> bool:
    """Whether every text of the front can be drawn here (else it is laid out by WeasyPrint)."""
    return drawable(*_all_texts(plan, level_label, base_url))


def _pieces(font: Subset, size: float, width: float, word: str) -> list[str]:
    """``word`` broken between characters into pieces that fit ``width`` (one piece if it fits)."""
    if font.width(word, size) <= width:
        return [word]
    pieces, current = [], ""
    for ch in word:
        if current and font.width(current + ch, size) > width:
            pieces.append(current)
            current = ""
        current += ch
    return [*pieces, current]


def wrap(font: Subset, size: float, width: float, words: Words) -> list[Words]:
    """``words`` in lines no wider than ``width`` points, broken at spaces (always at least one line)."""
    space = font.width(" ", size)
    lines: list[Words] = []
    line: Words = []
    used = 0.0
    for word, link in words:
        for piece in _pieces(font, size, width, word):
            w = font.width(piece, size)
            if line and used + space + w > width:
                lines.append(line)
                line, used = [], 0.0
            used += (space if line else 0) + w
            line.append((piece, link))
    return [*lines, line] if line or not lines else lines


@dataclass
class _Page:
    ops: list[str] = field(default_factory=list)
    links: list[tuple[tuple[float, float, float, float], str]] = field(default_factory=list)


class _Layout:
    """Pages filled from the top: ``y`` is the top of what comes next."""

    def __init__(self, font: Subset) -> None:
        self.font = font
        self.pages: list[_Page] = []
        self.new_page()

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = PAGE_H - MARGIN_Y
        self.fresh = True

    def fits(self, height: float) -> bool:
        return self.y - height >= MARGIN_Y - 0.01

    def baseline(self, top: float, size: float) -> float:
        """The baseline of a line box of ``size`` whose top is ``top`` (the leading split above and below)."""
        f = self.font
        half_leading = (LEADING * size - (f.ascent - f.descent) * size / 1000) / 2
        return top - half_leading - f.ascent * size / 1000

    def draw(
        self,
        x: float,
        top: float,
        size: float,
        ink: str,
        words: Words,
        *,
        bold: bool = False,
        page: _Page | None = None,
    ) -> None:
        """One line of ``words`` at ``x`` on ``page`` (the last), its line box's top at ``top``: words that
        link somewhere blue and underlined (as WeasyPrint draws a link) under a link annotation."""
        self.fresh = False
        page = page or self.pages[-1]
        y, space = self.baseline(top, size), self.font.width(" ", size)
        for link, run in groupby(words, key=lambda word: word[1]):
            text = " ".join(w for w, _ in run)
            if not text:
                continue
            width = self.font.width(text, size)
            colour = f"{LINK} rg" if link else f"{ink} g"
            # Bold as a synthetic bold of the regular face: the glyphs filled and outlined.
            style = f"{ink} G {size / 30:.2f} w 2 Tr " if bold else ""
            page.ops.append(
                f"BT {colour} {style}/F1 {size:.2f} Tf {x:.2f} {y:.2f} Td {self.font.hex(text)} Tj ET"
            )
            if link:
                page.ops.append(f"{LINK} rg {x:.2f} {y - 0.12 * size:.2f} {width:.2f} {size / 16:.2f} re f")
                page.links.append(((x, top - LEADING * size, x + width, top), link))
            x += width + space

    def block(self, text: str, size: float, ink: str, *, bold: bool = False, before: float = 0) -> None:
        """A paragraph across the full width (a heading, the cover's line)."""
        self.y -= before
        for line in wrap(self.font, size, WIDTH, [(w, None) for w in text.split()]):
            if not self.fits(LEADING * size) and not self.fresh:
                self.new_page()
            self.draw(MARGIN_X, self.y, size, ink, line, bold=bold)
            self.y -= LEADING * size

    def row(self, row: Row) -> None:
        """A contents row: on this page if it fits, else from the top of the next (a row taller than a
        page runs on line by line)."""
        lead = LEADING * row.size
        lines = wrap(self.font, row.size, TITLE_W - row.indent, row.words)
        if not self.fits(2 * PAD_Y + len(lines) * lead) and not self.fresh:
            self.new_page()
        top = self.y - PAD_Y
        self.draw(MARGIN_X + PAD_X, top, row.size, row.ink, [(row.number, None)])
        first_page, first_top = self.pages[-1], top
        for n, line in enumerate(lines):
            if n and top - lead < MARGIN_Y - 0.01:
                self.new_page()
                top = self.y
            self.draw(TITLE_X + row.indent, top, row.size, row.ink, line)
            top -= lead
        # The page number after the title, on the row's first line: extracted as "title … page".
        if row.page:
            x = PAGE_RIGHT - self.font.width(row.page, row.size)
            self.draw(x, first_top, row.size, row.ink, [(row.page, None)], page=first_page)
        self.y = top - PAD_Y


def _uri(url: str) -> str:
    """``url`` as a PDF literal string: ASCII only, its parentheses and backslashes escaped."""
    return pdf_literal(quote(url, safe=":/?#[]@!$&'()*+,;=%~"))


def _pdf(font: Subset, pages: list[_Page]) -> bytes:
    """The pages as a PDF file: catalog, page tree, font, then each page, its content and its links."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    objects += font_objects(font, 3)
    kids = []
    for page in pages:
        number = len(objects) + 1
        kids.append(number)
        annots = list(range(number + 2, number + 2 + len(page.links)))
        annots_entry = f" /Annots [{' '.join(f'{a} 0 R' for a in annots)}]" if annots else ""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:.2f} {PAGE_H:.2f}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {number + 1} 0 R{annots_entry} >>".encode()
        )
        objects.append(pdf_stream("", zlib.compress("\n".join(page.ops).encode()), deflated=True))
        for (x0, y0, x1, y1), url in page.links:
            objects.append(
                f"<< /Type /Annot /Subtype /Link /Rect [{x0:.2f} {y0:.2f} {x1:.2f} {y1:.2f}] /Border [0 0 0] "
                f"/A << /S /URI /URI {_uri(url)} >> >>".encode()
            )
    objects[1] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def front_pdf(plan: FrontPlan, *, level_label: str, base_url: str) -> PdfReader:
    """The cover and the contents with the page numbers ``plan`` holds now (``front_drawable`` must have
    said yes), parsed."""
    title, muted = _cover_texts(plan, level_label)
    rows = _rows(plan, base_url)
    font = subset_for(*_all_texts(plan, level_label, base_url))
    layout = _Layout(font)
    layout.block(title, H1, INK, bold=True)
    layout.block(muted, BODY, MUTED, before=COVER_GAP)
    layout.new_page()  # .cover { page-break-after: always }
    layout.block("Agenda and contents", H2, INK, bold=True, before=H2_BEFORE)
    layout.y -= H2_AFTER
    for row in rows:
        layout.row(row)
    return PdfReader(io.BytesIO(_pdf(font, layout.pages)))
