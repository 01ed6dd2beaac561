"""Commerce builders: the product list's header shorthand and the order defaults."""

from __future__ import annotations

from engagive_async.models.commerce import Amount, Order, ProductList, ProductSection
from engagive_async.models.interactive import TextHeader


def test_a_product_list_takes_a_plain_string_header() -> None:
    """header="Picks" is TextHeader("Picks"), the only header a product list takes."""
    section = ProductSection(product_retailer_ids=["sku-1"])
    products = ProductList(header="Picks", body="b", catalog_id="1", sections=[section])
    assert products.header == TextHeader("Picks")


def test_amounts_default_to_hundredths_and_orders_to_pending() -> None:
    """Amount's offset is 100 (value in hundredths); a new Order is pending."""
    assert Amount(value=1250).offset == 100
    assert Order(items=[], subtotal=Amount(value=0), tax=Amount(value=0)).status == "pending"
