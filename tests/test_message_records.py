"""Imported messages and calls are never edited: only a note and hiding from the dossier, each kept
in the item's history and the custody log."""

from django.utils import timezone

from incidents import custody
from incidents.message_services import imported_hide, imported_note_set, imported_show
from incidents.models import Case, CustodyEntry
from tests.test_access import IMPORTED_MAKERS


def _items(alice):
    case = Case.objects.owned_by(alice).get()
    return [make(case, timezone.now()) for make in IMPORTED_MAKERS.values()]


def test_a_note_is_kept_with_the_version_it_replaced_and_logged(alice):
    for item in _items(alice):
        assert imported_note_set(item=item, note="  The night after the notice.  ")
        item.refresh_from_db()
        assert item.note == "The night after the notice."
        assert item.revisions.get().data["note"] == ""
        assert CustodyEntry.objects.filter(object_uuid=item.uuid, action="amended").count() == 1
        assert not imported_note_set(item=item, note="The night after the notice.")
    assert custody.altered_records() == []


def test_hiding_needs_a_reason_and_showing_again_keeps_the_reason_in_history(alice):
    item = _items(alice)[0]
    try:
        imported_hide(item=item, reason="   ")
    except ValueError:
        pass
    else:
        raise AssertionError("an item was hidden without a reason")
    assert imported_hide(item=item, reason="A message to my sister, sent by mistake.")
    item.refresh_from_db()
    assert item.is_hidden
    assert imported_show(item=item)
    item.refresh_from_db()
    assert not item.is_hidden and item.hidden_reason == ""
    reasons = [r.data["hidden_reason"] for r in item.revisions.all()]
    assert reasons == ["", "A message to my sister, sent by mistake."]
    assert custody.altered_records() == []


def test_a_row_changed_behind_the_apps_back_is_found(alice):
    item = _items(alice)[0]
    imported_note_set(item=item, note="Logged.")
    type(item).objects.filter(pk=item.pk).update(body="Something else entirely.")
    assert any(str(item.uuid) in problem for problem in custody.altered_records())
