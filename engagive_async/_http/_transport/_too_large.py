"""ResponseTooLarge: an answer's body past the client's cap, raised while reading it.

Apart from ``_exceptions`` (which needs aiohttp to name its exceptions) so that the pipeline and
the body reader can name it without loading aiohttp on ``import engagive_async``.
"""

from __future__ import annotations

import httpx

__all__ = ["ResponseTooLarge"]


class ResponseTooLarge(httpx.DecodingError):
    """An answer's body (as received, or decoded) grew past the client's ``max_response_bytes``.

    Raised by the transports while reading and by :class:`BodyReader` while decoding; the
    connection it came on is closed, never reused.
    """

    def __init__(
        self,
        limit: int,
        *,
        decoded: bool = False,
        status: int = 0,
        request: httpx.Request | None = None,
    ) -> None:
        self.limit = limit
        #: The answer's HTTP status, when the transport knew it.
        self.status = status
        what = "decoded body" if decoded else "body"
        super().__init__(
            f"the answer's {what} is larger than max_response_bytes={limit}", request=request
        )
