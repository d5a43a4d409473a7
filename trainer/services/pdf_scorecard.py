"""The PDF scorecard of one agent (fpdf2, no network, core fonts): header with the range and
the overall score and interval, the trend drawn as a line chart, a table of sections with n,
strengths and misses, and coaching actions. Takes the dict `agent_scorecard` returns."""

from __future__ import annotations

from fpdf import FPDF

# Core PDF fonts are Latin-1; typographic characters people type get plain equivalents.
_PLAIN = str.maketrans({"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "..."})
GREY, BLUE, RED, GREEN = (120, 120, 120), (37, 99, 235), (200, 40, 40), (22, 130, 60)


def _text(value) -> str:
    """Text the core fonts can draw (anything else becomes '?')."""
    text = "" if value is None else str(value)
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _figure(score, n=None) -> str:
    shown = "-" if score is None else f"{score:.0f}"
    return shown if n is None else f"{shown} (n={n})"


def _trend_chart(pdf: FPDF, trend: list[dict], width: float = 180, height: float = 55) -> None:
    """The mean score per period as a polyline on a 0-100 grid, each point labelled with n."""
    x0, y0 = pdf.get_x(), pdf.get_y()
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.set_font("Helvetica", size=7)
    for level in (0, 25, 50, 75, 100):
        y = y0 + height - height * level / 100
        pdf.line(x0 + 8, y, x0 + width, y)
        pdf.text(x0, y + 1, str(level))
    points = [t for t in trend if t.get("score") is not None]
    if not points:
        pdf.text(x0 + 12, y0 + height / 2, "No scored conversations in this range.")
        pdf.set_y(y0 + height + 6)
        return
    step = (width - 16) / max(1, len(points) - 1)
    coords = [
        (x0 + 12 + i * step, y0 + height - height * p["score"] / 100) for i, p in enumerate(points)
    ]
    pdf.set_draw_color(*BLUE)
    pdf.set_line_width(0.7)
    for (xa, ya), (xb, yb) in zip(coords, coords[1:], strict=False):
        pdf.line(xa, ya, xb, yb)
    pdf.set_fill_color(*BLUE)
    for (x, y), point in zip(coords, points, strict=False):
        pdf.ellipse(x - 0.9, y - 0.9, 1.8, 1.8, style="F")
        pdf.text(x - 4, y0 + height + 4, point["period"][5:])
        pdf.text(x - 2, y - 2, f"{point['score']:.0f}")
    pdf.set_y(y0 + height + 8)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_text_color(0, 0, 0)
    pdf.cell(0, 8, _text(text), new_x="LMARGIN", new_y="NEXT")


def _list(pdf: FPDF, items: list[str], color=(0, 0, 0)) -> None:
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(*color)
    if not items:
        items = ["None in this range."]
    for item in items:
        pdf.multi_cell(0, 5, _text(f"- {item}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)


def agent_pdf_bytes(card: dict, actions: list[dict]) -> bytes:
    """The PDF scorecard of the agent in `card` (from `agent_scorecard`) with `actions`."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    row = card.get("row") or {}
    agent = card.get("agent") or row.get("agent") or ""
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(f"Scorecard: {agent}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.set_text_color(*GREY)
    teams = ", ".join(row.get("teams") or []) or "no team"
    pdf.cell(
        0, 6, _text(f"{card['since']} to {card['until']} - {teams}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_text_color(0, 0, 0)
    if row:
        interval = (
            f"95% interval {row['low']:.0f}-{row['high']:.0f}" if row.get("low") is not None else ""
        )
        caution = " (few conversations: uncertain)" if row.get("uncertain") else ""
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(
            0,
            8,
            _text(
                f"Overall {_figure(row['score'])} from {row['conversations']} conversations "
                f"({row['reviewed']} reviewed), {interval}{caution}"
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(2)
    _heading(pdf, f"Trend per {card.get('period', 'week')}")
    _trend_chart(pdf, card.get("trend") or [])
    _heading(pdf, "Sections")
    pdf.set_font("Helvetica", size=9)
    for section in row.get("sections") or []:
        pdf.cell(120, 6, _text(section["title"]), border="B")
        pdf.cell(
            0, 6, _figure(section["score"], section["n"]), border="B", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(3)
    _heading(pdf, "Strengths")
    _list(
        pdf,
        [f"{c['title']}: {_figure(c['score'], c['n'])}" for c in card.get("strengths") or []],
        GREEN,
    )
    _heading(pdf, "Misses")
    _list(
        pdf, [f"{c['title']}: {_figure(c['score'], c['n'])}" for c in card.get("misses") or []], RED
    )
    _heading(pdf, "Coaching actions")
    _list(
        pdf,
        [
            f"[{'done' if a['done'] else 'open'}] {a['text']}"
            + (f" (due {a['due_on']})" if a.get("due_on") else "")
            + f" - {a['session']}"
            for a in actions
        ],
    )
    return bytes(pdf.output())
