"""A posted batch of resumes, for the upload page and the upload API.

The body is read on the event loop with the batch limits (at most ``MAX_FILES_PER_BATCH``
files); the files themselves are read in the route, which is a plain ``def`` on the thread
pool, and never further than one byte past the size limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from hireflow.candidates.schemas import IntakeResult
from hireflow.candidates.service import MAX_FILES_PER_BATCH, oversize_result
from hireflow.web.forms import PostedForm, read_form

UPLOAD_FIELDS = ("files", "file")


@dataclass(frozen=True)
class PostedBatch:
    """The form's text fields and every uploaded file of the batch, in the order posted."""

    form: PostedForm
    uploads: list[UploadFile]

    def read(self, limit: int) -> tuple[list[tuple[str, bytes]], list[IntakeResult]]:
        """(name, bytes) of the files, and refusals of those over ``limit`` bytes.

        Blocking: call it from a plain ``def`` route."""
        accepted: list[tuple[str, bytes]] = []
        oversize: list[IntakeResult] = []
        for upload in self.uploads:
            name = upload.filename or "resume"
            upload.file.seek(0)
            data = upload.file.read(limit + 1)
            if len(data) > limit:
                oversize.append(oversize_result(name, upload.size or len(data), limit))
            else:
                accepted.append((name, data))
        return accepted, oversize


def batch_reader(max_fields: int) -> Callable[[Request], Awaitable[PostedBatch]]:
    async def read_batch(request: Request) -> PostedBatch:
        # Parsed once with the batch limits; Starlette caches the form for read_form.
        form = await request.form(max_files=MAX_FILES_PER_BATCH, max_fields=max_fields)
        uploads = [
            value
            for key, value in form.multi_items()
            if key in UPLOAD_FIELDS and isinstance(value, UploadFile)
        ]
        return PostedBatch(await read_form(request), uploads)

    return read_batch


# The page posts a handful of fields; the API caps them lower (it has only ``source``).
PageBatch = Annotated[PostedBatch, Depends(batch_reader(max_fields=1000))]
ApiBatch = Annotated[PostedBatch, Depends(batch_reader(max_fields=50))]
