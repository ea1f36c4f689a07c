"""Stamping a PDF for one recipient: a line on every page naming who it was issued to, their delegation,
the day and a short download id, so a copy that leaks can be traced (docs/decisions/0037).

The stamp is drawn on each page as a Form XObject, one per page size: its font is stored once and no
page's own content is parsed or rewritten. A page turned by ``/Rotate`` has its rotation moved into its
content first, so the stamp reads the right way up.

- A name in Latin letters (accents and Vietnamese included) is drawn by ``stamp_text`` into slots the file
  was prepared with (see "Stamping without a layout engine" below): no layout engine, and for a prepared
  meeting pack no copy of its pages.
- A name in another script is laid out by WeasyPrint (``stamp_laid_out``: shaping, fonts for any script,
  text that can be searched and copied), once per recipient, one page per page size.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
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
    NumberObject,
    TextStringObject,
)

from meetings.services.stamp_text import drawable, font_objects, pdf_literal, stamp_form, subset_for

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

    @property
    def diagonal(self) -> str:
        return f"{self.recipient} · {self.download_id}"


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
            f'<div class="diag">{escape(stamp.diagonal)}</div>'
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

    def ops(self, page, name: NameObject) -> IndirectObject:
        """The content that draws the form ``name`` on ``page`` (placed on its media box), shared by pages
        whose boxes start at the same point."""
        box = page.mediabox
        where = (name, round(float(box.left), 2), round(float(box.bottom), 2))
        if where not in self.draws:
            ops = f"\nQ q 1 0 0 1 {where[1]:.2f} {where[2]:.2f} cm {name} Do Q\n".encode()
            self.draws[where] = self.writer._add_object(_content(ops))
        return self.draws[where]

    def draw(self, page, name: NameObject, form: IndirectObject) -> None:
        self.add(page, "/XObject", name, form, self.ops(page, name))

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


def _writer_for(data: bytes) -> PdfWriter:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotStampable("the PDF is encrypted")
        writer = PdfWriter(clone_from=reader)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise NotStampable(str(exc)) from exc
    return writer


def stamp_laid_out(data: bytes, stamp: Stamp) -> bytes:
    """``data`` with ``stamp`` laid out by WeasyPrint over every page: for a name ``stamp_text`` cannot
    draw (raises ``NotStampable``)."""
    writer = _writer_for(data)
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
    return pdf_literal("".join(_latin(ch) for ch in text))


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


# --- Stamping without a layout engine or a copy of the whole file ----------------------------------------
#
# A PDF is made ready for stamps once ("prepared"): every page draws an empty Form XObject, one per page
# size (a "slot"), and those slots are the file's last objects, before its cross-reference table. A copy
# for one reader is then the file's bytes up to the first slot, unchanged, followed by the slots filled with
# that reader's stamp (``stamp_text``), its font, and a new cross-reference table: no page is parsed or
# written again. It is a whole new file, not an incremental update: the unstamped revision is not in it.
# A meeting pack is stored prepared (``pack_render``); any other PDF is prepared on the way.
#
# The first slot carries a seal, an HMAC (the site's secret key) of the bytes before the slots and of the
# slots' places: only a file prepared here is filled, so a crafted upload with empty forms that no page
# draws cannot pass for a stamped copy. A pack sealed under an earlier secret key is prepared again.

SLOTS = b"/AccmsmeSlots"
SEAL_BLANK = "0" * 64
_SLOT_HEAD = re.compile(rb"/AccmsmeSlots (\d+).*?/AccmsmeSlot (\d+)", re.S)
_BBOX = re.compile(rb"/BBox \[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")


class NotPrepared(NotStampable):
    """The file is not one prepared (and sealed) here: it must be prepared before it is filled."""


def stamp_slots_add(writer: PdfWriter) -> None:
    """Give every page of ``writer`` an empty slot for a stamp, drawn on top of its content: call it last,
    just before ``stamp_prepared_write``, so the slots are the file's last objects."""
    drawer = _Drawer(writer)
    sizes = [_upright_size(page) for page in writer.pages]
    distinct = list(dict.fromkeys(sizes))
    names = {size: NameObject(f"/AccmsmeStamp{n}") for n, size in enumerate(distinct)}
    ops = [drawer.ops(page, names[size]) for page, size in zip(writer.pages, sizes, strict=True)]
    slots = {}
    for n, (width, height) in enumerate(distinct):  # created after every other object: written last
        form = _content(b"")
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(
                    [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
                ),
                NameObject("/AccmsmeSlots"): NumberObject(len(distinct)),
                NameObject("/AccmsmeSlot"): NumberObject(n),
            }
        )
        if n == 0:
            form[NameObject("/AccmsmeSeal")] = TextStringObject(SEAL_BLANK)
        slots[(width, height)] = writer._add_object(form)
    for page, size, draw in zip(writer.pages, sizes, ops, strict=True):
        drawer.add(page, "/XObject", names[size], slots[size], draw)


def stamp_prepared_write(writer: PdfWriter) -> bytes:
    """The bytes of ``writer`` (its slots added by ``stamp_slots_add``), sealed."""
    out = io.BytesIO()
    writer.write(out)
    data = bytearray(out.getvalue())
    layout = _layout(bytes(data), check_seal=False)
    blank = b"/AccmsmeSeal (" + SEAL_BLANK.encode() + b")"
    at = data.find(blank, layout.first_slot_at)
    if at < 0:
        raise RuntimeError("the stamp slots were not written last")
    start = at + len(b"/AccmsmeSeal (")
    data[start : start + 64] = _seal(bytes(data), layout).encode()
    return bytes(data)


@dataclass
class _Layout:
    offsets: dict[int, int]  # object number -> where it starts
    trailer: bytes
    size: int
    slots: list[tuple[int, float, float]]  # (object number, width, height)
    first_slot_at: int
    seal: bytes


def _seal(data: bytes, layout: _Layout) -> str:
    from django.utils.crypto import salted_hmac

    places = ";".join(f"{num}:{w:.2f}:{h:.2f}" for num, w, h in sorted(layout.slots))
    message = f"{hashlib.sha256(data[: layout.first_slot_at]).hexdigest()}|{places}"
    return salted_hmac("meetings.watermark.slots", message, algorithm="sha256").hexdigest()


def _xref(data: bytes) -> tuple[dict[int, int], bytes, int]:
    """The object offsets of a file written by pypdf (one classic cross-reference table), its trailer
    dictionary and where the table starts."""
    tail_at = data.rfind(b"startxref")
    if tail_at < 0:
        raise NotPrepared("no startxref")
    xref_at = int(data[tail_at + 9 :].split()[0])
    trailer_at = data.find(b"trailer", xref_at)
    if not data.startswith(b"xref", xref_at) or trailer_at < 0:
        raise NotPrepared("not one cross-reference table")
    tokens = data[xref_at + 4 : trailer_at].split()
    offsets: dict[int, int] = {}
    k = 0
    while k < len(tokens):
        start, count = int(tokens[k]), int(tokens[k + 1])
        for j in range(count):
            offset, kind = tokens[k + 2 + 3 * j], tokens[k + 4 + 3 * j]
            if kind == b"n":
                offsets[start + j] = int(offset)
        k += 2 + 3 * count
    return offsets, data[trailer_at + 7 : tail_at], xref_at


def _layout(data: bytes, *, check_seal: bool = True) -> _Layout:
    """Where the slots of a prepared file are (raises ``NotPrepared``)."""
    if data.rfind(SLOTS) < 0:
        raise NotPrepared("no stamp slots")
    try:
        offsets, trailer, xref_at = _xref(data)
        size = int(re.search(rb"/Size (\d+)", trailer)[1])
    except (ValueError, IndexError, TypeError) as exc:
        raise NotPrepared(f"unreadable cross-reference table: {exc}") from exc
    if b"/Prev" in trailer or b"/Encrypt" in trailer:
        raise NotPrepared("an updated or encrypted file")
    order = sorted(offsets.items(), key=lambda item: item[1])
    slots: list[tuple[int, float, float]] = []
    expected, first_at, seal = -1, xref_at, b""
    for num, at in reversed(order):  # the slots are the last objects
        head = data[at : min(first_at, at + 512)]
        found, box = _SLOT_HEAD.search(head), _BBOX.search(head)
        if found is None or box is None:
            break
        expected, first_at = int(found[1]), at
        slots.append((num, float(box[3]) - float(box[1]), float(box[4]) - float(box[2])))
        if int(found[2]) == 0:
            sealed = re.search(rb"/AccmsmeSeal \(([0-9a-f]{64})\)", head)
            seal = sealed[1] if sealed else b""
    if not slots or len(slots) != expected:
        raise NotPrepared("the stamp slots are not the file's last objects")
    layout = _Layout(offsets, trailer, size, slots, first_at, seal)
    if check_seal and not hmac.compare_digest(seal, _seal(data, layout).encode()):
        raise NotPrepared("the stamp slots were not prepared here")
    return layout


def stamp_fill(data: bytes, stamp: Stamp) -> bytes:
    """A copy of a prepared file with ``stamp`` in its slots (raises ``NotPrepared``). The stamp must be
    ``drawable``."""
    layout = _layout(data)
    diag = stamp.diagonal
    font = subset_for(stamp.line, diag)
    bodies = dict(enumerate(font_objects(font, layout.size), start=layout.size))
    forms: dict[tuple[float, float], bytes] = {}
    for num, width, height in layout.slots:
        if (width, height) not in forms:
            forms[(width, height)] = stamp_form(font, layout.size, width, height, stamp.line, diag)
        bodies[num] = forms[(width, height)]
    out = io.BytesIO()
    out.write(data[: layout.first_slot_at])
    offsets = dict(layout.offsets)
    for num in sorted(bodies):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (num, bodies[num]))
    size = max(offsets) + 1
    xref_at = out.tell()
    rows = [b"0000000000 65535 f \n"]
    rows += [
        b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n" for n in range(1, size)
    ]
    out.write(b"xref\n0 %d\n%s" % (size, b"".join(rows)))
    trailer = re.sub(rb"/Size \d+", b"/Size %d" % size, layout.trailer, count=1)
    out.write(b"trailer%sstartxref\n%d\n%%%%EOF\n" % (trailer, xref_at))
    return out.getvalue()


def stamp_prepare(data: bytes) -> bytes:
    """``data`` made ready for stamps (raises ``NotStampable``): one copy of the whole file."""
    writer = _writer_for(data)
    if not writer.pages:
        raise NotStampable("the PDF has no pages")
    stamp_slots_add(writer)
    return stamp_prepared_write(writer)


def stamp_pdf(data: bytes, stamp: Stamp) -> bytes:
    """``data`` with ``stamp`` over every page (raises ``NotStampable``). A prepared file (a meeting pack)
    is filled as it is; any other PDF is prepared first. A name ``stamp_text`` cannot draw is laid out by
    WeasyPrint."""
    if not drawable(stamp.line, stamp.diagonal):
        return stamp_laid_out(data, stamp)
    try:
        return stamp_fill(data, stamp)
    except NotPrepared:
        pass
    try:
        return stamp_fill(stamp_prepare(data), stamp)
    except NotPrepared as exc:  # prepared just now: a fault here, not in the file
        raise RuntimeError(f"a file prepared for stamps could not be filled: {exc}") from exc
