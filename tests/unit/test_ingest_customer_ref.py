"""Who the customer is, for repeat-contact FCR: `customer_id` or `customer_email` from the
canonical JSON and CSV readers, kept out of the content hash."""

from __future__ import annotations

import json

import pytest

from trainer.errors import IngestError
from trainer.ingest.files import read_bytes

TURNS = [{"speaker": "agent", "text": "Hi"}, {"speaker": "customer", "text": "Hello"}]


def _json(**fields) -> bytes:
    return json.dumps({"id": "c-1", "customer": "Dana", "turns": TURNS, **fields}).encode()


def test_ingest_customer_ref_from_json_id_beats_email_and_email_is_lower_cased():
    [both] = read_bytes("a.json", _json(customer_id=1042, customer_email="D@X.com")).conversations
    assert both.customer_ref == "1042"  # numbers are ids too
    [email] = read_bytes("b.json", _json(customer_email=" Dana@Example.COM ")).conversations
    assert email.customer_ref == "dana@example.com"
    [none] = read_bytes("c.json", _json(customer_id="  ")).conversations
    assert none.customer_ref is None
    # learning the customer's id later does not make the same words a different conversation
    assert both.content_hash() == none.content_hash()


def test_ingest_customer_ref_from_csv_columns():
    csv = (
        "conversation_id,speaker,text,customer,Customer Email\n"
        "c-1,agent,Hi,Dana,DANA@example.com\n"
        "c-1,customer,Hello,,\n"
        "c-2,agent,Hi,Omar,\n"
    )
    read = read_bytes("chats.csv", csv.encode())
    assert {c.external_id: c.customer_ref for c in read.conversations} == {
        "c-1": "dana@example.com",
        "c-2": None,
    }


def test_ingest_customer_ref_csv_rows_that_disagree_are_refused():
    csv = "conversation_id,speaker,text,customer_id\nc-1,agent,Hi,C-1\nc-1,customer,Yo,C-2\n"
    with pytest.raises(IngestError, match="customer_id") as info:
        read_bytes("chats.csv", csv.encode())
    assert "line 3" in info.value.format() or ":3" in info.value.format()
