"""Sending a file to the client: whole (a PDF shown in the browser, a file to save), or in pieces
(a stored file decrypted as it is read, an export spooled to a temporary file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fastapi.responses import FileResponse, Response, StreamingResponse

PIECE = 256 * 1024
# A person's file: never cached, never sniffed into something the browser would run.
PRIVATE_FILE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def public_file(path: Path, media_type: str, max_age: int) -> FileResponse:
    """A file that is the same for everyone (a script, an icon): browsers and proxies may keep
    it for ``max_age`` seconds."""
    return FileResponse(
        path, media_type=media_type, headers={"Cache-Control": f"public, max-age={max_age}"}
    )


def pdf_inline(content: bytes, filename: str) -> Response:
    """A private PDF the browser shows (a letter, printable invitations), saved as ``filename``."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', **PRIVATE_FILE},
    )


def attachment(content: bytes, media_type: str, filename: str) -> Response:
    """``content`` as a file the browser saves under ``filename`` (an export, a calendar file)."""
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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
