"""Send items as a job's JSON arguments, and back.

A chunk job carries its rows, so a worker on any machine can run it without the input file.
Template sends carry their components in Meta's wire shape; reactions carry their three
fields. A ``SingleSend`` holds a typed message whose wire shape is still provisional, so
campaign jobs do not carry it (send those with ``send_many`` directly).
"""

from __future__ import annotations

from typing import Any

from engagive_async._wire._component_codec import components_to_wire
from engagive_async.models.batch import ReactionSend, SendItem, TemplateSend

__all__ = ["item_from_json", "item_to_json"]


def item_to_json(item: SendItem) -> dict[str, Any]:
    """The item as a JSON-ready mapping.

    Raises:
        TypeError: the item is a ``SingleSend``.
    """
    if isinstance(item, TemplateSend):
        components = components_to_wire(item.components) if item.components else None
        return {
            "kind": "template",
            "to": item.to,
            "template_name": item.template_name,
            "lang_code": item.lang_code,
            "components": components,
            "key": item.key,
        }
    if isinstance(item, ReactionSend):
        return {
            "kind": "reaction",
            "to": item.to,
            "whatsapp_message_id": item.whatsapp_message_id,
            "emoji": item.emoji,
            "key": item.key,
        }
    raise TypeError(f"campaign jobs carry template and reaction sends, not {type(item).__name__}")


def item_from_json(data: dict[str, Any]) -> SendItem:
    """The item :func:`item_to_json` made."""
    kind = data["kind"]
    if kind == "template":
        return TemplateSend(
            to=data["to"],
            template_name=data["template_name"],
            lang_code=data["lang_code"],
            components=data.get("components"),
            key=data.get("key"),
        )
    if kind == "reaction":
        return ReactionSend(
            to=data["to"],
            whatsapp_message_id=data["whatsapp_message_id"],
            emoji=data["emoji"],
            key=data.get("key"),
        )
    raise ValueError(f"unknown item kind {kind!r} in a campaign job")
