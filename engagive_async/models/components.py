"""Send-time template components: the values that fill an approved template's placeholders.

``send_template(components=...)`` takes these typed helpers or Meta's component dicts as they
are; the converter turns the helpers into Meta's dicts (``type`` in Meta's lowercase, a
button's ``index`` as a string)::

    BodyComponent(parameters=[TextParam("Ann"), TextParam("42", name="order_id")])
    HeaderComponent(parameters=[ImageParam(link="https://example.com/h.jpg")])
    ButtonComponent(sub_type="url", index=0, parameters=[TextParam("ORD-42")])
    body_text("Ann", "42")   # the common case: positional body text parameters
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

__all__ = [
    "ActionParam",
    "BodyComponent",
    "ButtonComponent",
    "Component",
    "CouponCodeParam",
    "CurrencyParam",
    "DateTimeParam",
    "DocumentParam",
    "HeaderComponent",
    "ImageParam",
    "LocationParam",
    "Parameter",
    "PayloadParam",
    "TextParam",
    "VideoParam",
    "body_text",
]


@attrs.frozen
class TextParam:
    """A text value; ``name`` fills ``{{name}}`` in a NAMED template (omit it for ``{{1}}``)."""

    text: str
    name: str | None = attrs.field(default=None, kw_only=True)


@attrs.frozen(kw_only=True)
class CurrencyParam:
    """An amount: ``amount_1000`` is the amount times 1000, ``code`` an ISO 4217 code."""

    fallback_value: str
    code: str
    amount_1000: int


@attrs.frozen(kw_only=True)
class DateTimeParam:
    """A date and time; the Cloud API always renders ``fallback_value`` as given."""

    fallback_value: str


@attrs.frozen(kw_only=True)
class ImageParam:
    """A header image by uploaded media ``id`` or public ``link``."""

    id: str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True)
class VideoParam:
    """A header video by ``id`` or ``link``."""

    id: str | None = None
    link: str | None = None


@attrs.frozen(kw_only=True)
class DocumentParam:
    """A header document (PDF) by ``id`` or ``link``, with an optional ``filename``."""

    id: str | None = None
    link: str | None = None
    filename: str | None = None


@attrs.frozen(kw_only=True)
class LocationParam:
    """A header location in decimal degrees."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


@attrs.frozen
class PayloadParam:
    """A quick-reply button's payload: it comes back when the user taps the button."""

    payload: str


@attrs.frozen
class CouponCodeParam:
    """The code a ``copy_code`` button copies."""

    coupon_code: str


@attrs.frozen
class ActionParam:
    """An ``action`` object for ``flow``, ``catalog`` and ``mpm`` buttons, as Meta shapes it."""

    action: Mapping[str, Any]


Parameter: TypeAlias = (
    TextParam
    | CurrencyParam
    | DateTimeParam
    | ImageParam
    | VideoParam
    | DocumentParam
    | LocationParam
    | PayloadParam
    | CouponCodeParam
    | ActionParam
)


@attrs.frozen(kw_only=True)
class HeaderComponent:
    """Fills the header: one text, image, video, document or location parameter."""

    parameters: Sequence[Parameter] = ()


@attrs.frozen(kw_only=True)
class BodyComponent:
    """Fills the body's placeholders, in order (positional) or by name (NAMED)."""

    parameters: Sequence[Parameter] = ()


@attrs.frozen(kw_only=True)
class ButtonComponent:
    """Fills the button at 0-based ``index`` of the template.

    Args:
        sub_type: ``quick_reply``, ``url``, ``copy_code``, ``flow``, ``catalog``, ``mpm``.
        index: the button's position in the template, 0 to 9.
        parameters: e.g. :class:`PayloadParam` for quick replies, :class:`TextParam` (the URL
            suffix) for url buttons, :class:`CouponCodeParam` for copy-code buttons.
    """

    sub_type: str
    index: int
    parameters: Sequence[Parameter] = ()


Component: TypeAlias = HeaderComponent | BodyComponent | ButtonComponent


def body_text(*values: str) -> BodyComponent:
    """A body component of positional text parameters: ``body_text("Ann", "ORD-42")``."""
    return BodyComponent(parameters=[TextParam(value) for value in values])
