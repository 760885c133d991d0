"""PDF documents: pages read with pypdfium2, cleaned by general rules, and files that are not PDFs refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from councilkg.errors import CouncilKGError
from councilkg.sources.pdf import PdfError, PdfText, clean_pages, read_pdf, sniff

from .conftest import shared_path

REPORTS = shared_path("data", "ofsted-reports")
needs_reports = pytest.mark.skipif(not REPORTS.is_dir(), reason="../shared/data/ofsted-reports is not beside the project")


def test_a_hyphen_pdfium_marks_at_a_line_end_stays_a_hyphen_and_a_soft_hyphen_goes() -> None:
    [page] = clean_pages(["a multi\ufffeagency team and timely decision\ufffemaking; a well\u00adknown rule"])
    assert page == "a multi-agency team and timely decision-making; a wellknown rule"


def test_running_headers_with_a_page_number_glued_on_and_lone_page_numbers_go() -> None:
    header = "Inspection of Leicester City Council local authority children’s services"
    pages = ["Title page\nInspection dates: 23 to 27 September 2024"] + [
        f"{header}\n23 to 27 September 2024 {n}\nParagraph text on page {n}.\n{n}" for n in range(2, 6)]
    cleaned = clean_pages(pages)
    assert cleaned[0] == pages[0]  # the title page keeps its lines
    for n, page in enumerate(cleaned[1:], 2):
        assert page == f"Paragraph text on page {n}."


def test_footnote_markers_inside_sentences_go_where_the_page_has_that_footnote() -> None:
    page = ("Review of the effectiveness of the Local Safeguarding Children\nBoard1\n"
            "good help, care and protection.2\n2.1 Adoption performance Requires improvement\n"
            "3. Leadership, management and governance Good\nsection 152 of the Act\n \n"
            "1 Ofsted produces this report under its power to combine reports.\n2\nA full description of the judgements.")
    [cleaned] = clean_pages([page])
    assert "Children\nBoard\n" in cleaned and "protection.\n" in cleaned
    assert "2.1 Adoption" in cleaned and "section 152 of" in cleaned  # numbers that are not markers stay
    assert "1 Ofsted produces" in cleaned  # the footnote itself stays


def test_bullet_glyphs_and_glued_tokens() -> None:
    [page] = clean_pages(["\uf0b7 The quality of plans.\n◼ Supervision.\n32.Senior managers know their services; "
                          "117,900children live here, 3rd of 10am"])
    assert page == ("• The quality of plans.\n• Supervision.\n32. Senior managers know their services; "
                    "117,900 children live here, 3rd of 10am")


def test_offsets_map_to_pages() -> None:
    text = PdfText(("first page", "second page", "third"))
    assert text.text == "first page\n\nsecond page\n\nthird"
    assert [text.page_at(text.text.index(w)) for w in ("first", "second", "third")] == [1, 2, 3]


def test_a_web_page_saved_as_pdf_is_refused_with_the_reason(tmp_path: Path) -> None:
    page = tmp_path / "50000001.pdf"
    page.write_text("<!DOCTYPE html>\n<html lang='en'><head><title>Ofsted</title></head></html>")
    with pytest.raises(PdfError, match="web page") as caught:
        read_pdf(page)
    assert isinstance(caught.value, CouncilKGError)
    assert sniff(b"%PDF-1.7\n") is None and "not a PDF" in (sniff(b"PK\x03\x04 a zip") or "")


@needs_reports
def test_the_saved_web_pages_in_the_shared_reports_are_refused() -> None:
    pages = [p for p in sorted(REPORTS.glob("*.pdf")) if not p.read_bytes()[:5].startswith(b"%PDF-")]
    assert pages, "the shared folder has web pages saved as .pdf"
    for path in pages:
        with pytest.raises(PdfError, match="web page"):
            read_pdf(path)


@needs_reports
def test_a_damaged_pdf_is_refused_with_the_reason(tmp_path: Path) -> None:
    real = next(p for p in sorted(REPORTS.glob("*.pdf")) if p.read_bytes()[:5] == b"%PDF-")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(real.read_bytes()[:2000])
    with pytest.raises(PdfError, match="damaged"):
        read_pdf(broken)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(PdfError, match="empty"):
        read_pdf(empty)
