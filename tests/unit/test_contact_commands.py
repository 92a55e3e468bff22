"""The API's bodies become the use cases' commands once checked; the owner's bounds are the settings' own."""

from __future__ import annotations

from typing import Any

import pytest
from kith.api_contacts import ContactIn, ContactPatch, OwnerIn
from kith.domain.models import Circle, OwnerSettings
from kith.usecases.contacts import ContactChanges, NewContact
from pydantic import ValidationError


def test_a_contact_body_becomes_a_new_contact_with_its_fields_as_checked() -> None:
    # Given a body with an address in capitals and a LinkedIn profile spelt loosely
    body = ContactIn.model_validate(
        {"name": "Ann", "emails": ["Ann@Example.com"], "linkedin_url": "linkedin.com/in/Ann", "tags": ["x"]}
    )
    # When it becomes the command, Then it holds the checked values, lists as tuples
    assert body.command() == NewContact(
        name="Ann", emails=("ann@example.com",), linkedin_url="https://www.linkedin.com/in/ann", tags=("x",)
    )


def test_a_patch_changes_only_the_fields_it_gives_and_null_clears_one_a_contact_may_lack() -> None:
    changes = ContactPatch.model_validate({"goal": None, "circle": "wider"}).changes()
    assert changes.given() == {"goal": None, "circle": Circle.WIDER}


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        ("name", "Input should be a valid string"),
        ("circle", "Input should be 'inner', 'core', 'wider', 'custom' or 'never'"),
        ("emails", "Input should be a valid tuple"),
        ("tags", "Input should be a valid tuple"),
    ],
)
def test_a_null_for_a_field_every_contact_has_is_refused_naming_it(field: str, problem: str) -> None:
    # Given a patch setting a field every contact has to null, When it becomes the command
    with pytest.raises(ValidationError) as refused:
        ContactPatch.model_validate({field: None}).changes()
    # Then it is refused, naming the field, as a contact itself refuses it
    (error,) = refused.value.errors()
    assert (error["loc"], error["msg"]) == ((field,), problem)


def test_changes_take_no_field_a_patch_does_not_have() -> None:
    with pytest.raises(ValidationError):
        ContactChanges.model_validate({"version": 3})


_BOUNDED = ("digest_hour", "digest_limit", "follow_up_delay_minutes", "meeting_size_limit")


def _bounds(schema: dict[str, Any], field: str) -> tuple[Any, ...]:
    found = schema["properties"][field]
    return found.get("minimum"), found.get("maximum"), found.get("default")


@pytest.mark.parametrize("field", _BOUNDED)
def test_the_owner_body_takes_the_settings_bounds_and_defaults(field: str) -> None:
    assert _bounds(OwnerIn.model_json_schema(), field) == _bounds(OwnerSettings.model_json_schema(), field)


def test_the_owner_body_takes_the_settings_weekdays_and_their_default() -> None:
    body, settings = OwnerIn.model_json_schema()["properties"], OwnerSettings.model_json_schema()["properties"]
    weekday = {key: body["digest_weekdays"]["items"][key] for key in ("minimum", "maximum")}
    assert weekday == {key: settings["digest_weekdays"]["items"][key] for key in ("minimum", "maximum")}
    assert body["digest_weekdays"]["default"] == settings["digest_weekdays"]["default"]
    # And a body left at its defaults gives the default settings
    assert OwnerIn(email="o@example.com", name="Olive").settings() == OwnerSettings()
