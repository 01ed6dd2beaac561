"""Errors as the pipeline raises them, for the tests of what may be retried."""

from __future__ import annotations

from engagive_async import UpstreamError
from engagive_async._wire._converter import parse_meta_error

#: The request every error here is about: a send.
KW = {"method": "POST", "url": "https://x/y"}


def meta_error(code: int) -> UpstreamError:
    """Meta's refusal with ``code``, relayed by Engagive as a 502."""
    meta = {"error": {"code": code}}
    return UpstreamError(
        "meta",
        status_code=502,
        body=None,
        meta_response=meta,
        meta_error=parse_meta_error(meta),
        **KW,
    )
