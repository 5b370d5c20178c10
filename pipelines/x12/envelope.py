"""ISA delimiter detection and segment tokenizing.

X12 declares its own delimiters in the fixed-position ISA header: the element separator is the
character right after "ISA", the component separator is ISA16, and the segment terminator is the
character after ISA16.  Nothing is hard-coded: files in the wild use ``~``, ``\\n`` or ``_`` as
terminators and ``:``, ``>``, ``^`` as component separators.

Real payer files also carry a byte-order mark, prose before the ISA, CR/LF after every segment or
80-column line wrapping.  When the terminator is not itself a line break, line breaks carry no meaning
in X12 and are removed, which unwraps wrapped files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_ISA_RE = re.compile(r"ISA(?=[^A-Za-z0-9 \r\n])")
SEGMENT_ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
# the longest segment read (real ones are under a few kilobytes); a longer one is a missing terminator
MAX_SEGMENT = 1 << 20


class EnvelopeError(ValueError):
    """The file cannot be tokenized as X12 at all (no/garbled ISA)."""

    def __init__(self, code: str, message: str, seg_index: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.seg_index = seg_index


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str


@dataclass(frozen=True)
class Tokenized:
    delimiters: Delimiters
    segments: list[
        list[str] | None
    ]  # elements (None: longer than MAX_SEGMENT); segments[i] is seg_index i + 1
    prefix_text: str  # anything before the first ISA (reported, never parsed)


def decode(data: bytes) -> str:
    for bom in _BOMS:
        if data.startswith(bom):
            data = data[len(bom) :]
            break
    # latin-1 maps every byte to one character, so offsets stay meaningful and nothing raises.
    return data.decode("latin-1")


def detect_delimiters(text: str, isa_pos: int) -> Delimiters:
    el = text[isa_pos + 3]
    idx = isa_pos + 3
    for n in range(15):
        idx = text.find(el, idx + 1)
        if idx == -1:
            raise EnvelopeError(
                "ENV_BAD_ISA", f"ISA header has only {n + 1} of its 16 elements (truncated or garbled)", 1
            )
    comp_pos = idx + 1
    # ISA16 then the terminator; a line wrap may sit between them in 80-column files.
    if comp_pos + 1 >= len(text):
        raise EnvelopeError("ENV_BAD_ISA", "file ends inside the ISA header", 1)
    comp = text[comp_pos]
    term_pos = comp_pos + 1
    term = text[term_pos]
    if term in "\r\n":
        j = term_pos
        while j < len(text) and text[j] in "\r\n":
            j += 1
        nxt = text[j : j + 1]
        if nxt and not nxt.isalnum() and nxt not in " ":
            term = nxt  # wrapped: the real terminator follows the line break
        else:
            term = "\n"
    isa_fields = text[isa_pos:comp_pos].split(el)
    rep = isa_fields[11].strip() if len(isa_fields) > 11 else ""
    # 4010 used ISA11 as the standards id ("U"); in 5010 it is the repetition separator.
    repetition = rep if len(rep) == 1 and not rep.isalnum() else None
    if el.isalnum() or comp.isalnum() or term.isalnum() or len({el, comp, term}) < 3:
        raise EnvelopeError(
            "ENV_BAD_DELIMITERS",
            f"ISA declares unusable delimiters element={el!r} component={comp!r} segment={term!r}",
            1,
        )
    return Delimiters(element=el, component=comp, repetition=repetition, segment=term)


def tokenize(data: bytes) -> Tokenized:
    text = decode(data)
    if not text.strip():
        raise EnvelopeError("ENV_EMPTY", "file is empty")
    m = _ISA_RE.search(text)
    if m is None:
        if re.match(r"\s*ST[*|^~]", text):
            raise EnvelopeError(
                "ENV_NO_ISA", "file starts at ST with no ISA/GS envelope; delimiters cannot be trusted", 1
            )
        raise EnvelopeError("ENV_NO_ISA", "no ISA interchange header found: not an X12 file")
    pos = m.start()
    prefix = text[:pos]
    delims = detect_delimiters(text, pos)
    body = text[pos:]
    if delims.segment == "\n":
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        raw_segments = body.split("\n")
    else:
        if "\r" in body or "\n" in body:
            body = body.replace("\r", "").replace("\n", "")
        raw_segments = body.split(delims.segment)
    el = delims.element
    # a segment longer than MAX_SEGMENT (a missing terminator) is kept as None: counted and reported, not read
    segments = [
        None if len(s) > MAX_SEGMENT else s.split(el)
        for s in raw_segments
        if len(s) > MAX_SEGMENT or s.strip(" \t\x00\x1a")
    ]
    return Tokenized(delimiters=delims, segments=segments, prefix_text=prefix)
