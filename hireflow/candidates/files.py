"""Upload safety for resumes: type sniffing, size limits and safe zip handling.

Nothing here trusts the file name. The real type comes from the bytes (``%PDF-``; a zip with
``word/document.xml`` is DOCX; text that decodes cleanly is TXT), and a name whose extension
disagrees with the content is refused. PDFs are opened to refuse encrypted ones and ones with
no text layer (scans: OCR is not supported). Batch uploads arrive as zip archives and are read
with limits on the number of members, declared and actual decompressed sizes, compression
ratio, nesting and unsafe paths, so a zip bomb costs a few milliseconds, not the server.

Every refusal carries a stable ``code`` (for the API, logs and tests) and a message in Chinese
and English.
"""

from __future__ import annotations

import io
import posixpath
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# code -> (zh, en); messages may use str.format fields given by the raiser.
ERRORS: dict[str, tuple[str, str]] = {
    "file_empty": ("文件为空。", "The file is empty."),
    "file_too_large": (
        "文件过大（{size_mb} MB），上限为 {limit_mb} MB。",
        "The file is too large ({size_mb} MB); the limit is {limit_mb} MB.",
    ),
    "file_type_unsupported": (
        "不支持的文件类型：仅支持 PDF、DOCX 和 TXT 简历。",
        "Unsupported file type: only PDF, DOCX and TXT resumes are accepted.",
    ),
    "doc_legacy_unsupported": (
        "不支持旧版 Word（.doc）文件，请另存为 DOCX 或 PDF 后上传。",
        "Legacy Word (.doc) files are not supported; save it as DOCX or PDF and upload again.",
    ),
    "image_unsupported": (
        "这是一张图片，不支持 OCR 文字识别，请上传含文字的 PDF、DOCX 或 TXT。",
        "This is an image; OCR is not supported. Upload a PDF, DOCX or TXT that contains text.",
    ),
    "extension_mismatch": (
        "文件扩展名（{extension}）与实际内容（{kind}）不符。",
        "The file extension ({extension}) does not match its content ({kind}).",
    ),
    "pdf_encrypted": (
        "PDF 已加密（有打开密码），请上传未加密的版本。",
        "The PDF is encrypted (password protected); upload an unprotected copy.",
    ),
    "pdf_no_text": (
        "PDF 没有文字层（可能是扫描件或图片），不支持 OCR 文字识别，请上传可复制文字的版本。",
        "The PDF has no text layer (probably a scan or images); OCR is not supported. "
        "Upload a version whose text can be selected.",
    ),
    "pdf_corrupt": ("PDF 文件已损坏，无法读取。", "The PDF is damaged and cannot be read."),
    "pdf_garbled": (
        "PDF 中的文字无法解码（字体缺少字符映射），请导出为可复制文字的 PDF 或上传 DOCX。",
        "The PDF's text cannot be decoded (its fonts lack character maps); export a PDF whose "
        "text can be copied, or upload a DOCX.",
    ),
    "pdf_too_many_pages": (
        "PDF 页数过多（{pages} 页），上限为 {limit} 页。",
        "The PDF has too many pages ({pages}); the limit is {limit}.",
    ),
    "docx_corrupt": ("DOCX 文件已损坏，无法读取。", "The DOCX file is damaged and cannot be read."),
    "docx_encrypted": (
        "DOCX 已加密（有打开密码），请上传未加密的版本。",
        "The DOCX is encrypted (password protected); upload an unprotected copy.",
    ),
    "file_no_text": (
        "文件中没有可读取的文字。",
        "The file contains no readable text.",
    ),
    "txt_encoding_unknown": (
        "无法识别文本文件的编码（支持 UTF-8、UTF-16 和 GB18030/GBK）。",
        "The text file's encoding could not be recognised (UTF-8, UTF-16 and GB18030/GBK are "
        "supported).",
    ),
    "zip_corrupt": ("压缩包已损坏，无法读取。", "The zip archive is damaged and cannot be read."),
    "zip_too_many_files": (
        "压缩包中的文件过多（{count} 个），上限为 {limit} 个。",
        "The zip archive holds too many files ({count}); the limit is {limit}.",
    ),
    "zip_too_large": (
        "压缩包解压后过大（{size_mb} MB），上限为 {limit_mb} MB。",
        "The zip archive is too large once extracted ({size_mb} MB); the limit is {limit_mb} MB.",
    ),
    "zip_bomb": (
        "文件压缩比异常（{ratio}:1），疑似压缩炸弹，已拒绝。",
        "Suspicious compression ratio ({ratio}:1), possibly a zip bomb; refused.",
    ),
    "zip_size_mismatch": (
        "压缩包中文件的实际大小与声明不符，已拒绝。",
        "A file in the zip archive is larger than it declares; refused.",
    ),
    "zip_nested": (
        "不支持压缩包嵌套，请将简历直接放入一个压缩包。",
        "Nested archives are not supported; put the resumes directly into one zip archive.",
    ),
    "zip_path_unsafe": (
        "压缩包中的文件路径不安全（{name}），已跳过。",
        "Unsafe file path in the zip archive ({name}); skipped.",
    ),
    "language_unsupported": (
        "简历语言（{language}）暂不支持：目前只能解析中文和英文简历。",
        "The resume's language ({language}) is not supported: only Chinese and English resumes "
        "can be parsed.",
    ),
    "resume_unrecognised": (
        "文件中找不到姓名、邮箱或电话，看起来不是一份简历。",
        "No name, e-mail address or phone number was found; this does not look like a resume.",
    ),
    "internal_error": (
        "处理此文件时出错（编号 {ref}），其他文件不受影响。",
        "This file could not be processed (reference {ref}); the other files are not affected.",
    ),
    "zip_member_encrypted": (
        "压缩包中的文件已加密，无法读取。",
        "The file in the zip archive is encrypted and cannot be read.",
    ),
}

ALLOWED_EXTENSIONS: dict[str, str] = {".pdf": "pdf", ".docx": "docx", ".txt": "txt"}
MAX_PDF_PAGES = 50
# XML compresses well (10-30:1 is normal for a DOCX); 200:1 only happens on purpose.
MAX_RATIO = 200
MAX_DOCX_UNCOMPRESSED = 64 * 1024 * 1024


def error_message(code: str, lang: str = "en", **params: Any) -> str:
    """The message of an error code in "zh" or "en"."""
    zh, en = ERRORS[code]
    template = zh if lang == "zh" else en
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


class UploadError(ValueError):
    """A refused file: ``code`` is stable, ``message`` maps "zh"/"en" to text."""

    def __init__(self, code: str, **params: Any) -> None:
        if code not in ERRORS:
            raise KeyError(f"unknown upload error code {code!r}")
        self.code = code
        self.params = params
        self.message = {
            "zh": error_message(code, "zh", **params),
            "en": error_message(code, "en", **params),
        }
        super().__init__(f"{code}: {self.message['en']}")


@dataclass(frozen=True, slots=True)
class FileCheck:
    """The verdict on one uploaded file.

    ``kind`` is the sniffed type ("pdf", "docx", "txt", or another description when refused);
    ``text`` is the extracted text when the file was accepted, so callers need not parse twice.
    """

    filename: str
    size: int
    kind: str | None
    ok: bool
    code: str | None = None
    message: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    encoding: str | None = None
    pages: int | None = None

    def to_dict(self, include_text: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "filename": self.filename,
            "size": self.size,
            "kind": self.kind,
            "ok": self.ok,
            "code": self.code,
            "message": dict(self.message),
            "encoding": self.encoding,
            "pages": self.pages,
        }
        if include_text:
            data["text"] = self.text
        return data


def extension_of(filename: str) -> str:
    base = posixpath.basename(filename.replace("\\", "/"))
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def sniff(data: bytes) -> str:
    """The real type of ``data`` from its bytes.

    Returns "pdf", "docx", "zip" (a zip that is not a Word document), "doc" (legacy OLE2
    Word), "image", "txt" (decodes as text) or "binary".
    """
    head = data[:1024]
    # The PDF spec tolerates junk before the header; readers look in the first kilobyte.
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "zip"
        return "docx" if "word/document.xml" in names else "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE2: a legacy .doc, or an encrypted OOXML file (Office wraps those in OLE2).
        return "ole2"
    if (
        data[:8] == b"\x89PNG\r\n\x1a\n"
        or data[:3] == b"\xff\xd8\xff"
        or data[:6] in (b"GIF87a", b"GIF89a")
        or data[:2] == b"BM"
        or data[:4] in (b"II*\x00", b"MM\x00*")
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return "image"

    try:
        decode_text(data)
    except UploadError:
        return "binary"
    return "txt"


# Scripts the parser does not read: letters in them, against Latin and Han letters.
_SCRIPTS: tuple[tuple[str, str, tuple[tuple[int, int], ...]], ...] = (
    ("ja", "日本語 Japanese", ((0x3040, 0x30FF),)),
    ("ko", "한국어 Korean", ((0xAC00, 0xD7AF), (0x1100, 0x11FF))),
    ("ru", "Кириллица Cyrillic", ((0x0400, 0x04FF),)),
    ("ar", "العربية Arabic", ((0x0600, 0x06FF),)),
    ("he", "עברית Hebrew", ((0x0590, 0x05FF),)),
    ("el", "Ελληνικά Greek", ((0x0370, 0x03FF),)),
    ("th", "ไทย Thai", ((0x0E00, 0x0E7F),)),
    ("hi", "हिन्दी Devanagari", ((0x0900, 0x097F),)),
)
# Frequent function words of Latin-script languages, against English ones.
_FUNCTION_WORDS: dict[str, tuple[str, frozenset[str]]] = {
    "de": (
        "Deutsch German",
        frozenset(
            [
                "und",
                "der",
                "die",
                "das",
                "mit",
                "für",
                "von",
                "bei",
                "ich",
                "ist",
                "nicht",
                "zum",
                "zur",
                "als",
            ]
        ),
    ),
    "fr": (
        "Français French",
        frozenset(
            ["et", "les", "des", "une", "pour", "avec", "dans", "est", "sur", "je", "aux", "du"]
        ),
    ),
    "es": (
        "Español Spanish",
        frozenset(
            ["y", "los", "las", "del", "una", "para", "con", "por", "en", "es", "mi", "experiencia"]
        ),
    ),
    "pt": (
        "Português Portuguese",
        frozenset(
            ["e", "os", "das", "dos", "uma", "para", "com", "em", "não", "na", "no", "experiência"]
        ),
    ),
    "it": (
        "Italiano Italian",
        frozenset(
            ["e", "il", "della", "delle", "per", "con", "una", "sono", "nel", "alla", "degli"]
        ),
    ),
    "nl": (
        "Nederlands Dutch",
        frozenset(["en", "het", "een", "van", "met", "voor", "bij", "ik", "ben", "niet", "op"]),
    ),
}
_ENGLISH_WORDS = frozenset(
    [
        "and",
        "the",
        "of",
        "to",
        "in",
        "for",
        "with",
        "at",
        "on",
        "as",
        "is",
        "was",
        "by",
        "from",
        "my",
        "i",
        "a",
        "an",
        "responsible",
        "led",
        "managed",
        "experience",
        "education",
        "skills",
    ]
)


def unsupported_language(text: str) -> str | None:
    """The name of the language a resume is written in when it is not Chinese or English.

    Scripts are counted letter by letter (kana mark Japanese even among Han characters);
    for Latin-script text, frequent function words of German, French, Spanish, Portuguese,
    Italian and Dutch are weighed against English ones. Mixed resumes (an English resume
    naming a GmbH, a Chinese one with a Japanese certificate) stay accepted.
    """
    sample = text[:20_000]
    han = latin = 0
    others = dict.fromkeys((code for code, _name, _ranges in _SCRIPTS), 0)
    for ch in sample:
        point = ord(ch)
        if ch.isascii():
            latin += ch.isalpha()
            continue
        if 0x4E00 <= point <= 0x9FFF or 0x3400 <= point <= 0x4DBF:
            han += 1
            continue
        for code, _name, ranges in _SCRIPTS:
            if any(lo <= point <= hi for lo, hi in ranges):
                others[code] += 1
                break
        else:
            latin += ch.isalpha()
    letters = han + latin + sum(others.values())
    if letters == 0:
        return None
    for code, name, _ranges in _SCRIPTS:
        share = others[code] / letters
        # Kana: Japanese even when most characters are kanji (shared with Chinese).
        if (code == "ja" and others[code] >= 20 and share > 0.05) or share > 0.3:
            return name
    if han > 0.2 * letters:
        return None
    words = [w.strip(".,;:()").casefold() for w in sample.split()]
    words = [w for w in words if w.isalpha()]
    if len(words) < 40:
        return None
    english = sum(w in _ENGLISH_WORDS for w in words)
    best_name, best = None, 0
    for _code, (name, vocabulary) in _FUNCTION_WORDS.items():
        hits = sum(w in vocabulary for w in words)
        if hits > best:
            best_name, best = name, hits
    if best_name and best >= 8 and best > 2 * english:
        return best_name
    return None


def check_docx_container(data: bytes) -> None:
    """Refuse a DOCX whose zip container could explode when python-docx reads it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError("docx_corrupt") from exc
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise UploadError("docx_encrypted")
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and info.file_size > 1_000_000
        ):
            raise UploadError("zip_bomb", ratio=int(info.file_size / info.compress_size))
    if total > MAX_DOCX_UNCOMPRESSED:
        raise UploadError(
            "zip_too_large", size_mb=megabytes(total), limit_mb=megabytes(MAX_DOCX_UNCOMPRESSED)
        )


@dataclass(frozen=True, slots=True)
class ZipMember:
    """One file from a batch archive: its bytes, or the reason it was skipped."""

    name: str
    data: bytes | None
    code: str | None = None
    message: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code is None


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name, repairing GBK names that Windows tools store without the UTF-8 flag
    (zipfile then decodes them as cp437 and Chinese file names come out garbled)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def _unsafe_path(name: str) -> bool:
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    return any(part == ".." for part in normal.split("/"))


def _skip(name: str) -> bool:
    base = posixpath.basename(name.replace("\\", "/"))
    return (
        name.endswith("/")
        or name.startswith("__MACOSX/")
        or "/__MACOSX/" in name
        or base in (".DS_Store", "Thumbs.db", "desktop.ini")
        or base.startswith("._")
    )


def _member_error(member_name: str, code: str, **params: Any) -> ZipMember:
    err = UploadError(code, **params)
    return ZipMember(name=member_name, data=None, code=err.code, message=err.message)


def _refused_member(info: zipfile.ZipInfo, name: str, max_member_bytes: int) -> ZipMember | None:
    """The refusal of a member its header already gives away, before it is decompressed."""
    if _unsafe_path(name) or stat.S_ISLNK(info.external_attr >> 16):
        return _member_error(name, "zip_path_unsafe", name=name)
    if info.flag_bits & 0x1:
        return _member_error(name, "zip_member_encrypted")
    if info.file_size > max_member_bytes:
        return _member_error(
            name,
            "file_too_large",
            size_mb=megabytes(info.file_size),
            limit_mb=megabytes(max_member_bytes),
        )
    ratio = info.file_size / info.compress_size if info.compress_size else 0
    if ratio > MAX_RATIO and info.file_size > 1_000_000:
        return _member_error(name, "zip_bomb", ratio=int(ratio))
    return None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_member_bytes: int) -> bytes:
    """A member's bytes, read in chunks and cut off at its declared size (a forged header
    cannot make it expand further): UploadError("zip_size_mismatch") past that."""
    chunks: list[bytes] = []
    read = 0
    with zf.open(info) as stream:
        while True:
            chunk = stream.read(64 * 1024)
            if not chunk:
                break
            read += len(chunk)
            if read > info.file_size or read > max_member_bytes:
                raise UploadError("zip_size_mismatch")
            chunks.append(chunk)
    return b"".join(chunks)


def iter_zip(
    data: bytes,
    max_files: int = 200,
    max_total_bytes: int = 200 * 1024 * 1024,
    max_member_bytes: int = 20 * 1024 * 1024,
) -> Iterator[ZipMember]:
    """Yield the files of a batch-upload zip, safely.

    Raises :class:`UploadError` for problems with the archive as a whole (corrupt, too many
    files, too large once extracted), before anything is decompressed. Problems with one member
    (unsafe path, symlink, nested archive, encryption, suspicious ratio, a size that lies) are
    yielded as a :class:`ZipMember` carrying the error, so the other resumes still go through.
    Members are read in chunks and cut off at their declared size, so a forged header cannot
    make one expand further.
    """
    if not data:
        raise UploadError("file_empty")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadError("zip_corrupt") from exc
    members = [i for i in infos if not _skip(i.filename)]
    if len(members) > max_files:
        raise UploadError("zip_too_many_files", count=len(members), limit=max_files)
    declared = sum(i.file_size for i in members)
    if declared > max_total_bytes:
        raise UploadError(
            "zip_too_large", size_mb=megabytes(declared), limit_mb=megabytes(max_total_bytes)
        )
    actual_total = 0
    with zf:
        for info in members:
            name = _member_name(info)
            refused = _refused_member(info, name, max_member_bytes)
            if refused is not None:
                yield refused
                continue
            try:
                body = _read_member(zf, info, max_member_bytes)
            except UploadError as err:
                yield ZipMember(name=name, data=None, code=err.code, message=err.message)
                continue
            # Unknown compression methods raise a RuntimeError subclass.
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                yield _member_error(name, "zip_corrupt")
                continue
            actual_total += len(body)
            if actual_total > max_total_bytes:
                raise UploadError(
                    "zip_too_large",
                    size_mb=megabytes(actual_total),
                    limit_mb=megabytes(max_total_bytes),
                )
            if body[:4] == b"PK\x03\x04" and sniff(body) == "zip":
                yield _member_error(name, "zip_nested")
                continue
            if extension_of(name) in (".zip", ".rar", ".7z", ".gz", ".tar"):
                yield _member_error(name, "zip_nested")
                continue
            yield ZipMember(name=name, data=body)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a plain-text resume: BOMs first, then UTF-8, UTF-16 without BOM, GB18030.

    Raises :class:`UploadError` ("txt_encoding_unknown") for bytes that are not text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UploadError("txt_encoding_unknown") from exc
    sample = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII-range text is NUL.
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        try:
            return _accept_text(data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise UploadError("txt_encoding_unknown") from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return _accept_text(data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise UploadError("txt_encoding_unknown")


def _accept_text(text: str) -> str:
    """Refuse decoded 'text' that is really binary (control characters, NULs)."""
    if not text:
        return text
    sample = text[:4096]
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if bad > max(2, len(sample) // 100):
        raise UnicodeDecodeError("text", b"", 0, 1, "control characters")
    return text
