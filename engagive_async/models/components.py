"""Send-time template components: the values that fill an approved template's placeholders.

``send_template(components=...)`` takes these typed helpers or Meta's component dicts as they
are; the converter turns the helpers into Meta's dicts (``type`` in Meta's lowercase, a
button's ``index`` as a string)::

    BodyComponent(parameters=[TextParam("Ann"), TextParam("42", name="order_id")])
    HeaderComponent(parameters=[ImageParam(link="https://example.com/h.jpg")])
    ButtonComponent(sub_type="url", index=0, parameters=[TextParam("ORD-42")])
    body_text("Ann", "42")   # the common case: positional body text parameters
    otp("482913")            # an authentication template: body code + copy-code/one-tap button
    CarouselComponent(cards=[CarouselCard(card_index=0, components=[...]), ...])
    LimitedTimeOfferComponent(parameters=[LimitedTimeOfferParam(expiration_time_ms=...)])

A parameter or component kind this version does not model decodes as :class:`UnknownParam` or
:class:`UnknownComponent`, kept whole and sent as given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import attrs

__all__ = [
    "ActionParam",
    "BodyComponent",
    "ButtonComponent",
    "CarouselCard",
    "CarouselComponent",
    "Component",
    "CouponCodeParam",
    "CurrencyParam",
    "DateTimeParam",
    "DocumentParam",
    "HeaderComponent",
    "ImageParam",
    "LimitedTimeOfferComponent",
    "LimitedTimeOfferParam",
    "LocationParam",
    "OtpButton",
    "Parameter",
    "PayloadParam",
    "ProductParam",
    "TextParam",
    "UnknownComponent",
    "UnknownParam",
    "VideoParam",
    "body_text",
    "otp",
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
    """A date and time; the Cloud API always renders ``fallback_value`` as given.

    The other fields are Meta's localisable parts (``calendar`` ``"GREGORIAN"`` or
    ``"SOLAR_HIJRI"``, ``day_of_week`` 1-7 from Monday, ``month`` 1-12, ``day_of_month`` 1-31,
    ``hour`` 0-23, ``minute`` 0-59); they are sent when given and kept when read.
    """

    fallback_value: str
    calendar: str | None = None
    day_of_week: int | None = None
    year: int | None = None
    month: int | None = None
    day_of_month: int | None = None
    hour: int | None = None
    minute: int | None = None


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


@attrs.frozen(kw_only=True)
class LimitedTimeOfferParam:
    """When a limited-time offer ends: a UNIX time in milliseconds (its countdown's end)."""

    expiration_time_ms: int


@attrs.frozen(kw_only=True)
class ProductParam:
    """A product as a carousel card's header: its ``product_retailer_id`` in ``catalog_id``."""

    product_retailer_id: str
    catalog_id: str


@attrs.frozen(kw_only=True)
class UnknownParam:
    """A parameter kind this version does not model, kept whole: ``payload`` is the object
    without its ``type`` key. Sent as given."""

    type: str
    payload: Mapping[str, Any]


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
    | LimitedTimeOfferParam
    | ProductParam
    | UnknownParam
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


@attrs.frozen(kw_only=True)
class OtpButton:
    """An authentication template's code button: copy code, one-tap or zero-tap autofill.

    Meta fills all three the same way: the code as the text parameter of the ``url`` button
    at ``index``. It is sent as ``ButtonComponent(sub_type="url", ...)`` and read back as one.

    Args:
        code: the one-time password, up to 15 characters.
        index: the button's position in the template (0 in Meta's authentication templates).
    """

    code: str
    index: int = 0


@attrs.frozen(kw_only=True)
class LimitedTimeOfferComponent:
    """Fills a limited-time offer template's countdown: one :class:`LimitedTimeOfferParam`."""

    parameters: Sequence[Parameter] = ()


@attrs.frozen(kw_only=True)
class CarouselCard:
    """One card of a carousel template, at 0-based ``card_index``.

    ``components`` fill the card's own header (an image, video or product parameter), body and
    buttons; typed components and Meta's dicts mix as at the top level.
    """

    card_index: int
    components: Sequence[Any]


@attrs.frozen(kw_only=True)
class CarouselComponent:
    """Fills a carousel template: one :class:`CarouselCard` per card, up to ten."""

    cards: Sequence[CarouselCard]


@attrs.frozen(kw_only=True)
class UnknownComponent:
    """A component kind this version does not model (``footer`` included), kept whole:
    ``payload`` is the object without its ``type`` key. Sent as given."""

    type: str
    payload: Mapping[str, Any]


Component: TypeAlias = (
    HeaderComponent
    | BodyComponent
    | ButtonComponent
    | OtpButton
    | LimitedTimeOfferComponent
    | CarouselComponent
    | UnknownComponent
)


def body_text(*values: str) -> BodyComponent:
    """A body component of positional text parameters: ``body_text("Ann", "ORD-42")``."""
    return BodyComponent(parameters=[TextParam(value) for value in values])


def otp(code: str, *, button_index: int = 0) -> list[Component]:
    """An authentication template's components: the code in the body and on its button.

    ``send_template(..., components=otp("482913"))`` fits copy-code, one-tap and zero-tap
    templates alike.
    """
    return [BodyComponent(parameters=[TextParam(code)]), OtpButton(code=code, index=button_index)]
