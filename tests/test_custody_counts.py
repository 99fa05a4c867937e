"""`verify_chain` says how much of the log can still be relied on, and never counts a changed
entry among the intact ones."""

import pytest
from django.core.management import CommandError, call_command

from incidents import custody
from incidents.models import CustodyEntry
from tests.test_custody import (  # noqa: F401 (fixtures)
    _unguarded,
    _verify_chain_fails,
    history,
    week_made_once,
)

# Ten logged actions, as in test_custody, made once for the module: every test here reads them.
pytestmark = pytest.mark.usefixtures("history")


def _rewrite(sequence: int, **changes) -> None:
    """Change an entry and give it a matching hash, as someone who knows the scheme would."""
    entry = CustodyEntry.objects.get(sequence=sequence)
    for field, value in changes.items():
        setattr(entry, field, value)
    entry.entry_hash = custody.entry_hash(entry)
    with _unguarded():
        entry.save()


@pytest.mark.slow
def test_an_entry_rewritten_with_a_new_hash_is_not_counted_as_intact():
    _rewrite(5, object_type="incident")
    message = _verify_chain_fails()
    assert "Entry 6 does not follow entry 5" in message
    # Entry 5 itself was changed: only the four before it can be relied on.
    assert "Entries 1 to 4 are intact." in message
    assert "5 entries" not in message


def test_a_rewritten_last_entry_is_not_counted_as_intact():
    _rewrite(10, object_type="evidence")
    message = _verify_chain_fails()
    assert "The chain head does not match entry 10" in message
    assert "Entries 1 to 9 are intact." in message


def test_a_changed_entry_counts_only_the_entries_before_it():
    with _unguarded():
        CustodyEntry.objects.filter(sequence=2).update(action="amended")
    message = _verify_chain_fails()
    assert "Entry 2 (amended incident) no longer matches its hash" in message
    assert "Entry 1 is intact." in message


def test_a_change_in_the_first_entry_leaves_nothing_to_vouch_for():
    with _unguarded():
        CustodyEntry.objects.filter(sequence=1).update(action="amended")
    message = _verify_chain_fails()
    assert "Entry 1 (amended case) no longer matches its hash" in message
    assert "No entry before it can be relied on." in message


def test_a_log_rewritten_from_the_start_claims_no_intact_entries():
    printed = custody.chain_head()
    with _unguarded():
        previous = custody.GENESIS
        for entry in CustodyEntry.objects.order_by("sequence"):
            if entry.sequence == 3:
                entry.object_type = "case"
            entry.previous_hash = previous
            entry.entry_hash = previous = custody.entry_hash(entry)
            entry.save()
        custody.CustodyHead.objects.update(entry_hash=previous)
    with pytest.raises(CommandError) as failure:
        call_command("verify_chain", head=[str(printed)])
    message = str(failure.value)
    assert "Entry 10 differs from the head recorded earlier" in message
    assert "are intact" not in message
    assert "Which entries before it are unchanged cannot be told" in message
