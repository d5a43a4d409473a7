"""The date-of-birth recognizer's anchor gate: it only skips text where _DATE cannot match."""

from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.privacy.recognizers.dob import _DATE, DATE_ANCHOR, date_matches

# Pieces that make dates and near-dates, glued by random separators.
PIECES = [
    "3", "03", "12", "31", "1951", "2026", "51", "'51", "/", "-", ".", ",", " ", "  ", "of",
    "the", "third", "twelfth", "thirteenth", "March", "mar", "sept", "may", "summary", "nineteen",
    "fifty", "one", "oh", "two thousand", "born", "x", "1st", "order", "dot", "at",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=12), st.lists(st.sampled_from(" ,/-."), max_size=12)
)
def test_date_anchor_never_hides_a_date(pieces, glue):
    text = "".join(p + (glue[i] if i < len(glue) else "") for i, p in enumerate(pieces))
    found = [m.span() for m in _DATE.finditer(text)]
    if found:
        assert DATE_ANCHOR.search(text), text
    assert [m.span() for m in date_matches(text)] == found


def test_date_anchor_skips_text_without_dates_and_keeps_each_shape():
    assert DATE_ANCHOR.search("The refund for order 12345 went to dana at example dot com.") is None
    for text in (
        "born on 3 March 1951",
        "the third of the third nineteen fifty one",
        "03/03/1951",
        "1951-03-03",
        "March 1951",
        "sept. fifth",
    ):
        assert list(date_matches(text)) and DATE_ANCHOR.search(text), text
