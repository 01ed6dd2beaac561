"""Message builders: how they are called, and that building never validates."""

from __future__ import annotations

import attrs
import pytest

from engagive_async.models.messages import (
    Contact,
    ContactName,
    Contacts,
    Image,
    ReplyButtons,
    Text,
    UnknownMessage,
)


def test_text_takes_its_body_positionally_and_options_by_keyword() -> None:
    """Text("hi") works; preview_url is keyword-only."""
    assert Text("hi", preview_url=True).preview_url is True
    assert Text("hi").preview_url is None
    with pytest.raises(TypeError):
        Text("hi", True)  # type: ignore[call-arg]


def test_media_builders_are_keyword_only() -> None:
    """Image(link=...) works; a positional argument is refused."""
    assert Image(link="https://example.com/a.jpg").link == "https://example.com/a.jpg"
    with pytest.raises(TypeError):
        Image("123")  # type: ignore[call-arg]


def test_building_out_of_limits_does_not_raise() -> None:
    """Limits are checked at send time, so a batch can report a bad item instead of crashing."""
    too_long = Text("x" * 5000)
    no_buttons = ReplyButtons(body="", buttons=[])
    neither = Image()
    assert (len(too_long.body), list(no_buttons.buttons), neither.id, neither.link) == (
        5000,
        [],
        None,
        None,
    )


def test_builders_are_frozen() -> None:
    """A built message cannot be changed in place."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Text("hi").body = "bye"  # type: ignore[misc]


def test_contacts_take_their_list_positionally() -> None:
    """Contacts([Contact(...)]) keeps the cards in order."""
    ann = Contact(name=ContactName(formatted_name="Ann Lee", first_name="Ann"))
    bob = Contact(name=ContactName(formatted_name="Bob", first_name="Bob"))
    assert list(Contacts([ann, bob]).contacts) == [ann, bob]


def test_unknown_message_keeps_its_payload() -> None:
    """An UnknownMessage carries its kind and Meta's object as given."""
    payload = {"reaction": {"message_id": "wamid.1", "emoji": "👍"}}
    unknown = UnknownMessage(type="reaction", payload=payload)
    assert (unknown.type, unknown.payload) == ("reaction", payload)
