"""Reading a body within a cap: Content-Encoding undone with an output limit."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from engagive_async._http._body import BodyReader, decode_body
from engagive_async._http._transport import ResponseTooLarge

TEXT = b'{"success": true, "data": "' + b"x" * 5000 + b'"}'


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(
    ("encoding", "content"),
    [
        (None, TEXT),
        ("identity", TEXT),
        ("gzip", gzip.compress(TEXT)),
        ("x-gzip", gzip.compress(TEXT)),
        ("deflate", zlib.compress(TEXT)),
        ("deflate", _raw_deflate(TEXT)),
        ("GZIP", gzip.compress(TEXT)),
    ],
)
def test_supported_encodings_are_undone(encoding: str | None, content: bytes) -> None:
    """gzip, zlib- and raw-deflate and identity come back as the original bytes."""
    assert decode_body(content, encoding, len(TEXT)) == TEXT


def test_fed_in_small_chunks_the_result_is_the_same() -> None:
    """Chunk boundaries do not matter to the decoder."""
    packed = gzip.compress(TEXT)
    reader = BodyReader("gzip", len(TEXT))
    for i in range(0, len(packed), 7):
        reader.feed(packed[i : i + 7])
    assert reader.finish() == TEXT


@pytest.mark.parametrize("encoding", [None, "gzip", "deflate"])
def test_one_byte_past_the_cap_is_refused(encoding: str | None) -> None:
    """The decoded size may equal the cap, never pass it."""
    content = {None: TEXT, "gzip": gzip.compress(TEXT), "deflate": zlib.compress(TEXT)}[encoding]
    with pytest.raises(ResponseTooLarge) as caught:
        decode_body(content, encoding, len(TEXT) - 1)
    assert caught.value.limit == len(TEXT) - 1


def test_a_bomb_stops_at_the_cap_without_inflating_the_rest() -> None:
    """64 MiB of zeros in ~64 KB: refused having produced at most cap + 1 bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = packer.compress(bytes(64 * 1024 * 1024)) + packer.flush()
    reader = BodyReader("gzip", 4096)
    with pytest.raises(ResponseTooLarge):
        reader.feed(bomb)


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, gzip", "compress"])
def test_encodings_we_never_asked_for_are_refused(encoding: str) -> None:
    """Anything but gzip/deflate/identity (as sent in Accept-Encoding) is undecodable."""
    with pytest.raises(httpx.DecodingError):
        BodyReader(encoding, 100)


def test_a_corrupt_stream_is_a_decoding_error() -> None:
    """Garbage under Content-Encoding: gzip raises httpx.DecodingError (mapped by the pipeline)."""
    with pytest.raises(httpx.DecodingError):
        decode_body(b"\x1f\x8b not gzip at all", "gzip", 1000)
