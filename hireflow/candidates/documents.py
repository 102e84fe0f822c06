"""Reading resume files: the text of a PDF, DOCX or TXT file, whether that text is usable, and
the verdict on each uploaded file (or each member of a zip batch)."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import Any

from hireflow.candidates.files import (
    ALLOWED_EXTENSIONS,
    MAX_PDF_PAGES,
    FileCheck,
    UploadError,
    check_docx_container,
    decode_text,
    extension_of,
    iter_zip,
    megabytes,
    sniff,
    unsupported_language,
)


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """Text of a document and what was learnt while reading it."""

    text: str
    kind: str
    encoding: str | None = None
    pages: int | None = None
    images: int = 0


def text_problem(doc: ExtractedDocument) -> str | None:
    """The error code for a document whose text is not usable, or None.

    No text at all; a PDF whose "text" is mostly private-use characters or replacement marks
    (fonts without a character map, so the words cannot be recovered); a PDF that is images
    with a few stray characters (a scan with a page number or a scanner app's watermark).
    """
    meaningful = bad = 0
    for ch in doc.text:
        category = unicodedata.category(ch)
        if category == "Co" or ch == "\ufffd":
            bad += 1
        elif category[0] in "LN":
            meaningful += 1
    bad += 5 * doc.text.count("(cid:")
    if meaningful + bad == 0:
        return "pdf_no_text" if doc.kind == "pdf" else "file_no_text"
    if doc.kind != "pdf":
        return None
    if bad > 0.3 * (meaningful + bad):
        return "pdf_garbled"
    if doc.images and meaningful < 40 * max(doc.pages or 1, 1):
        return "pdf_no_text"
    return None


def _image_count(page: Any) -> int:
    """Image XObjects a page draws directly (cheap: no decoding)."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is None:
            return 0
        xobjects = xobjects.get_object()
        return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    except (AttributeError, KeyError, TypeError, ValueError):
        return 0


def _pdf_text(data: bytes) -> ExtractedDocument:
    # The document readers load on first use (pypdf and python-docx take most of a second to
    # import; web workers that never read a resume do not pay for them).
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # An owner password alone (empty user password) still lets anyone read it.
            try:
                if not reader.decrypt(""):
                    raise UploadError("pdf_encrypted")
            # Unsupported encryption algorithms raise a RuntimeError subclass.
            except (FileNotDecryptedError, RuntimeError) as exc:
                raise UploadError("pdf_encrypted") from exc
        pages = reader.pages
        count = len(pages)
        if count == 0:
            raise UploadError("pdf_corrupt")
        if count > MAX_PDF_PAGES:
            raise UploadError("pdf_too_many_pages", pages=count, limit=MAX_PDF_PAGES)
        texts = [page.extract_text() or "" for page in pages]
        images = sum(_image_count(page) for page in pages)
    except UploadError:
        raise
    except FileNotDecryptedError as exc:
        raise UploadError("pdf_encrypted") from exc
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
    ) as exc:
        raise UploadError("pdf_corrupt") from exc
    except RecursionError as exc:
        raise UploadError("pdf_corrupt") from exc
    return ExtractedDocument("\n".join(texts), "pdf", pages=count, images=images)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_block_text(element: Any, out: list[str]) -> None:
    """Append the lines of a w:body-like element: paragraphs and tables in document order.

    A table row of one-line cells becomes one line with the cells separated by " | " (cells
    merged across columns repeat in the XML and are written once); rows whose cells hold
    several paragraphs are layout, and their cells' lines are written one after another.
    """
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W + "p":
            out.append(_docx_paragraph(child))
        elif tag == _W + "tbl":
            for row in child.iterchildren(_W + "tr"):
                cells: list[list[str]] = []
                for cell in row.iterchildren(_W + "tc"):
                    lines: list[str] = []
                    _docx_block_text(cell, lines)
                    cells.append([line for line in lines if line.strip()])
                if any(len(c) > 1 for c in cells):
                    # A layout table (e.g. a sidebar beside the main column): keep each
                    # cell's lines, cell after cell.
                    for c in cells:
                        out.extend(c)
                    continue
                texts: list[str] = []
                for c in cells:
                    text = c[0].strip() if c else ""
                    if text and (not texts or texts[-1] != text):
                        texts.append(text)
                if texts:
                    out.append(" | ".join(texts))
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                _docx_block_text(content, out)


def _docx_paragraph(p: Any) -> str:
    parts: list[str] = []
    for node in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if node.tag == _W + "t":
            parts.append(node.text or "")
        elif node.tag == _W + "tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _docx_text(data: bytes) -> ExtractedDocument:
    import docx  # on first use, as pypdf above
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_container(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise UploadError("docx_corrupt") from exc
    except Exception as exc:  # lxml raises its own XMLSyntaxError family on damaged XML
        raise UploadError("docx_corrupt") from exc
    lines: list[str] = []
    seen_headers: set[str] = set()
    for section in document.sections:
        try:
            header = section.header
            if header.is_linked_to_previous:
                continue
            header_lines: list[str] = []
            _docx_block_text(header._element, header_lines)
            block = "\n".join(x for x in header_lines if x.strip())
            if block and block not in seen_headers:
                seen_headers.add(block)
                lines.append(block)
        except (KeyError, ValueError, AttributeError):
            continue
    _docx_block_text(document.element.body, lines)
    return ExtractedDocument("\n".join(lines), "docx")


def extract_document(data: bytes, kind: str) -> ExtractedDocument:
    """Text of ``data`` read as ``kind`` ("pdf", "docx" or "txt"); raises UploadError."""
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "docx":
        return _docx_text(data)
    if kind == "txt":
        text, encoding = decode_text(data)
        return ExtractedDocument(text, "txt", encoding=encoding)
    raise UploadError("file_type_unsupported")


def extract_text(data: bytes, filename: str) -> str:
    """The text of a PDF, DOCX or TXT resume.

    The type comes from the content, not from ``filename`` (which only matters to
    :func:`check_upload`, where a mismatch is refused). Raises
    :class:`UploadError` with a stable code for empty, unsupported, encrypted or corrupt files.
    """
    if not data:
        raise UploadError("file_empty")
    kind = sniff(data)
    if kind == "ole2":
        raise UploadError("doc_legacy_unsupported")
    if kind == "image":
        raise UploadError("image_unsupported")
    if kind not in ("pdf", "docx", "txt"):
        raise UploadError("file_type_unsupported")
    doc = extract_document(data, kind)
    problem = text_problem(doc)
    if problem:
        raise UploadError(problem)
    return doc.text


def _refuse(filename: str, size: int, kind: str | None, error: UploadError) -> FileCheck:
    return FileCheck(
        filename=filename, size=size, kind=kind, ok=False, code=error.code, message=error.message
    )


def check_upload(data: bytes, filename: str, max_bytes: int) -> FileCheck:
    """Decide whether one uploaded resume is acceptable, and extract its text if it is.

    Checks, in order: empty, too large, real type vs supported types, extension vs content,
    then opens the document (encrypted, corrupt, too many pages, no text layer, no text).
    Never raises for a bad file: the verdict is in the result.
    """
    size = len(data)
    if size == 0:
        return _refuse(filename, 0, None, UploadError("file_empty"))
    if size > max_bytes:
        return _refuse(
            filename,
            size,
            None,
            UploadError("file_too_large", size_mb=megabytes(size), limit_mb=megabytes(max_bytes)),
        )
    kind = sniff(data)
    if kind == "ole2":
        code = "docx_encrypted" if extension_of(filename) == ".docx" else "doc_legacy_unsupported"
        return _refuse(filename, size, "doc", UploadError(code))
    if kind == "image":
        return _refuse(filename, size, kind, UploadError("image_unsupported"))
    if kind in ("zip", "binary"):
        return _refuse(filename, size, kind, UploadError("file_type_unsupported"))
    extension = extension_of(filename)
    if ALLOWED_EXTENSIONS.get(extension) != kind:
        if extension not in ALLOWED_EXTENSIONS and extension != "":
            return _refuse(filename, size, kind, UploadError("file_type_unsupported"))
        return _refuse(
            filename,
            size,
            kind,
            UploadError("extension_mismatch", extension=extension or "-", kind=kind.upper()),
        )

    try:
        doc = extract_document(data, kind)
    except UploadError as error:
        return _refuse(filename, size, kind, error)
    problem = text_problem(doc)
    if problem:
        return _refuse(filename, size, kind, UploadError(problem))
    language = unsupported_language(doc.text)
    if language:
        return _refuse(filename, size, kind, UploadError("language_unsupported", language=language))
    return FileCheck(
        filename=filename,
        size=size,
        kind=kind,
        ok=True,
        text=doc.text,
        encoding=doc.encoding,
        pages=doc.pages,
    )


def check_batch(
    data: bytes,
    max_bytes: int,
    max_files: int = 200,
    max_total_bytes: int = 200 * 1024 * 1024,
) -> list[FileCheck]:
    """Check every resume of a batch zip: one :class:`FileCheck` per member, in order.

    Archive-level refusals raise :class:`UploadError` like :func:`iter_zip`.
    """
    results: list[FileCheck] = []
    for member in iter_zip(data, max_files, max_total_bytes, max_member_bytes=max_bytes):
        if member.data is None:
            results.append(
                FileCheck(
                    filename=member.name,
                    size=0,
                    kind=None,
                    ok=False,
                    code=member.code,
                    message=member.message,
                )
            )
        else:
            results.append(check_upload(member.data, member.name, max_bytes))
    return results
