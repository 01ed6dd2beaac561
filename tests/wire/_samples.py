"""Every builder with realistic values and every optional field set, shared by the codec's round
trips and the conformance test against Meta's OpenAPI description."""

from __future__ import annotations

from engagive_async.builders import (
    ActionParam,
    AddressMessage,
    Amount,
    BodyComponent,
    ButtonComponent,
    CallPermissionRequest,
    CarouselCard,
    CarouselComponent,
    CatalogMessage,
    Component,
    CouponCodeParam,
    CurrencyParam,
    DateTimeParam,
    DocumentParam,
    Flow,
    HeaderComponent,
    ImageHeader,
    ImageParam,
    LimitedTimeOfferComponent,
    LimitedTimeOfferParam,
    LocationParam,
    Message,
    Order,
    OrderDetails,
    OrderItem,
    OrderStatus,
    OtpButton,
    PayloadParam,
    Product,
    ProductList,
    ProductParam,
    ProductSection,
    TextParam,
    VideoParam,
)

#: The kinds added beside text, media, contacts, buttons, lists, CTA URL and location request.
NEW_MESSAGES: list[Message] = [
    Flow(
        body="Book your table in a few taps",
        flow_cta="Book now",
        flow_id="1234567890123456",
        flow_token="booking-7f3a",
        flow_action="navigate",
        screen="PICK_DATE",
        data={"restaurant": "Lahore Central", "party_size": 2},
        mode="published",
        header="Table booking",
        footer="Free cancellation",
    ),
    Flow(body="Tell us how we did", flow_cta="Give feedback", flow_name="csat_survey"),
    AddressMessage(
        body="Where should we deliver your order?",
        country="IN",
        values={"name": "Asha Rao", "phone_number": "919876543210", "in_pin_code": "560001"},
        saved_addresses=[
            {
                "id": "home",
                "value": {
                    "name": "Asha Rao",
                    "phone_number": "919876543210",
                    "in_pin_code": "560001",
                    "house_number": "12",
                    "address": "MG Road",
                    "city": "Bengaluru",
                    "state": "Karnataka",
                },
            }
        ],
        validation_errors={"in_pin_code": "We do not deliver to this PIN code yet"},
        header="Delivery address",
        footer="You can change it later",
    ),
    CallPermissionRequest(body="May we call you about your booking?"),
    Product(
        catalog_id="146265584024623",
        product_retailer_id="sku-bread-640",
        body="Fresh sourdough, baked this morning",
        footer="Delivered in 30 minutes",
    ),
    Product(catalog_id="146265584024623", product_retailer_id="sku-bread-640"),
    ProductList(
        header="Today's bakery picks",
        body="Add what you like to your cart",
        catalog_id="146265584024623",
        sections=[
            ProductSection(title="Breads", product_retailer_ids=["sku-bread-640", "sku-rye-500"]),
            ProductSection(title="Pastries", product_retailer_ids=["sku-croissant"]),
        ],
        footer="Prices include tax",
    ),
    CatalogMessage(
        body="Browse our full menu and order in the chat",
        thumbnail_product_retailer_id="sku-bread-640",
        footer="Best bakery deals on WhatsApp",
    ),
    OrderDetails(
        body="Your order is ready: review and pay",
        reference_id="order-2026-0042",
        type="physical-goods",
        currency="INR",
        total_amount=Amount(value=2600, offset=100),
        order=Order(
            status="pending",
            catalog_id="146265584024623",
            items=[
                OrderItem(
                    retailer_id="sku-bread-640",
                    name="Sourdough loaf",
                    amount=Amount(value=1500),
                    sale_amount=Amount(value=1200),
                    quantity=2,
                    country_of_origin="India",
                    importer_name="Bakery Imports Ltd",
                    importer_address={
                        "address_line1": "1 Market St",
                        "city": "Mumbai",
                        "zone_code": "MH",
                        "postal_code": "400001",
                        "country_code": "IN",
                    },
                )
            ],
            subtotal=Amount(value=2400),
            tax=Amount(value=200, description="GST"),
            shipping=Amount(value=100, description="Same-day delivery"),
            discount=Amount(value=100, description="Welcome offer", discount_program_name="NEW10"),
            expiration={"timestamp": "1767225600", "description": "Pay within the day"},
        ),
        payment_settings=[
            {
                "type": "payment_gateway",
                "payment_gateway": {"type": "razorpay", "configuration_name": "bakery-upi"},
            }
        ],
        header=ImageHeader(link="https://example.com/bread.jpg"),
        footer="Secure payment by UPI",
    ),
    OrderStatus(
        body="Your order is on its way",
        reference_id="order-2026-0042",
        status="shipped",
        description="Out for delivery with Ravi",
        footer="Track it in the app",
    ),
]

#: Template components of every kind, with realistic values.
COMPONENTS: list[Component] = [
    HeaderComponent(parameters=[ImageParam(link="https://example.com/header.jpg")]),
    HeaderComponent(parameters=[VideoParam(id="1013859600285441")]),
    HeaderComponent(parameters=[DocumentParam(link="https://example.com/i.pdf", filename="i.pdf")]),
    HeaderComponent(
        parameters=[
            LocationParam(latitude=31.5204, longitude=74.3587, name="Store", address="Mall Rd")
        ]
    ),
    HeaderComponent(parameters=[TextParam("Order ORD-42")]),
    BodyComponent(
        parameters=[
            TextParam("Ann"),
            CurrencyParam(fallback_value="$100.99", code="USD", amount_1000=100990),
            DateTimeParam(
                fallback_value="February 25, 1977",
                calendar="GREGORIAN",
                day_of_week=5,
                year=1977,
                month=2,
                day_of_month=25,
                hour=15,
                minute=33,
            ),
        ]
    ),
    BodyComponent(parameters=[TextParam("Ann", name="customer_name")]),
    ButtonComponent(sub_type="quick_reply", index=0, parameters=[PayloadParam("STOP_PROMOS")]),
    ButtonComponent(sub_type="url", index=1, parameters=[TextParam("ORD-42")]),
    ButtonComponent(sub_type="copy_code", index=2, parameters=[CouponCodeParam("SAVE10")]),
    ButtonComponent(
        sub_type="flow",
        index=0,
        parameters=[ActionParam({"flow_token": "t-1", "flow_action_data": {"step": "start"}})],
    ),
    ButtonComponent(
        sub_type="catalog",
        index=0,
        parameters=[ActionParam({"thumbnail_product_retailer_id": "sku-bread-640"})],
    ),
    OtpButton(code="482913"),
    LimitedTimeOfferComponent(parameters=[LimitedTimeOfferParam(expiration_time_ms=1767225600000)]),
    CarouselComponent(
        cards=[
            CarouselCard(
                card_index=0,
                components=[
                    HeaderComponent(parameters=[ImageParam(id="1013859600285441")]),
                    BodyComponent(parameters=[TextParam("15% off sourdough")]),
                    ButtonComponent(
                        sub_type="quick_reply", index=0, parameters=[PayloadParam("card-0")]
                    ),
                    ButtonComponent(sub_type="url", index=1, parameters=[TextParam("bread")]),
                ],
            ),
            CarouselCard(
                card_index=1,
                components=[
                    HeaderComponent(
                        parameters=[
                            ProductParam(
                                product_retailer_id="sku-rye-500", catalog_id="146265584024623"
                            )
                        ]
                    ),
                ],
            ),
        ]
    ),
]
