"""Upload safety: type sniffing, limits, refused PDFs and DOCX, zip batches and zip bombs."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from hireflow.candidates.documents import ExtractedDocument, check_batch, check_upload, text_problem
from hireflow.candidates.files import (
    ERRORS,
    UploadError,
    error_message,
    iter_zip,
    sniff,
)

RESUMES = Path(__file__).resolve().parent.parent / "data" / "resumes"
MB = 1024 * 1024


def _first(suffix: str, lang: str = "zh") -> Path:
    return sorted(RESUMES.glob(f"*_{lang}_*{suffix}"))[0]


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_every_error_code_has_both_languages() -> None:
    for code, (zh, en) in ERRORS.items():
        assert zh and en, code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), code
        assert en.isascii(), code
    assert "50" in error_message("file_too_large", "en", size_mb="60", limit_mb="50")
    with pytest.raises(KeyError):
        UploadError("no_such_code")


def test_accepts_real_pdf_docx_and_txt() -> None:
    for suffix in (".pdf", ".docx", ".txt"):
        path = _first(suffix)
        result = check_upload(path.read_bytes(), path.name, 5 * MB)
        assert result.ok, (path.name, result.code)
        assert result.kind == suffix[1:]
        assert result.text and len(result.text) > 50
    pdf = _first(".pdf")
    assert check_upload(pdf.read_bytes(), pdf.name, 5 * MB).pages == 1


def test_empty_and_oversized_files() -> None:
    empty = check_upload(b"", "cv.pdf", MB)
    assert not empty.ok and empty.code == "file_empty"
    big = check_upload(b"a" * (MB + 1), "cv.txt", MB)
    assert big.code == "file_too_large"
    assert "MB" in big.message["en"] and "MB" in big.message["zh"]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "photo.png", "image_unsupported"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "cv.pdf", "image_unsupported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "cv.doc", "doc_legacy_unsupported"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "cv.docx", "docx_encrypted"),
        (bytes(range(256)) * 8, "cv.txt", "file_type_unsupported"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)), "setup.exe", "file_type_unsupported"),
        (b"plain resume text", "cv.exe", "file_type_unsupported"),
        (b"plain resume text", "cv.pdf", "extension_mismatch"),
        (b"plain resume text", "cv", "extension_mismatch"),
    ],
)
def test_refuses_wrong_types(data: bytes, name: str, code: str) -> None:
    result = check_upload(data, name, MB)
    assert not result.ok
    assert result.code == code
    assert result.message["zh"] and result.message["en"]


def test_pdf_content_with_docx_name_is_a_mismatch() -> None:
    pdf = _first(".pdf").read_bytes()
    result = check_upload(pdf, "resume.docx", 5 * MB)
    assert result.code == "extension_mismatch"
    assert "PDF" in result.message["en"]


def test_encrypted_pdf_is_refused_but_owner_only_protection_is_read() -> None:
    source = PdfReader(io.BytesIO(_first(".pdf").read_bytes()))
    for user_password, expect_ok in (("secret", False), ("", True)):
        writer = PdfWriter()
        for page in source.pages:
            writer.add_page(page)
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        result = check_upload(buffer.getvalue(), "cv.pdf", 5 * MB)
        assert result.ok is expect_ok, result.code
        if not expect_ok:
            assert result.code == "pdf_encrypted"
            assert "加密" in result.message["zh"]


def test_pdf_without_text_layer_says_ocr_is_not_supported() -> None:
    result = check_upload(_blank_pdf(), "scan.pdf", MB)
    assert result.code == "pdf_no_text"
    assert "OCR" in result.message["en"] and "OCR" in result.message["zh"]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
        b"%PDF-1.4\n" + bytes(range(256)) * 4,
        None,  # a real PDF cut in half
    ],
)
def test_corrupt_pdf(data: bytes | None) -> None:
    if data is None:
        whole = _first(".pdf").read_bytes()
        data = whole[: len(whole) // 2]
    result = check_upload(data, "broken.pdf", MB)
    assert not result.ok
    assert result.code in ("pdf_corrupt", "pdf_no_text")


def test_docx_tables_are_read_in_order() -> None:
    data = _docx(["张三", "工作经历"], [["2019.07-至今", "腾讯科技（深圳）有限公司", "高级工程师"]])
    result = check_upload(data, "简历.docx", MB)
    assert result.ok
    assert result.text is not None
    lines = result.text.splitlines()
    assert lines[0] == "张三"
    assert "2019.07-至今 | 腾讯科技（深圳）有限公司 | 高级工程师" in lines


def test_corrupt_docx() -> None:
    data = _zip({"word/document.xml": b"<w:document><unclosed>", "[Content_Types].xml": b"<x/>"})
    assert sniff(data) == "docx"
    result = check_upload(data, "cv.docx", MB)
    assert result.code == "docx_corrupt"


def test_docx_that_expands_too_far_is_refused_before_parsing() -> None:
    data = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/huge.bin": b"\x00" * (8 * MB),
        }
    )
    result = check_upload(data, "cv.docx", MB)
    assert result.code == "zip_bomb"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("gb18030", b""),
        ("utf-16", b""),
        ("utf-16-le", b""),
        ("utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_txt_encodings(encoding: str, prefix: bytes) -> None:
    text = "姓名：王芳\n电话：13812345678\n教育背景\n2015.09-2019.06 浙江大学 机械工程 本科\n"
    result = check_upload(prefix + text.encode(encoding), "cv.txt", MB)
    assert result.ok, result.code
    assert result.text is not None and "浙江大学" in result.text


def test_zip_batch_members_are_checked_one_by_one() -> None:
    good = _first(".txt").read_bytes()
    archive = _zip(
        {
            "batch/a.txt": good,
            "batch/b.pdf": b"not a pdf at all",
            "../../etc/passwd": b"root:x:0:0",
            "/abs/path.txt": good,
            "inner.zip": _zip({"x.txt": good}),
            "__MACOSX/._a.txt": b"junk",
            "batch/": b"",
        }
    )
    results = check_batch(archive, max_bytes=MB)
    by_name = {r.filename: r for r in results}
    assert by_name["batch/a.txt"].ok
    assert by_name["batch/b.pdf"].code == "extension_mismatch"
    assert by_name["../../etc/passwd"].code == "zip_path_unsafe"
    assert by_name["/abs/path.txt"].code == "zip_path_unsafe"
    assert by_name["inner.zip"].code == "zip_nested"
    assert "__MACOSX/._a.txt" not in by_name and "batch/" not in by_name


def test_zip_bomb_member_is_refused_without_reading_it() -> None:
    archive = _zip({"cv.txt": b"resume text", "bomb.txt": b"0" * (16 * MB)})
    members = {m.name: m for m in iter_zip(archive, max_files=10, max_total_bytes=64 * MB)}
    assert members["cv.txt"].ok
    assert members["bomb.txt"].code == "zip_bomb"
    assert members["bomb.txt"].data is None


def test_zip_archive_level_limits() -> None:
    many = _zip({f"{i}.txt": b"x" for i in range(12)})
    with pytest.raises(UploadError) as err:
        list(iter_zip(many, max_files=10, max_total_bytes=MB))
    assert err.value.code == "zip_too_many_files"
    large = _zip({"a.txt": b"a" * (2 * MB), "b.txt": b"b" * (2 * MB)}, zipfile.ZIP_STORED)
    with pytest.raises(UploadError) as err:
        list(iter_zip(large, max_files=10, max_total_bytes=3 * MB))
    assert err.value.code == "zip_too_large"
    with pytest.raises(UploadError) as err:
        list(iter_zip(b"PK\x03\x04 definitely not a zip", 10, MB))
    assert err.value.code == "zip_corrupt"


def test_zip_member_that_lies_about_its_size_is_refused() -> None:
    payload = b"A" * 200_000
    archive = bytearray(_zip({"cv.txt": payload}))
    # Forge the declared uncompressed size (local header and central directory) to 1,000.
    declared = (200_000).to_bytes(4, "little")
    forged = (1_000).to_bytes(4, "little")
    assert archive.count(declared) == 2
    archive = archive.replace(declared, forged)
    members = list(iter_zip(bytes(archive), max_files=5, max_total_bytes=MB))
    assert len(members) == 1
    assert members[0].code in ("zip_size_mismatch", "zip_corrupt")
    assert members[0].data is None


def test_gbk_member_names_from_windows_zips_are_repaired() -> None:
    placeholder = "abcd.txt"
    gbk_name = "简历.txt".encode("gbk")
    assert len(gbk_name) == len(placeholder)
    archive = _zip({placeholder: "王芳 简历".encode()}).replace(placeholder.encode(), gbk_name)
    (member,) = list(iter_zip(archive, max_files=5, max_total_bytes=MB))
    assert member.name == "简历.txt"
    assert member.ok


def test_random_bytes_never_raise() -> None:
    rng = random.Random(11)
    prefixes = [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xff\xfe"]
    for i in range(150):
        data = rng.choice(prefixes) + rng.randbytes(rng.randint(0, 3000))
        for name in ("cv.pdf", "cv.docx", "cv.txt"):
            result = check_upload(data, name, MB)
            assert result.ok or result.code in ERRORS, (i, name, result.code)


def _image_only_pdf() -> bytes:
    """A one-page PDF that only draws an image, like a scan."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    image = DecodedStreamObject()
    image.set_data(b"\x80\x80\x80")
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(1),
            NameObject("/Height"): NumberObject(1),
            NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    xobjects = DictionaryObject({NameObject("/Im0"): writer._add_object(image)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): xobjects})
    content = DecodedStreamObject()
    content.set_data(b"q 200 0 0 200 0 0 cm /Im0 Do Q")
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_scanned_pdf_is_refused_with_the_ocr_message() -> None:
    result = check_upload(_image_only_pdf(), "scan.pdf", MB)
    assert result.code == "pdf_no_text"
    assert "OCR" in result.message["zh"]


@pytest.mark.parametrize(
    ("text", "kind", "images", "code"),
    [
        ("", "pdf", 0, "pdf_no_text"),
        ("  \n ", "docx", 0, "file_no_text"),
        ("1", "pdf", 2, "pdf_no_text"),  # a scan with a page number
        ("Scanned by CamScanner", "pdf", 1, "pdf_no_text"),
        ("\ue000\ue001\ue002\ue003 \ue004\ue005 ab", "pdf", 0, "pdf_garbled"),
        ("(cid:12)(cid:40)(cid:7) 简历", "pdf", 0, "pdf_garbled"),
        (
            "王芳 浙江大学 机械工程 本科 2015-2019 上海电气集团 机械工程师 SolidWorks",
            "pdf",
            1,
            None,
        ),
        ("short but real text", "pdf", 0, None),
        ("\ue000 private use is fine in a text file", "txt", 0, None),
    ],
)
def test_text_problems(text: str, kind: str, images: int, code: str | None) -> None:
    doc = ExtractedDocument(text, kind, pages=1, images=images)
    assert text_problem(doc) == code
