"""Meta's own payloads, as Engagive relays them in ``metaResponse``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from engagive_async.models._export import JsonReady

__all__ = ["MetaContact", "MetaError", "MetaMessageRef", "MetaResponse"]


@attrs.frozen(kw_only=True)
class MetaContact(JsonReady):
    """One recipient of a send: ``input`` as sent, ``wa_id`` as WhatsApp normalised it."""

    input: str | None = None
    wa_id: str | None = None
    user_id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class MetaMessageRef(JsonReady):
    """A message Meta accepted: its wamid and, for templates, its ``message_status``."""

    id: str
    message_status: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class MetaError(JsonReady):
    """Meta's error object. Branch on ``code`` (Meta's advice), never on the title.

    Only ``code`` is needed to classify; every other field may be missing.
    """

    code: int | None = None
    message: str | None = None
    type: str | None = None
    error_subcode: int | None = None
    fbtrace_id: str | None = None
    #: ``error_data.details``: often names the bad parameter.
    details: str | None = None
    error_user_title: str | None = None
    error_user_msg: str | None = None
    is_transient: bool | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class MetaResponse(JsonReady):
    """Meta's answer to a send: ``contacts`` and the accepted ``messages``, or an ``error``."""

    messaging_product: str | None = None
    contacts: list[MetaContact] = attrs.field(factory=list)
    messages: list[MetaMessageRef] = attrs.field(factory=list)
    error: MetaError | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @property
    def wamid(self) -> str | None:
        """The id of the first accepted message, or ``None``."""
        return self.messages[0].id if self.messages else None
