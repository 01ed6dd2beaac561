"""Reading an answer's body within a cap, with its ``Content-Encoding`` undone under the same cap.

httpx's decoders expand a whole chunk at once with no output limit, so a 1 MB gzip body that
inflates to 1 GiB would be held in memory before any count could stop it. This module decodes
with zlib's ``max_length`` instead (a hand-written loop: no well-kept library offers a bounded
decoder for httpx responses), so a compression bomb stops at the cap. Only the encodings the SDK
asks for (``Accept-Encoding: gzip, deflate``) are undone; any other is refused as undecodable.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

from engagive_async._http._transport import ResponseTooLarge

__all__ = ["ACCEPT_ENCODING", "BodyReader", "decode_body", "read_body"]

#: What the SDK asks for: what :class:`BodyReader` can undo within a cap.
ACCEPT_ENCODING = "gzip, deflate"


class BodyReader:
    """Collects a body chunk by chunk, undoing ``Content-Encoding``, never holding past ``limit``.

    Args:
        content_encoding: the answer's ``Content-Encoding`` header, or ``None``.
        limit: the most bytes the decoded body may have.

    Raises:
        httpx.DecodingError: an encoding other than gzip/deflate/identity, or a corrupt stream.
    """

    __slots__ = ("_chunks", "_deflate", "_inflater", "_limit", "_raw", "_size")

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._limit = limit
        self._size = 0
        self._raw = 0
        self._chunks: list[bytes] = []
        layers = [
            e.strip().lower()
            for e in (content_encoding or "").split(",")
            if e.strip() and e.strip().lower() != "identity"
        ]
        if len(layers) > 1 or (layers and layers[0] not in ("gzip", "x-gzip", "deflate")):
            raise httpx.DecodingError(f"unsupported Content-Encoding: {content_encoding!r}")
        #: Still to tell zlib-wrapped deflate (RFC 9110) from the raw deflate some servers send.
        self._deflate = bool(layers) and layers[0] == "deflate"
        self._inflater: zlib._Decompress | None = None
        if layers:
            wbits = zlib.MAX_WBITS if self._deflate else zlib.MAX_WBITS | 16
            self._inflater = zlib.decompressobj(wbits)

    def feed(self, chunk: bytes) -> None:
        """Add a chunk as received.

        Raises:
            ResponseTooLarge: the decoded body passed the limit.
            httpx.DecodingError: the compressed stream is corrupt.
        """
        if not chunk:
            return
        if self._inflater is None:
            self._add(chunk, decoded=False)
            return
        self._raw += len(chunk)
        if self._raw > self._limit:
            raise ResponseTooLarge(self._limit)
        try:
            self._inflate(chunk)
        except zlib.error as exc:
            raise httpx.DecodingError(f"the body could not be decompressed: {exc}") from exc

    def _inflate(self, data: bytes) -> None:
        inflater = self._inflater
        assert inflater is not None
        if self._deflate:
            self._deflate = False
            if _is_raw_deflate(data):
                # Some servers send raw deflate (no zlib header), which httpx accepts too.
                inflater = self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        while data and not inflater.eof:
            # One byte past the room left is enough to know the cap was passed.
            self._add(inflater.decompress(data, self._limit - self._size + 1), decoded=True)
            data = inflater.unconsumed_tail

    def _add(self, data: bytes, *, decoded: bool) -> None:
        self._size += len(data)
        if self._size > self._limit:
            self._chunks.clear()
            raise ResponseTooLarge(self._limit, decoded=decoded)
        if data:
            self._chunks.append(data)

    def finish(self) -> bytes:
        """The whole decoded body.

        Raises:
            ResponseTooLarge: the rest of a compressed stream passed the limit.
        """
        if self._inflater is not None and not self._inflater.eof:
            try:
                self._add(self._inflater.flush(self._limit - self._size + 1), decoded=True)
            except zlib.error as exc:  # pragma: no cover - flush of a cut stream rarely fails
                raise httpx.DecodingError(f"the body could not be decompressed: {exc}") from exc
        chunks, self._chunks = self._chunks, []
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _is_raw_deflate(data: bytes) -> bool:
    # A zlib stream starts with a header whose first 16 bits are a multiple of 31 (RFC 1950).
    return len(data) >= 2 and (data[0] & 0x0F != 8 or (data[0] << 8 | data[1]) % 31 != 0)


def decode_body(content: bytes, content_encoding: str | None, limit: int) -> bytes:
    """``content`` as received, decoded within ``limit`` (see :class:`BodyReader`)."""
    if not content_encoding:
        if len(content) > limit:
            raise ResponseTooLarge(limit)
        return content
    reader = BodyReader(content_encoding, limit)
    # Fed in slices: a slice can inflate at most ~1000-fold, and the loop stops at the cap.
    for start in range(0, len(content), 65536):
        reader.feed(content[start : start + 65536])
    return reader.finish()


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """Read a streamed httpx response's body within ``limit``, decoded.

    The caller closes the response; one closed before its body was read whole drops its
    connection instead of returning it to the pool.

    Raises:
        ResponseTooLarge: the body, as received or decoded, passed the limit.
        httpx.DecodingError: an unsupported or corrupt encoding.
        httpx.TransportError: the connection failed while reading.
    """
    if response.is_stream_consumed:
        # A response built in memory (a mock transport's) was read and decoded when made.
        if len(response.content) > limit:
            raise ResponseTooLarge(limit, decoded=True)
        return response.content
    reader = BodyReader(response.headers.get("content-encoding"), limit)
    raw: AsyncIterator[bytes] = response.aiter_raw()
    async for chunk in raw:
        reader.feed(chunk)
    return reader.finish()
