"""PDF files as text: pages read with pypdfium2 and cleaned before anything reads them.

``read_pdf(path)`` gives a ``PdfText``: one cleaned string a page, and the document text (pages joined by a
blank line) with each page's offset in it, so a passage or a match keeps its page number and character span.
Cleaning, in the order ``clean_pages`` applies it (each rule is general, not tied to one report):

- line ends unified; a hyphen the PDF marks as breakable (U+FFFE, which pdfium gives for a hyphen at a line
  end: "multi\\ufffeagency") becomes "-"; a soft hyphen (U+00AD) is removed;
- bullet glyphs (private-use characters, "◼", "▪", "●", "") at the start of a line become "• ";
- running headers and footers (a line that begins or ends several pages, the same once a trailing page
  number is set aside: "Inspection of X local authority children's services", "14 to 25 October 2024 2") and
  lone page numbers are removed, except from the first page, whose title is often the running header;
- footnote markers glued to a word or full stop ("Board1", "protection.2") are removed where the page has a
  footnote of that number; the footnotes themselves stay, as text at the page's end;
- glued tokens are separated: "32.Senior managers" -> "32. Senior managers", "117,900children" ->
  "117,900 children".

A file that is not a PDF (a web page saved as ``.pdf``), an encrypted or damaged PDF, or one over the size
and page limits raises ``PdfError`` with the reason; the loaders turn it into a warning naming the file.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pypdfium2 as pdfium

from councilkg.errors import UnreadableFileError

MAX_BYTES = 50_000_000
MAX_PAGES = 400
PAGE_SEPARATOR = "\n\n"


class PdfError(UnreadableFileError):
    """A file that cannot be read as a PDF; the message says why."""


@dataclass(frozen=True)
class PdfText:
    """A document's cleaned pages; ``text`` joins them, and offsets in it map to pages."""

    pages: tuple[str, ...]

    @cached_property
    def text(self) -> str:
        """The document's text: its cleaned pages joined by a blank line."""
        return PAGE_SEPARATOR.join(self.pages)

    @cached_property
    def page_starts(self) -> tuple[int, ...]:
        """The offset in ``text`` at which each page begins."""
        starts, at = [], 0
        for page in self.pages:
            starts.append(at)
            at += len(page) + len(PAGE_SEPARATOR)
        return tuple(starts)

    def page_at(self, offset: int) -> int:
        """The page number (1-based) holding the character at ``offset`` of ``text``."""
        return max(1, bisect.bisect_right(self.page_starts, offset))


def sniff(data: bytes) -> str | None:
    """Why these bytes are not a PDF, or None if they begin like one."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return None
    if re.match(rb"(?i)<!doctype html|<html|<\?xml|<head|<body", head):
        return "it is a web page (HTML) saved with a .pdf name, not a PDF"
    if not head:
        return "it is empty"
    return "it is not a PDF (it does not begin with %PDF-)"


def raw_pages(path: Path) -> list[str]:
    """The text of each page as pdfium gives it. Raises PdfError naming why the file cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PdfError(f"it is {size / 1e6:.1f} MB, more than the {MAX_BYTES / 1e6:.0f} MB a PDF may be")
        data = path.read_bytes()
    except OSError as exc:
        raise PdfError(f"cannot read it: {exc.strerror}") from None
    problem = sniff(data)
    if problem:
        raise PdfError(problem)
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PdfError("it is encrypted (password protected)") from None
        raise PdfError(f"it is damaged: {message}") from None
    try:
        if len(document) > MAX_PAGES:
            raise PdfError(f"it has {len(document)} pages, more than the {MAX_PAGES} a PDF may have")
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return pages
    except pdfium.PdfiumError as exc:
        raise PdfError(f"it is damaged: {exc}") from None
    finally:
        document.close()


def read_pdf(path: Path) -> PdfText:
    """The cleaned text of a PDF's pages. Raises PdfError naming why the file cannot be read."""
    pages = clean_pages(raw_pages(path))
    if not any(page.strip() for page in pages):
        raise PdfError("it holds no text (a scanned image?)")
    return PdfText(tuple(pages))


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------

_BULLET_RE = re.compile(r"(?m)^[ \t]*(?:[\ue000-\uf8ff]|[◼▪●■•◦▶➢✓\u2022\u25aa\u25cf])[ \t]*")
_TRAILING_NUMBER_RE = re.compile(r"^(.*?\S)\s+(\d{1,3})$")
_LONE_NUMBER_RE = re.compile(r"^\s*\d{1,3}\s*$")
_GLUED_HEADING_RE = re.compile(r"(?m)^(\d{1,3}\.)(?=[A-Z][a-z])")
_GLUED_NUMBER_RE = re.compile(r"(?<![\w,.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?=[a-z]{3,}\b)")
_FOOTNOTE_LINE_RE = re.compile(r"^(\d{1,2})(?:\s+\S.*)?$")


def clean_line_ends(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\ufffe", "-").replace("\u00ad", "").replace("\u00a0", " ").replace("\ufeff", "")
    text = text.replace("\ufffd", "").replace("\x02", "-")
    return _BULLET_RE.sub("• ", text)


def _header_key(line: str) -> str:
    """A line with a trailing page number set aside and whitespace collapsed: how running headers repeat."""
    line = " ".join(line.split())
    match = _TRAILING_NUMBER_RE.match(line)
    return match.group(1) if match else line


def _edges(lines: list[str], count: int = 2) -> list[int]:
    """The indexes of the first and last ``count`` non-blank lines."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:count] + filled[-count:]))


def running_lines(pages: list[list[str]]) -> set[str]:
    """Header keys of the lines that begin or end at least a third of the pages (and at least two)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_header_key(lines[i]) for i in _edges(lines) if not _LONE_NUMBER_RE.match(lines[i])})
    floor = max(2, len(pages) // 3)
    return {key for key, n in counts.items() if n >= floor and len(key) > 3}


def _footnote_numbers(lines: list[str]) -> set[str]:
    """Numbers of the footnotes at the foot of a page: lines after the body that begin with a small number."""
    numbers = set()
    tail = lines[len(lines) * 2 // 3:] if len(lines) > 6 else lines
    for line in tail:
        match = _FOOTNOTE_LINE_RE.match(line.strip())
        if match and not re.match(r"^\d{1,2}\.\s", line.strip()):
            numbers.add(match.group(1))
    return numbers


def _drop_markers(line: str, numbers: set[str]) -> str:
    if not numbers:
        return line
    alternatives = "|".join(sorted(numbers, key=len, reverse=True))
    # after a letter, or after a letter and a closing mark ("protection.2"), never inside a number ("2.1")
    return re.sub(rf"(?:(?<=[a-z])|(?<=[a-z][.,;:)’'\"”]))({alternatives})(?=\s|$|[,.;:])", "", line)


def clean_pages(raw: list[str]) -> list[str]:
    """Each page's text cleaned (see the module docstring)."""
    pages = [clean_line_ends(page).split("\n") for page in raw]
    running = running_lines(pages)
    out = []
    for number, lines in enumerate(pages, 1):
        edges = set(_edges(lines))
        kept = []
        for i, line in enumerate(lines):
            # the title page keeps its lines: its title is often the running header of the pages after it
            if i in edges and ((number > 1 and _header_key(line) in running) or line.strip() == str(number)
                               or (_LONE_NUMBER_RE.match(line) and i == min(edges))):
                continue
            kept.append(line.rstrip())
        notes = _footnote_numbers(kept)
        body = "\n".join(_drop_markers(line, notes) for line in kept).strip("\n")
        body = _GLUED_HEADING_RE.sub(r"\1 ", body)
        body = _GLUED_NUMBER_RE.sub(r"\1 ", body)
        out.append(body)
    return out
