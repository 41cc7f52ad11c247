"""The counts the run's messages print."""

from __future__ import annotations

from govpulse.wording import counted, joined


def test_counts_in_the_run_messages_agree_with_their_number():
    assert counted(1, "file") == "1 file"
    assert counted(0, "file") == "0 files"
    assert counted(12040, "tweet") == "12,040 tweets"
    assert counted(1, "inbound reply", "inbound replies") == "1 inbound reply"
    assert counted(2, "inbound reply", "inbound replies") == "2 inbound replies"


def test_lists_in_the_run_messages_read_as_a_sentence():
    assert joined(["dbt's log"]) == "dbt's log"
    assert joined(["a", "b"]) == "a and b"
    assert joined(["a", "b", "c"]) == "a, b and c"
