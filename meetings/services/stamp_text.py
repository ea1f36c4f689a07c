"""The per-recipient stamp drawn without a layout engine: a line of text in an embedded subset of DejaVu Sans
(the font WeasyPrint picks for the stamp's CSS), written as PDF objects directly (docs/decisions/0037).

A recipient's stamp is text whose every character is known in advance to need no shaping: Latin letters
with their accents (Vietnamese included) and the stamp's punctuation. Its width is the sum of the glyphs'
advances, so it is centred and sized without a layout. The font is subset once per set of characters beyond
ASCII (cached in the process): a reader with a plain Latin name never pays for a subset. A name in any other
script (Thai, Khmer, Myanmar, Lao, Chinese…) needs shaping and other fonts: ``drawable`` says no and the
caller lays the stamp out with WeasyPrint instead.

The text is drawn as a Type 0 font with a ``ToUnicode`` map, so a copy's stamp can be searched, copied and
extracted like the WeasyPrint one.

The font helpers (``drawable``, ``subset_for``, ``font_objects``, ``pdf_stream``) are shared with the meeting
pack's front matter (``pack_front``), which draws its cover and contents the same way.
"""

from __future__ import annotations

import hashlib
import io
import math
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Where Debian/Ubuntu (the Docker image), Fedora, Arch and Alpine put DejaVu Sans (fontconfig's dependency
# fonts-dejavu-core): without it, every stamp is laid out by WeasyPrint.
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)
# Punctuation beyond Latin-1 that needs no shaping: dashes, quotes, the ellipsis, the middle dot.
PUNCTUATION = "\u2013\u2014\u2018\u2019\u201c\u201d\u2026·"
BASE = "".join(chr(c) for c in range(0x20, 0x7F)) + "·"  # always in the subset: a plain name needs no other
COLOUR = "0.588 0.078 0.157"  # rgb(150, 20, 40), the WeasyPrint stamp's colour
BAND_SIZE, BAND_ALPHA = 7.5, 0.85
DIAG_SIZE, DIAG_ALPHA = 26.0, 0.10


@lru_cache(maxsize=1)
def _font_file() -> bytes | None:
    for path in FONT_PATHS:
        if Path(path).is_file():
            return Path(path).read_bytes()
    return None


@lru_cache(maxsize=1)
def _repertoire() -> frozenset[str]:
    """The characters DejaVu Sans has that need no shaping: Latin (with Latin-1, Extended-A/B and the
    precomposed Vietnamese letters) and ``PUNCTUATION``."""
    data = _font_file()
    if data is None:
        return frozenset()
    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(data), lazy=True).getBestCmap()
    return frozenset(
        chr(c)
        for c in cmap
        if (0x20 <= c < 0x7F or 0xA0 <= c < 0x250 or 0x1E00 <= c < 0x1F00 or chr(c) in PUNCTUATION)
        and not unicodedata.combining(chr(c))
        and unicodedata.category(chr(c))[0] != "C"
    )


def drawable(*texts: str) -> bool:
    """Whether these texts can be drawn here (else the caller lays them out with WeasyPrint)."""
    known = _repertoire()
    return bool(known) and all(ch in known for text in texts for ch in text)


@dataclass(frozen=True)
class Subset:
    name: str  # the PostScript name with its subset tag, "ABCDEF+DejaVuSans"
    program: bytes  # the TrueType subset, deflated
    gids: dict[str, int]
    widths: dict[int, int]  # per glyph id, in 1/1000 em
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]

    def width(self, text: str, size: float) -> float:
        return sum(self.widths[self.gids[ch]] for ch in text) * size / 1000

    def hex(self, text: str) -> str:
        return "<" + "".join(f"{self.gids[ch]:04X}" for ch in text) + ">"


def subset_for(*texts: str) -> Subset:
    """The font subset for ``texts`` (which must be ``drawable``)."""
    extra = "".join(sorted({ch for text in texts for ch in text} - set(BASE)))
    return _subset(extra)


@lru_cache(maxsize=256)
def _subset(extra: str) -> Subset:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    data = _font_file()
    if data is None:  # drawable() said yes: the font was there when it was asked
        raise RuntimeError("DejaVu Sans is not installed")
    font = TTFont(io.BytesIO(data), lazy=True)
    options = subset.Options()
    options.layout_features = []  # no shaping: no GSUB/GPOS to keep
    options.hinting = False
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM"]
    options.name_IDs = []
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=BASE + extra)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    scale = 1000 / font["head"].unitsPerEm
    gids = {chr(code): font.getGlyphID(name) for code, name in font.getBestCmap().items()}
    widths = {font.getGlyphID(name): round(adv * scale) for name, (adv, _) in font["hmtx"].metrics.items()}
    head, hhea = font["head"], font["hhea"]
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(extra.encode()).digest()[:6])
    return Subset(
        name=f"{tag}+DejaVuSans",
        program=zlib.compress(out.getvalue()),
        gids=gids,
        widths=widths,
        ascent=round(hhea.ascent * scale),
        descent=round(hhea.descent * scale),
        cap_height=round(getattr(font["OS/2"], "sCapHeight", hhea.ascent) * scale),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
    )


def pdf_literal(text: str) -> str:
    """``text`` (already in the characters its font or the file can hold) as a PDF literal string, its
    backslashes and parentheses escaped."""
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf_stream(head: str, data: bytes, *, deflated: bool = False) -> bytes:
    """The body of a stream object: ``head`` is the dictionary's entries besides its length."""
    extra = " /Filter /FlateDecode" if deflated else ""
    return f"<< {head} /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"


def font_objects(font: Subset, first: int) -> list[bytes]:
    """The bodies of the objects ``first``, ``first + 1``… that make the font: the Type 0 font (the one to
    refer to), its descendant, descriptor, program and ``ToUnicode`` map."""
    f0, cid, desc, prog, tounicode = range(first, first + 5)
    widths = " ".join(f"{gid} [{w}]" for gid, w in sorted(font.widths.items()))
    cmap_lines = "\n".join(
        f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch, gid in sorted(font.gids.items())
    )
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(font.gids)} beginbfchar\n{cmap_lines}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    bbox = " ".join(str(v) for v in font.bbox)
    return [
        f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
        f"/DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>".encode(),
        f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        f"/FontDescriptor {desc} 0 R /CIDToGIDMap /Identity /DW 600 /W [{widths}] >>".encode(),
        f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 32 /FontBBox [{bbox}] /ItalicAngle 0 "
        f"/Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.cap_height} /StemV 80 "
        f"/FontFile2 {prog} 0 R >>".encode(),
        pdf_stream("", font.program, deflated=True),
        pdf_stream("", zlib.compress(cmap), deflated=True),
    ]


def stamp_form(font: Subset, font_ref: int, width: float, height: float, band: str, diag: str) -> bytes:
    """The body of a Form XObject of ``width`` × ``height`` points carrying the stamp as the WeasyPrint
    one draws it: ``band`` centred along the foot, ``diag`` large, faint and rising 30° across the page.
    A text too wide for the page is made smaller rather than cut."""
    band_size = min(BAND_SIZE, BAND_SIZE * (width - 20) / max(font.width(band, BAND_SIZE), 1))
    band_x = (width - font.width(band, band_size)) / 2
    band_y = 5 + (1.2 * band_size - (font.ascent - font.descent) * band_size / 1000) / 2
    band_y -= font.descent * band_size / 1000  # the baseline, above the descenders
    diag_size = min(DIAG_SIZE, DIAG_SIZE * 0.9 * width / max(font.width(diag, DIAG_SIZE), 1))
    cos, sin = math.cos(math.radians(30)), math.sin(math.radians(30))
    cx, cy = width / 2, height * 0.55 - diag_size * 0.6
    ops = (
        f"q /AccBand gs {COLOUR} rg BT /AccF {band_size:.2f} Tf {band_x:.2f} {band_y:.2f} Td "
        f"{font.hex(band)} Tj ET Q\n"
        # Bold as the WeasyPrint stamp's: the glyphs filled and outlined (render mode 2).
        f"q /AccDiag gs {COLOUR} rg {COLOUR} RG {diag_size / 40:.2f} w "
        f"{cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} {cx:.2f} {cy:.2f} cm "
        f"BT 2 Tr /AccF {diag_size:.2f} Tf {-font.width(diag, diag_size) / 2:.2f} 0 Td {font.hex(diag)} Tj ET Q"
    ).encode()
    head = (
        f"/Type /XObject /Subtype /Form /BBox [0 0 {width:.2f} {height:.2f}] "
        f"/Resources << /Font << /AccF {font_ref} 0 R >> /ExtGState << "
        f"/AccBand << /Type /ExtGState /ca {BAND_ALPHA} >> "
        f"/AccDiag << /Type /ExtGState /ca {DIAG_ALPHA} /CA {DIAG_ALPHA} >> >> >>"
    )
    return pdf_stream(head, zlib.compress(ops), deflated=True)
