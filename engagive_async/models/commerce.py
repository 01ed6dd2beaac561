"""Commerce messages for send-single: products, catalogs and orders.

Meta's catalog kinds (``product``, ``product_list``, ``catalog_message``) show items of the
catalog linked to the WhatsApp Business Account; the order kinds (``order_details``, shown as
"review and pay", and ``order_status``) run a payment in the chat (offered in India). Amounts are
Meta's ``{"value", "offset"}``: ``value / offset`` in the currency, so 12.50 INR is
``Amount(value=1250, offset=100)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from engagive_async.models.interactive import Header, TextHeader, _to_header, _to_text_header

__all__ = [
    "Amount",
    "CatalogMessage",
    "Order",
    "OrderDetails",
    "OrderItem",
    "OrderStatus",
    "Product",
    "ProductList",
    "ProductSection",
]


@attrs.frozen(kw_only=True)
class Product:
    """One product of the catalog (Meta's ``interactive.type`` ``product``); takes no header."""

    catalog_id: str
    product_retailer_id: str
    body: str | None = None
    footer: str | None = None


@attrs.frozen(kw_only=True)
class ProductSection:
    """A group of products by their retailer ids (the title is required with several)."""

    product_retailer_ids: Sequence[str]
    title: str | None = None


@attrs.frozen(kw_only=True)
class ProductList:
    """Several products in sections (``product_list``): a text header and a body required.

    Args:
        header: the text header (a ``str`` works).
        body: the message text.
        catalog_id: the catalog the products belong to.
        sections: one to ten :class:`ProductSection`, thirty products at most in all.
        footer: small text under the body.
    """

    header: TextHeader = attrs.field(converter=_to_text_header)
    body: str
    catalog_id: str
    sections: Sequence[ProductSection]
    footer: str | None = None


@attrs.frozen(kw_only=True)
class CatalogMessage:
    """Opens the whole catalog (``catalog_message``), its thumbnail from one product."""

    body: str
    thumbnail_product_retailer_id: str | None = None
    footer: str | None = None


@attrs.frozen(kw_only=True)
class Amount:
    """An amount as Meta writes it: ``value / offset`` in the order's currency.

    ``description`` is read on tax, shipping and discount; ``discount_program_name`` on a
    discount only.
    """

    value: int
    offset: int = 100
    description: str | None = None
    discount_program_name: str | None = None


@attrs.frozen(kw_only=True)
class OrderItem:
    """One line of an order: ``amount`` per unit, ``sale_amount`` when discounted."""

    retailer_id: str
    name: str
    amount: Amount
    quantity: int
    sale_amount: Amount | None = None
    country_of_origin: str | None = None
    importer_name: str | None = None
    importer_address: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class Order:
    """What is being paid for; Meta checks that the figures add up (so do we, before sending).

    ``subtotal`` is the sum of the items' (sale) amount times quantity; the total of the
    :class:`OrderDetails` is subtotal + tax + shipping - discount.
    """

    items: Sequence[OrderItem]
    subtotal: Amount
    tax: Amount
    status: str = "pending"
    shipping: Amount | None = None
    discount: Amount | None = None
    catalog_id: str | None = None
    expiration: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class OrderDetails:
    """Asks the user to review and pay an order (``order_details``, action ``review_and_pay``).

    Args:
        body: the message text.
        reference_id: your unique id of this order (up to 35 characters).
        type: ``"digital-goods"`` or ``"physical-goods"``.
        currency: the ISO 4217 code (``"INR"``).
        total_amount: subtotal + tax + shipping - discount.
        order: the items and figures.
        payment_type: e.g. ``"upi"`` (Meta's older form; ``payment_settings`` is the newer).
        payment_configuration: the name of the payment configuration set up with Meta.
        payment_settings: Meta's payment settings objects, as Meta shapes them.
        header: a header object (an image of the goods, say), or a ``str`` for a text header.
        footer: small text under the body.
        extra: further ``parameters`` keys, sent as given and kept when read.
    """

    body: str
    reference_id: str
    type: str
    currency: str
    total_amount: Amount
    order: Order
    payment_type: str | None = None
    payment_configuration: str | None = None
    payment_settings: Sequence[Mapping[str, Any]] = ()
    header: Header | None = attrs.field(default=None, converter=_to_header)
    footer: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class OrderStatus:
    """Tells the user where their order stands (``order_status``, action ``review_order``).

    Args:
        body: the message text.
        reference_id: the ``reference_id`` of the order's :class:`OrderDetails`.
        status: ``pending``, ``processing``, ``partially_shipped``, ``shipped``, ``completed``
            or ``canceled``.
        description: why, shown to the user (up to 120 characters).
        footer: small text under the body.
    """

    body: str
    reference_id: str
    status: str
    description: str | None = None
    footer: str | None = None
