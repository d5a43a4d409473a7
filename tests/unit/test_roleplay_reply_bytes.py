"""A spoken role-play reply's bytes are sniffed before any decoding: the page's upload and the
API's recorder route say the same thing for what is not audio."""

from __future__ import annotations

import pytest

from trainer.services.roleplay import transcribe_reply_bytes


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"<html><body>not audio</body></html>", "That is not an audio recording"),
        (b"%PDF-1.7\n" + b"x" * 600, "That is not an audio recording"),
    ],
)
def test_roleplay_reply_bytes_refuses_what_is_not_audio(data, message):
    text, error = transcribe_reply_bytes(data, ".webm")
    assert text == ""
    assert error.startswith(message)
