"""Checks run before a send, against the limits Meta documents. Pure functions, no I/O.

Each check raises :class:`ValidationError` naming the offending field by its dotted path as the
caller wrote it (``message.buttons[3].title``, ``components[0].parameters[1]``) and otherwise
returns ``None`` (``validate_recipient`` returns the normalised number). Nothing is checked when
an item is made, so a batch can turn a bad item into a FAILED outcome; the send calls these.

The limits of the send-single builders are checked in ``_messages``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from engagive_async._errors import ValidationError

__all__ = [
    "SANITY_MAX",
    "check_text",
    "check_url",
    "validate_account_id",
    "validate_components",
    "validate_emoji",
    "validate_headers",
    "validate_lang_code",
    "validate_path_segment",
    "validate_recipient",
    "validate_template_name",
    "validate_wamid",
]

# --- limits -------------------------------------------------------------------------------
#: E.164 numbers have at most 15 digits; under 8 no country code plus subscriber number fits.
RECIPIENT_DIGITS = (8, 15)
#: Template names: lowercase letters, digits and underscores, up to 512 (Meta's template docs).
TEMPLATE_NAME_MAX = 512
BUTTON_INDEX_MAX = 9  # template button index, 0-9 (Meta's OpenAPI)
HEADER_PARAM_TEXT_MAX = 60  # template header text parameter (Meta's OpenAPI)
BODY_PARAM_TEXT_MAX = 32768  # template body text parameter (Meta's OpenAPI maxLength)
COUPON_CODE_MAX = 15  # copy_code coupon (not stated by Meta; the limit seen enforced)
CAROUSEL_CARDS_MAX = 10  # cards of a carousel template, card_index 0-9 (Meta: carousel templates)
#: date_time parameter parts and their ranges (Meta: template date_time parameters).
DATE_TIME_RANGES = {
    "day_of_week": (1, 7), "month": (1, 12), "day_of_month": (1, 31), "hour": (0, 23),
    "minute": (0, 59), "year": (1, 9999),
}  # fmt: skip
DATE_TIME_CALENDARS = frozenset({"GREGORIAN", "SOLAR_HIJRI"})
#: What a carousel card holds: its own header, body and buttons (Meta: carousel templates).
CARD_COMPONENT_TYPES = frozenset({"header", "body", "button"})
#: Send-time component kinds, any case: Engagive's docs write "BODY", Meta "body".
COMPONENT_TYPES = frozenset(
    {"header", "body", "footer", "button", "carousel", "limited_time_offer"}
)
#: A sanity bound, not Meta's: the longest standard emoji sequence has 10 code points.
EMOJI_MAX_CODE_POINTS = 16
#: Our own bound for fields Meta sets no limit on (ids, URLs, names): it catches a pasted
#: document, not a real value.
SANITY_MAX = 4096

_DIGITS = re.compile(r"\d+", re.ASCII)
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]+", re.ASCII)
# en, fil, en_US, pt_BR, es_419: a 2-3 letter language, then a region (Meta's language list).
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:_(?:[A-Z]{2}|\d{3}))?", re.ASCII)
_HAS_SPACE = re.compile(r"\s")
_CURRENCY_CODE = re.compile(r"[A-Z]{3}", re.ASCII)  # ISO 4217
#: The longest value accepted as one path segment (a template code, a language code).
PATH_SEGMENT_MAX = 256
# What a path segment must not hold even escaped: separators and escapes (a proxy or server
# that decodes %2F once would see another path), query and fragment marks, whitespace and
# control characters (CR/LF would split the request line), and backslashes.
_UNSAFE_SEGMENT = re.compile(r"[/\\?#%\s\x00-\x1f\x7f]")


def check_text(value: Any, field: str, max_len: int, *, required: bool = True) -> None:
    """A string of at most ``max_len`` characters; ``None`` only when not ``required``."""
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if required and not value:
        raise ValidationError(field, "must not be empty")
    if len(value) > max_len:
        raise ValidationError(field, f"is {len(value)} characters, Meta allows {max_len}")


def check_url(value: Any, field: str) -> None:
    check_text(value, field, SANITY_MAX)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or _HAS_SPACE.search(value):
        raise ValidationError(field, "must be an http:// or https:// URL")


# --- identifiers ----------------------------------------------------------------------------


def validate_account_id(account_id: Any, field: str = "account_id") -> int | str:
    """A positive integer, or a string of its decimal digits; returned as given.

    Raises:
        ValidationError: anything else (``0``, ``-1``, ``True``, ``"12a"``, ``"1/2"``, ``""``).
    """
    if isinstance(account_id, bool) or not isinstance(account_id, (int, str)):
        raise ValidationError(field, f"must be a positive integer, got {account_id!r}")
    if isinstance(account_id, str) and not (
        _DIGITS.fullmatch(account_id) and len(account_id) <= 20
    ):
        raise ValidationError(field, f"must be a positive integer, got {account_id[:40]!r}")
    if int(account_id) < 1:
        raise ValidationError(field, f"must be a positive integer, got {account_id!r}")
    return account_id


def validate_path_segment(value: Any, field: str) -> None:
    """A non-empty string that can stand as one URL path segment, as written.

    Raises:
        ValidationError: not a string, empty, longer than :data:`PATH_SEGMENT_MAX`, ``.`` or
            ``..``, or holding ``/``, ``\\``, ``?``, ``#``, ``%``, whitespace or a control
            character.
    """
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string, got {type(value).__name__}")
    if not value:
        raise ValidationError(field, "must not be empty")
    if len(value) > PATH_SEGMENT_MAX:
        raise ValidationError(field, f"is {len(value)} characters, at most {PATH_SEGMENT_MAX}")
    if value in (".", ".."):
        raise ValidationError(field, f"{value!r} is not a name (it would walk the path)")
    bad = _UNSAFE_SEGMENT.search(value)
    if bad is not None:
        raise ValidationError(
            field, f"must not contain {bad.group()!r} (it would change the request's URL)"
        )


#: Header names a caller may not set: the token has its own argument, framing is httpx's.
RESERVED_HEADERS = frozenset({"authorization", "host", "content-length", "transfer-encoding"})
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE_BAD = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def validate_headers(headers: Any, field: str = "extra_headers") -> dict[str, str]:
    """Header lines a caller adds: names are HTTP tokens, values hold no CR, LF or NUL.

    Raises:
        ValidationError: not a mapping of strings, a bad name or value, or a reserved name
            (``Authorization``, ``Host``, ``Content-Length``, ``Transfer-Encoding``).
    """
    if not isinstance(headers, Mapping):
        raise ValidationError(field, f"must be a mapping, got {type(headers).__name__}")
    checked: dict[str, str] = {}
    for name, value in headers.items():
        at = f"{field}[{name!r}]"
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise ValidationError(at, "is not a valid header name")
        if name.lower() in RESERVED_HEADERS:
            raise ValidationError(at, "is set by the client and cannot be replaced")
        if not isinstance(value, str) or _HEADER_VALUE_BAD.search(value):
            raise ValidationError(at, "must be a string without control characters")
        checked[name] = value
    return checked


def validate_recipient(to: Any, field: str = "to") -> str:
    """The recipient as the digits the docs' examples send (``"923001234567"``).

    A leading ``+`` is accepted and dropped; spaces, dashes and brackets are refused rather than
    guessed at.

    Raises:
        ValidationError: not 8 to 15 digits with the country code.
    """
    if not isinstance(to, str):
        raise ValidationError(field, f"must be a string, got {type(to).__name__}")
    digits = to.removeprefix("+")
    if not _DIGITS.fullmatch(digits):
        raise ValidationError(field, "must be digits with the country code, an optional leading +")
    low, high = RECIPIENT_DIGITS
    if not low <= len(digits) <= high:
        raise ValidationError(field, f"has {len(digits)} digits, a number has {low} to {high}")
    return digits


def validate_template_name(name: Any, field: str = "template_name") -> None:
    """Meta's template names: lowercase letters, digits and ``_``, up to 512 characters."""
    check_text(name, field, TEMPLATE_NAME_MAX)
    if not _TEMPLATE_NAME.fullmatch(name):
        raise ValidationError(field, "may hold only lowercase letters, digits and underscores")


def validate_lang_code(code: Any, field: str = "lang_code") -> None:
    """A language code such as ``en``, ``en_US``, ``pt_BR`` or ``es_419``."""
    check_text(code, field, SANITY_MAX)
    if not _LANG_CODE.fullmatch(code):
        hint = " (use an underscore)" if "-" in code else ""
        raise ValidationError(field, f"must look like en or en_US{hint}")


def validate_wamid(wamid: Any, field: str = "whatsapp_message_id") -> None:
    """A WhatsApp message id: non-empty, no whitespace (usually ``wamid.``, not required)."""
    check_text(wamid, field, SANITY_MAX)
    if _HAS_SPACE.search(wamid):
        raise ValidationError(field, "must not contain whitespace")


_ATTACHED = frozenset({0x200D, 0xFE0E, 0xFE0F, 0x20E3})  # ZWJ, variation selectors, keycap


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF  # a flag is two of these


def _joins(cluster: str, ch: str) -> bool:
    """Whether ``ch`` continues the emoji ``cluster`` rather than starting a new one."""
    cp = ord(ch)
    return (
        cp in _ATTACHED
        or cluster.endswith("\u200d")
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters of subdivision flags
        or (_is_regional(ch) and len(cluster) == 1 and _is_regional(cluster))
    )


def validate_emoji(emoji: Any, field: str = "emoji") -> None:
    """One emoji, or ``""`` to remove a reaction (Meta: reaction messages).

    A heuristic: it refuses what surely is not one emoji (text, several emoji), and lets
    through anything that may be one.
    """
    if not isinstance(emoji, str):
        raise ValidationError(field, f"must be a string, got {type(emoji).__name__}")
    if len(emoji) > EMOJI_MAX_CODE_POINTS:
        raise ValidationError(field, "is too long to be one emoji")
    clusters: list[str] = []
    for ch in emoji:
        if clusters and _joins(clusters[-1], ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    if len(clusters) > 1:
        raise ValidationError(field, f"must be one emoji, got {len(clusters)}")
    if clusters:
        base = clusters[0][0]
        if clusters[0].endswith("\u20e3"):  # keycaps: 0-9, # and * then U+20E3
            text = base not in "0123456789#*"
        else:
            text = base.isascii() or unicodedata.category(base)[0] in "LNZC"
        if text:
            raise ValidationError(field, "must be an emoji, not text")


# --- template components ---------------------------------------------------------------------


def _whole(value: Any, field: str, low: int, high: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, "must be a whole number")
    if value < low or (high is not None and value > high):
        span = f"{low} to {high}" if high is not None else f"at least {low}"
        raise ValidationError(field, f"is {value}, Meta allows {span}")


def _nested(param: Mapping[str, Any], field: str, key: str) -> Mapping[str, Any]:
    value = param.get(key)
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field}.{key}", "must be an object")
    return value


def _currency(param: Mapping[str, Any], field: str) -> None:
    at = f"{field}.currency"
    value = _nested(param, field, "currency")
    check_text(value.get("fallback_value"), f"{at}.fallback_value", SANITY_MAX)
    code = value.get("code")
    if not isinstance(code, str) or not _CURRENCY_CODE.fullmatch(code):
        raise ValidationError(f"{at}.code", "must be an ISO 4217 code such as USD")
    amount = value.get("amount_1000")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(f"{at}.amount_1000", "must be a whole number (the amount x 1000)")


def _date_time(param: Mapping[str, Any], field: str) -> None:
    at = f"{field}.date_time"
    value = _nested(param, field, "date_time")
    check_text(value.get("fallback_value"), f"{at}.fallback_value", SANITY_MAX)
    for key, (low, high) in DATE_TIME_RANGES.items():
        if value.get(key) is not None:
            _whole(value[key], f"{at}.{key}", low, high)
    calendar = value.get("calendar")
    if calendar is not None and calendar not in DATE_TIME_CALENDARS:
        raise ValidationError(f"{at}.calendar", f"must be one of {sorted(DATE_TIME_CALENDARS)}")


def _parameter(param: Any, field: str, kind: str) -> None:
    if not isinstance(param, Mapping) or not isinstance(param.get("type"), str):
        raise ValidationError(field, "must be an object with a 'type'")
    ptype = param["type"]
    if ptype == "text":
        limit = HEADER_PARAM_TEXT_MAX if kind == "header" else BODY_PARAM_TEXT_MAX
        check_text(param.get("text"), f"{field}.text", limit)
    elif ptype == "coupon_code":
        check_text(param.get("coupon_code"), f"{field}.coupon_code", COUPON_CODE_MAX)
    elif ptype == "currency":
        _currency(param, field)
    elif ptype == "date_time":
        _date_time(param, field)
    elif ptype == "limited_time_offer":
        offer = _nested(param, field, "limited_time_offer")
        at = f"{field}.limited_time_offer.expiration_time_ms"
        _whole(offer.get("expiration_time_ms"), at, 1)
    elif ptype in ("image", "video", "document"):
        media = _nested(param, field, ptype)
        if (media.get("id") is None) == (media.get("link") is None):
            raise ValidationError(f"{field}.{ptype}", "needs exactly one of id or link")
        if media.get("link") is not None:
            check_url(media["link"], f"{field}.{ptype}.link")
    elif ptype == "product":
        product = _nested(param, field, "product")
        for key in ("product_retailer_id", "catalog_id"):
            check_text(product.get(key), f"{field}.product.{key}", SANITY_MAX)


def _carousel(comp: Mapping[str, Any], field: str) -> None:
    cards = comp.get("cards")
    if not isinstance(cards, Sequence) or isinstance(cards, str | bytes):
        raise ValidationError(f"{field}.cards", "must be a list of cards")
    if not 1 <= len(cards) <= CAROUSEL_CARDS_MAX:
        reason = f"has {len(cards)} cards, Meta allows 1 to {CAROUSEL_CARDS_MAX}"
        raise ValidationError(f"{field}.cards", reason)
    seen: set[int] = set()
    for i, card in enumerate(cards):
        at = f"{field}.cards[{i}]"
        if not isinstance(card, Mapping):
            raise ValidationError(at, "must be an object")
        index: int = card.get("card_index")  # type: ignore[assignment]  # checked next
        _whole(index, f"{at}.card_index", 0, CAROUSEL_CARDS_MAX - 1)
        if index in seen:
            raise ValidationError(f"{at}.card_index", "repeats another card's")
        seen.add(index)
        _components(card.get("components"), f"{at}.components", CARD_COMPONENT_TYPES)


def _button_index(index: Any, field: str) -> None:
    if isinstance(index, str) and _DIGITS.fullmatch(index):
        index = int(index)
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValidationError(field, "must be the button's position, a whole number")
    if not 0 <= index <= BUTTON_INDEX_MAX:
        raise ValidationError(field, f"is {index}, a button index is 0 to {BUTTON_INDEX_MAX}")


def validate_components(components: Any, field: str = "components") -> None:
    """Meta's send-time components (dicts, as sent): kinds, parameters, button index, and
    a carousel's cards with their own components.

    Raises:
        ValidationError: e.g. ``components[2].index`` for a button index outside 0-9.
    """
    _components(components, field, COMPONENT_TYPES)


def _components(components: Any, field: str, kinds: frozenset[str]) -> None:
    if not isinstance(components, Sequence) or isinstance(components, str | bytes):
        raise ValidationError(field, "must be a list of components")
    for i, comp in enumerate(components):
        at = f"{field}[{i}]"
        if not isinstance(comp, Mapping):
            raise ValidationError(at, f"must be an object, got {type(comp).__name__}")
        kind = comp.get("type")
        if not isinstance(kind, str) or kind.lower() not in kinds:
            raise ValidationError(f"{at}.type", f"must be one of {sorted(kinds)}")
        kind = kind.lower()
        if kind == "carousel":
            _carousel(comp, at)
            continue
        params = comp.get("parameters", [])
        if not isinstance(params, Sequence) or isinstance(params, str | bytes):
            raise ValidationError(f"{at}.parameters", "must be a list")
        for j, param in enumerate(params):
            _parameter(param, f"{at}.parameters[{j}]", kind)
        named = {"parameter_name" in p for p in params if p["type"] == "text"}
        if len(named) > 1:  # a template's parameters are either all named or all positional
            raise ValidationError(f"{at}.parameters", "mixes named and positional parameters")
        if kind == "button":
            check_text(comp.get("sub_type"), f"{at}.sub_type", SANITY_MAX)
            _button_index(comp.get("index"), f"{at}.index")
