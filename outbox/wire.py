"""An email's bytes made once for everyone who reads the same thing, and filled in for each copy.

A fan-out sends thousands of copies of one message that differ only in a few places: the recipient, the
Date, the Message-ID and notification key, the reader's name and signed links in the text and HTML, and the
reader's calendar file. Building each copy's MIME tree and flattening it (header folding, a boundary checked
against the whole text by a regular expression compiled for it, base64) cost more than anything else a send
did (issue 21). A ``WireTemplate`` is the message flattened once, by the standard library as Django calls it,
with markers in those places; ``WireCopy.fill`` puts one copy's values in.

``fill`` answers ``None`` whenever the copy would not be byte for byte what Django's ``message().as_bytes()``
writes for it (a header that would be folded or encoded, a line long enough for quoted-printable, a value
that could be read as a boundary, an address Django would rewrite...): the copy is then flattened the usual
way. The SMTP backend (``outbox.smtp``) sends the filled bytes; every other backend, and anything that asks
for ``message()``, gets the email as Django builds it.
"""

from __future__ import annotations

import base64
import re
from email.charset import Charset
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import sanitize_address

MARK = "\x1f"
# The headers ``outbox.sending.build`` adds to every message, in that order, after the kind's own (none).
COPY_HEADERS = ("Message-ID", "X-ACCMSME-Notification")
# A stand-in recipient: Django parses the To header as an address, so a marker could not stand there.
_TO = "wire-to@wire.invalid"
_MARKERS = re.compile(rb"\x1f([a-z0-9-]{1,40})\x1f|" + re.escape(_TO.encode()))
# An address Django writes as it is: a dot-atom local part at an ASCII domain (anything else is parsed,
# quoted or IDNA-encoded by ``sanitize_address``, and the copy is flattened the usual way).
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*"
)
_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")
_FOLD_AT = 78  # the length past which the standard library folds a header line
_LINE_LIMIT = 998  # a text line longer than this makes Django choose quoted-printable
_UTF8 = Charset("utf-8")


def marker(name: str) -> str:
    """Where a copy's value goes, in text, HTML or a header of the template."""
    return f"{MARK}{name}{MARK}"


def plain_address(address: str) -> bool:
    return _PLAIN_ADDRESS.fullmatch(address) is not None


def _base64_text(data: bytes) -> bytes:
    """A ``text/*`` part's base64, as ``MIMEText(..., "utf-8")`` writes it."""
    return _UTF8.body_encode(data).replace("\n", "\r\n").encode("ascii")


def _base64_file(data: bytes) -> bytes:
    """An attachment's base64, as ``email.encoders.encode_base64`` writes it."""
    encoded = base64.encodebytes(data)
    if data and data[-1:] != b"\n" and encoded.endswith(b"\n"):
        encoded = encoded[:-1]
    return encoded.replace(b"\n", b"\r\n")


class WireTemplate:
    """One message flattened with markers where its copies differ. Made from an email whose text and HTML
    hold ``marker(...)`` where each copy's values go; its other alternatives and attachments, base64
    encoded, are filled whole per copy (``payloads``, in the order of the parts)."""

    def __init__(self, email: EmailMessage) -> None:
        self.from_email = email.from_email
        self.envelope_from = sanitize_address(email.from_email, email.encoding or settings.DEFAULT_CHARSET)
        email.to = [_TO]
        email.extra_headers = {"Date": marker("date")} | {
            name: marker(f"h{i}") for i, name in enumerate(COPY_HEADERS)
        }
        mime = email.message()
        self.payload_kinds: list[bool] = []  # per base64 part: a text part (True) or a file
        texts: list[tuple[str, bool]] = []
        for part in mime.walk():
            if part.is_multipart():
                continue
            encoding = str(part.get("Content-Transfer-Encoding", "")).lower()
            if encoding == "base64":
                part.set_payload(marker(f"b64-{len(self.payload_kinds)}"))
                self.payload_kinds.append(part.get_content_maintype() == "text")
            elif encoding in ("7bit", "8bit"):
                name = f"cte-{len(texts)}"
                texts.append((name, encoding == "7bit"))
                part.replace_header("Content-Transfer-Encoding", marker(name))
            else:  # quoted-printable: the template's own lines are too long to fill in place
                self.segments = None
                return
        raw = mime.as_bytes(linesep="\r\n")
        # Flattening chose the boundaries; a text part's payload ends where the next boundary line starts.
        ends = [b"\r\n--" + p.get_boundary().encode() for p in mime.walk() if p.is_multipart()]
        self.segments: list[bytes | str] | None = []
        at = 0
        for found in _MARKERS.finditer(raw):
            self.segments.append(raw[at : found.start()])
            self.segments.append(found.group(1).decode() if found.group(1) else "to")
            at = found.end()
        self.segments.append(raw[at:])
        self.parts = [self._text_part(name, was_ascii, ends) for name, was_ascii in texts]

    def _text_part(self, name: str, was_ascii: bool, ends: list[bytes]) -> tuple[str, frozenset[str], bool]:
        """A 7bit/8bit part: the markers in its payload (from its encoding marker to the next boundary line),
        and whether its own text is ASCII (then a copy's non-ASCII value makes it 8bit, as Django would)."""
        segments = self.segments
        i = segments.index(name) + 1
        markers, own = set(), []
        while i < len(segments):
            seg = segments[i]
            if isinstance(seg, str):
                markers.add(seg)
            else:
                cut = min((seg.find(end) for end in ends if end in seg), default=-1)
                if cut >= 0:
                    own.append(seg[:cut])
                    break
                own.append(seg)
            i += 1
        return name, frozenset(markers), was_ascii and b"".join(own).isascii()

    @property
    def usable(self) -> bool:
        return self.segments is not None


class WireCopy:
    """One copy of a template: its text values (by marker name) and its base64 parts' contents."""

    __slots__ = ("template", "values", "payloads")

    def __init__(self, template: WireTemplate, values: dict[str, str], payloads: list[bytes]) -> None:
        self.template, self.values, self.payloads = template, values, payloads

    def fill(self, email: EmailMessage) -> bytes | None:
        """The copy's bytes for ``email`` as it is about to be sent, or ``None`` to flatten it the usual way."""
        template = self.template
        if not template.usable or email.from_email != template.from_email or len(email.to) != 1:
            return None
        if email.cc or email.reply_to or tuple(email.extra_headers) != COPY_HEADERS:
            return None
        to = email.to[0]
        if not plain_address(to) or len("To: ") + len(to) > _FOLD_AT:
            return None
        filled: dict[str, bytes] = {"to": to.encode("ascii")}
        headers = {"date": formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}
        headers |= {f"h{i}": email.extra_headers[name] for i, name in enumerate(COPY_HEADERS)}
        for (key, value), name in zip(headers.items(), ("Date", *COPY_HEADERS), strict=True):
            if key != "date" and (
                not _HEADER_VALUE.fullmatch(value) or len(name) + 2 + len(value) > _FOLD_AT
            ):
                return None
            filled[key] = value.encode("ascii")
        for name, value in self.values.items():
            if "\n" in value or "\r" in value or "=====" in value:
                return None  # a new line, or what could read as a boundary line
            filled[name] = value.encode("utf-8")
        if len(self.payloads) != len(template.payload_kinds):
            return None
        for i, (is_text, data) in enumerate(zip(template.payload_kinds, self.payloads, strict=True)):
            filled[f"b64-{i}"] = _base64_text(data) if is_text else _base64_file(data)
        for name, markers, was_ascii in template.parts:
            ascii_ = was_ascii and all(self.values.get(m, "").isascii() for m in markers)
            filled[name] = b"7bit" if ascii_ else b"8bit"
        try:
            raw = b"".join(seg if isinstance(seg, bytes) else filled[seg] for seg in template.segments)
        except KeyError:
            return None  # a marker this copy has no value for
        if _too_long(raw):
            return None
        return raw


def _too_long(raw: bytes) -> bool:
    """A line past the limit: Django would have written that text part quoted-printable."""
    return any(len(line) > _LINE_LIMIT for line in raw.split(b"\r\n"))
