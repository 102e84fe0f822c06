"""Sending a file to the client in pieces: a stored file decrypted as it is read, or an export
spooled to a temporary file."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from fastapi.responses import StreamingResponse

PIECE = 256 * 1024
# A person's file: never cached, never sniffed into something the browser would run.
PRIVATE_FILE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def stream_and_close(
    stream: BinaryIO, media_type: str, headers: dict[str, str]
) -> StreamingResponse:
    """Stream ``stream`` in pieces and close it once sent; a piece that fails to read (a
    damaged chunk) aborts the response mid-way."""

    def pieces() -> Iterator[bytes]:
        with stream:
            while piece := stream.read(PIECE):
                yield piece

    return StreamingResponse(pieces(), media_type=media_type, headers=headers)
