"""Changes between two versions, named by the field paths a curator sees."""
from catalogue.diffing import FieldChange, diff


def test_a_changed_caption_is_named_by_its_path_and_language():
    before = {"slug": "b", "version": 1, "sections": [{"title": {"en": ["A"]}, "items": [{"object": "o1"}]}]}
    after = {"slug": "b", "version": 2, "sections": [{"title": {"en": ["A"]},
                                                      "items": [{"object": "o1", "caption": {"fr": ["Une"]}}]}]}
    assert diff(before, after) == [FieldChange("sections[0].items[0].caption", None, {"fr": ["Une"]})]


def test_an_added_section_and_a_removed_field_are_changes_and_stamps_are_not():
    before = {"title": {"en": ["T"]}, "summary": {"en": ["S"]}, "sections": [], "updated": "x"}
    after = {"title": {"en": ["T"]}, "sections": [{"title": {"en": ["New"]}}], "updated": "y"}
    assert diff(before, after) == [FieldChange("summary", {"en": ["S"]}, None),
                                   FieldChange("sections[0]", None, {"title": {"en": ["New"]}})]
