"""A certificate of a finished learning path as a one-page PDF (fpdf2, built-in fonts: nothing
is downloaded or read from the system)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF


@dataclass(frozen=True)
class CertificateContent:
    """What a certificate says: who, which path (title and `id@version`), when, the cohort if
    any, and each step's title with the score that passed it."""

    person: str
    path_title: str
    path_ref: str
    issued_at: datetime
    steps: tuple[tuple[str, float | None], ...]
    cohort: str | None = None
    number: int | None = None


def latin1(text: str) -> str:
    """`text` in the PDF core fonts' alphabet: accents kept where Latin-1 has them, others
    reduced to their base letter, anything else as '?' (a name never breaks the PDF)."""
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


def render_certificate(content: CertificateContent) -> bytes:
    """The certificate as PDF bytes (A4 landscape)."""
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(latin1(f"Certificate: {content.path_title} - {content.person}"))
    pdf.set_author("Trainer")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    width = pdf.w - 2 * pdf.l_margin
    pdf.set_draw_color(40, 90, 160)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(30)
    pdf.set_font("Helvetica", "B", 30)
    pdf.cell(width, 14, "Certificate of completion", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.ln(6)
    pdf.cell(width, 8, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(width, 14, latin1(content.person), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(width, 8, "has completed the learning path", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(width, 11, latin1(content.path_title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    detail = f"{content.path_ref} - issued {content.issued_at:%d %B %Y}"
    if content.cohort:
        detail += f" - cohort {content.cohort}"
    pdf.cell(width, 7, latin1(detail), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _scores(pdf, content.steps)
    if content.number is not None:
        pdf.set_y(pdf.h - 22)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(width, 5, f"Certificate no. {content.number}", align="R")
    return bytes(pdf.output())


def _scores(pdf: FPDF, steps: tuple[tuple[str, float | None], ...]) -> None:
    """The table of steps and the score that passed each."""
    column, score_column = 140.0, 30.0
    left = (pdf.w - column - score_column) / 2
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_x(left)
    pdf.cell(column, 7, "Role-play", border="B")
    pdf.cell(score_column, 7, "Score", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for title, score in steps:
        pdf.set_x(left)
        pdf.cell(column, 7, latin1(title)[:80])
        text = "-" if score is None else f"{score:.0f}"
        pdf.cell(score_column, 7, text, align="R", new_x="LMARGIN", new_y="NEXT")
