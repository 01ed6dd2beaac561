"""The SDK's logger tree, the ``ENGAGIVE_LOG`` switch, and masking of phone numbers.

Loggers (all below ``engagive_async``, silent unless the application or ``ENGAGIVE_LOG``
configures them): ``engagive_async.http`` (answers at DEBUG, retries at INFO),
``engagive_async.sending`` (batch start and end at INFO, each outcome at DEBUG),
``engagive_async.pacing`` (throttle pauses at INFO), ``engagive_async.paging`` (walks at
DEBUG), ``engagive_async.journal`` (journal opening and closing at DEBUG).

Every logger made by :func:`get_logger` masks phone numbers in its records' text
(``923001234567`` becomes ``9230*****567``) before any handler sees them, so a number that
reaches a message (an error text from the server, say) is never written out whole.
"""

from __future__ import annotations

import logging
import re
import sys

from engagive_async._config import env_log_level

__all__ = ["ROOT_LOGGER", "get_logger", "mask_number", "mask_numbers", "setup_logging"]

ROOT_LOGGER = "engagive_async"

#: Digit runs as long as international phone numbers (E.164: at most 15 digits, and
#: 8 is the shortest number with a country code), optionally with ``+``; separators such as
#: spaces or dashes inside a number are matched too.
_NUMBER = re.compile(r"(?<![\w*])\+?\d(?:[ \-]?\d){7,14}(?![\w*])")
_SHOWN_HEAD, _SHOWN_TAIL = 4, 3
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def mask_number(number: str) -> str:
    """``923001234567`` -> ``9230*****567``: the country and a few digits stay recognisable."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) <= _SHOWN_HEAD + _SHOWN_TAIL:
        return "*" * len(digits)
    hidden = len(digits) - _SHOWN_HEAD - _SHOWN_TAIL
    return digits[:_SHOWN_HEAD] + "*" * hidden + digits[-_SHOWN_TAIL:]


def mask_numbers(text: str) -> str:
    """``text`` with every phone-number-like digit run masked by :func:`mask_number`."""
    return _NUMBER.sub(lambda m: mask_number(m.group()), text)


class _MaskNumbers(logging.Filter):
    """Renders a record's message once, masked, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


_MASK = _MaskNumbers()


def get_logger(part: str | None = None) -> logging.Logger:
    """``engagive_async`` or ``engagive_async.<part>``, with number masking attached."""
    log = logging.getLogger(ROOT_LOGGER if part is None else f"{ROOT_LOGGER}.{part}")
    if _MASK not in log.filters:
        log.addFilter(_MASK)
    return log


_configured: logging.Handler | None = None


def setup_logging() -> None:
    """Honour ``ENGAGIVE_LOG=debug|info|warning``: log the SDK's tree to stderr at that level.

    Does nothing when the variable is unset (the application configures logging), and adds its
    handler once however often it is called.
    """
    global _configured
    level_name = env_log_level()
    if level_name is None or _configured is not None:
        return
    level = _LEVELS.get(level_name)
    if level is None:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = get_logger()
    root.addHandler(handler)
    root.setLevel(level)
    _configured = handler
