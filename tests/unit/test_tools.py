"""parse_tool_call: what the bot accepts from a model's tool call, and what it refuses."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.actions import (
    BOOK_SLOT,
    CANCEL,
    FIND_SLOTS,
    MAX_TEXT,
    MAX_WHEN,
    RESCHEDULE,
    SAVE_DETAILS,
    TOOL_NAMES,
    TOOL_SCHEMAS,
    BookSlot,
    Cancel,
    FindSlots,
    Reschedule,
    SaveDetails,
    parse_tool_call,
)


def test_schemas_name_every_tool_once_in_openai_function_format() -> None:
    names = [schema["function"]["name"] for schema in TOOL_SCHEMAS]
    assert sorted(names) == sorted(TOOL_NAMES)
    for schema in TOOL_SCHEMAS:
        assert schema["type"] == "function"
        assert schema["function"]["parameters"]["type"] == "object"
        assert schema["function"]["description"]
    assert json.loads(json.dumps(TOOL_SCHEMAS)) == TOOL_SCHEMAS


def test_find_slots_keeps_the_day_phrase_as_the_lead_said_it() -> None:
    call = parse_tool_call(FIND_SLOTS, '{"day": "  next  tuesday ", "part_of_day": "Morning",'
                                       ' "time": "9:30"}')
    assert call == FindSlots("next tuesday morning at 09:30")


def test_find_slots_without_arguments_is_valid() -> None:
    assert parse_tool_call(FIND_SLOTS, "{}") == FindSlots()
    assert parse_tool_call(FIND_SLOTS, "") == FindSlots()


def test_null_and_blank_optional_arguments_count_as_absent() -> None:
    assert parse_tool_call(FIND_SLOTS, '{"day": null, "time": "  "}') == FindSlots()


@pytest.mark.parametrize("raw", [
    '{"part_of_day": "night"}',
    '{"time": "25:00"}',
    '{"time": "half past nine"}',
    '{"day": 3}',
    '{"day": ["tomorrow"]}',
])
def test_find_slots_with_a_wrong_value_or_type_is_refused(raw: str) -> None:
    assert parse_tool_call(FIND_SLOTS, raw) is None


def test_unknown_keys_are_dropped() -> None:
    call = parse_tool_call(CANCEL, '{"appointment_id": 42, "everyone": true}')
    assert call == Cancel()
    call = parse_tool_call(BOOK_SLOT, '{"choice": 2, "start": "2026-01-01T09:00"}')
    assert call == BookSlot(2)


@pytest.mark.parametrize("choice", [1, 10])
def test_book_slot_accepts_choices_one_to_ten(choice: int) -> None:
    assert parse_tool_call(BOOK_SLOT, json.dumps({"choice": choice})) == BookSlot(choice)


@pytest.mark.parametrize("raw", [
    '{"choice": 0}', '{"choice": 11}', '{"choice": -1}', '{"choice": "2"}', '{"choice": 2.5}',
    '{"choice": true}', '{"choice": null}', "{}",
])
def test_book_slot_refuses_anything_but_an_int_from_one_to_ten(raw: str) -> None:
    assert parse_tool_call(BOOK_SLOT, raw) is None


def test_save_details_trims_and_caps_each_field() -> None:
    raw = json.dumps({"name": " Ada\nLovelace ", "email": "ada@example.com",
                      "notes": "x" * 1000, "age": 36})
    call = parse_tool_call(SAVE_DETAILS, raw)
    assert isinstance(call, SaveDetails)
    assert call.name == "Ada Lovelace"
    assert call.email == "ada@example.com"
    assert call.notes is not None and len(call.notes) == MAX_TEXT
    assert {k for k, v in dataclasses.asdict(call).items() if v} == {"name", "email", "notes"}


def test_save_details_with_nothing_to_save_is_refused() -> None:
    assert parse_tool_call(SAVE_DETAILS, '{"name": "  "}') is None
    assert parse_tool_call(SAVE_DETAILS, '{"phone": 4915112345678}') is None


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"tomorrow"', "null", "1e999999"])
def test_malformed_arguments_are_refused(raw: str) -> None:
    assert parse_tool_call(FIND_SLOTS, raw) is None


def test_an_unknown_tool_is_refused() -> None:
    assert parse_tool_call("delete_all_leads", "{}") is None
    assert parse_tool_call("", "{}") is None


def test_reschedule_takes_no_arguments() -> None:
    assert parse_tool_call(RESCHEDULE, '{"to": "friday"}') == Reschedule()


@given(name=st.sampled_from([*sorted(TOOL_NAMES), "other"]), raw=st.text(max_size=300))
def test_never_raises_on_any_input(name: str, raw: str) -> None:
    call = parse_tool_call(name, raw)
    assert call is None or call.tool == name


@given(args=st.dictionaries(st.sampled_from(["day", "part_of_day", "time", "name", "notes",
                                             "choice", "email"]),
                            st.one_of(st.none(), st.integers(), st.text(max_size=400),
                                      st.booleans(), st.lists(st.integers(), max_size=2))))
def test_accepted_string_arguments_are_single_line_and_capped(args: dict[str, object]) -> None:
    for name in (FIND_SLOTS, SAVE_DETAILS, BOOK_SLOT):
        call = parse_tool_call(name, json.dumps(args))
        if call is None:
            continue
        for key, value in dataclasses.asdict(call).items():
            if isinstance(value, str) and (value or key != "when"):
                assert value and value == value.strip() and "\n" not in value
                assert len(value) <= (MAX_WHEN if key == "when" else MAX_TEXT)


def test_find_slots_takes_the_leads_own_words_for_the_time() -> None:
    """The model passes the words; the code resolves them, so the schema has no date fields."""
    schema = next(t for t in TOOL_SCHEMAS if t["function"]["name"] == FIND_SLOTS)
    assert list(schema["function"]["parameters"]["properties"]) == ["when"]
    assert parse_tool_call(FIND_SLOTS, '{"when": " thurs  after 2 "}') == FindSlots("thurs after 2")
    assert parse_tool_call(FIND_SLOTS, '{"when": 3}') is None
