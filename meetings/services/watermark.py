"""Stamping a PDF for one recipient: a line on every page naming who it was issued to, their delegation,
the day and a short download id, so a copy that leaks can be traced (docs/decisions/0037).

The stamp is laid out by WeasyPrint (any script a name is written in, with its fonts embedded and text
that can be searched and copied) once per recipient, one page per page size, and drawn on each page by pypdf as a Form XObject:
its fonts are stored once and no page's own content is parsed or rewritten. A page turned by ``/Rotate``
has its rotation moved into its content first, so the stamp reads the right way up.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

STAMP_CSS = """
html, body { margin: 0; padding: 0; }
.sheet { position: relative; overflow: hidden; break-after: page; }
.sheet:last-child { break-after: auto; }
.band { position: absolute; left: 0; right: 0; bottom: 5pt; text-align: center;
        font: 7.5pt/1.2 "DejaVu Sans", "Noto Sans", sans-serif; color: rgba(150, 20, 40, 0.85); }
.diag { position: absolute; left: 0; right: 0; top: 45%; text-align: center; transform: rotate(-30deg);
        font: bold 26pt "DejaVu Sans", "Noto Sans", sans-serif; color: rgba(150, 20, 40, 0.10); }
"""


class NotStampable(Exception):
    """The file is not a PDF pypdf can read (or it is encrypted): it cannot carry a stamp."""


@dataclass(frozen=True)
class Stamp:
    label: str  # "Confidential"
    recipient: str
    delegation: str
    day: str  # "1 Dec 2026"
    download_id: str

    @property
    def line(self) -> str:
        return (
            f"{self.label} · issued to {self.recipient} ({self.delegation}) on {self.day} · "
            f"download {self.download_id} · not for further distribution"
        )


def stamp_pages_pdf(stamp: Stamp, sizes: list[tuple[float, float]]) -> bytes:
    """One transparent page per size (``width`` × ``height`` points) carrying the stamp, in one layout:
    WeasyPrint's fixed cost (fonts, styles) is paid once per recipient, not once per page size."""
    from weasyprint import HTML

    css = [STAMP_CSS]
    pages = []
    for n, (width, height) in enumerate(sizes):
        css.append(f"@page s{n} {{ size: {width:.2f}pt {height:.2f}pt; margin: 0; }}")
        # A page box a point shorter than the sheet, so the layout never spills onto a page of its own.
        pages.append(
            f'<div class="sheet" style="page: s{n}; height: {height - 1:.2f}pt">'
            f'<div class="diag">{escape(stamp.recipient)} · {escape(stamp.download_id)}</div>'
            f'<div class="band">{escape(stamp.line)}</div></div>'
        )
    html = f"<html><head><style>{''.join(css)}</style></head><body>{''.join(pages)}</body></html>"
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the stamp fetches nothing ({url[:40]})")


def _form(writer: PdfWriter, page, width: float, height: float) -> IndirectObject:
    """A rendered page as a Form XObject in ``writer``: drawn on a page by reference, so its fonts are
    stored once and no page's own content is parsed or rewritten."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
            ),
            NameObject("/Resources"): page["/Resources"].get_object().clone(writer),
        }
    )
    return writer._add_object(form)


def _content(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


class _Drawer:
    """Draws Form XObjects over pages of one writer. Each page keeps its content untouched between ``q``
    and ``Q`` (so a graphics state it leaves behind cannot move what is drawn), then draws the form placed
    on its media box."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.save = writer._add_object(_content(b"q\n"))
        self.draws: dict[tuple, IndirectObject] = {}

    def draw(self, page, name: NameObject, form: IndirectObject) -> None:
        box = page.mediabox
        where = (name, round(float(box.left), 2), round(float(box.bottom), 2))
        if where not in self.draws:
            ops = f"\nQ q 1 0 0 1 {where[1]:.2f} {where[2]:.2f} cm {name} Do Q\n".encode()
            self.draws[where] = self.writer._add_object(_content(ops))
        self.add(page, "/XObject", name, form, self.draws[where])

    def add(self, page, category: str, name: NameObject, ref: IndirectObject, ops: IndirectObject) -> None:
        """Put ``ref`` in the page's resources under ``category``/``name`` and ``ops`` after its content."""
        resources = page.get_inherited("/Resources", None)
        resources = DictionaryObject() if resources is None else resources.get_object()
        # A copy of the page's resources with ours added: a dictionary shared by other pages, or
        # inherited from the page tree, is left as it was.
        own = DictionaryObject(dict(resources.items()))
        entries = own.get(category)
        entries = (
            DictionaryObject() if entries is None else DictionaryObject(dict(entries.get_object().items()))
        )
        entries[name] = ref
        own[NameObject(category)] = entries
        page[NameObject("/Resources")] = own
        contents = page.get("/Contents")
        if contents is None:
            existing = []
        elif isinstance(contents.get_object(), ArrayObject):
            existing = list(contents.get_object())
        else:
            existing = [contents]
        page[NameObject("/Contents")] = ArrayObject([self.save, *existing, ops])


def _upright_size(page) -> tuple[float, float]:
    if page.rotation:
        page.transfer_rotation_to_content()
    return round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)


def stamp_pdf(data: bytes, stamp: Stamp) -> bytes:
    """``data`` with ``stamp`` over every page (raises ``NotStampable``)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotStampable("the PDF is encrypted")
        writer = PdfWriter(clone_from=reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise NotStampable(str(exc)) from exc
    drawer = _Drawer(writer)
    sizes = [_upright_size(page) for page in writer.pages]
    distinct = list(dict.fromkeys(sizes))
    rendered = PdfReader(io.BytesIO(stamp_pages_pdf(stamp, distinct))).pages if distinct else []
    if len(rendered) != len(distinct):  # a layout that did not give one page per size would misplace stamps
        raise RuntimeError(f"the stamp laid out {len(rendered)} pages for {len(distinct)} sizes")
    forms = {
        size: (NameObject(f"/AccmsmeStamp{n}"), _form(writer, rendered[n], *size))
        for n, size in enumerate(distinct)
    }
    for page, size in zip(writer.pages, sizes, strict=True):
        drawer.draw(page, *forms[size])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FOOT_SIZE = 8  # points
FOOT_ADVANCE = 0.6 * FOOT_SIZE  # Courier: every glyph is 600/1000 em wide, so a line's width is known


def _latin(ch: str) -> str:
    """A character Courier's WinAnsi encoding can show: itself, else its base letter ("ộ" → "o"), else "?"."""
    try:
        ch.encode("latin-1")
        return ch
    except UnicodeEncodeError:
        base = unicodedata.normalize("NFKD", ch)[:1]
        return base if base.isascii() and base.isprintable() else "?"


def _pdf_string(text: str) -> str:
    latin = "".join(_latin(ch) for ch in text)
    return "(" + latin.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def overlay_each_page(writer: PdfWriter, text: Callable[[int], str]) -> None:
    """Write ``text(n)`` at the foot of page ``n`` (from 1), right-aligned, in Courier (one of the PDF
    standard fonts, monospaced, so no font is embedded and no layout engine runs per page: page numbers
    are the only text here that changes per page, and they are ASCII)."""
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Courier"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    name = NameObject("/AccmsmeFoot")
    drawer = _Drawer(writer)
    for n, page in enumerate(writer.pages, start=1):
        width, _ = _upright_size(page)
        line = text(n)
        x = float(page.mediabox.left) + width - 16 - len(line) * FOOT_ADVANCE
        y = float(page.mediabox.bottom) + 16
        ops = f"\nQ q BT {name} {FOOT_SIZE} Tf 0.27 g {x:.2f} {y:.2f} Td {_pdf_string(line)} Tj ET Q\n"
        drawer.add(page, "/Font", name, font, writer._add_object(_content(ops.encode("latin-1"))))
