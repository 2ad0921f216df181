"""Reading files safely: size, permissions, binary sniffing, format and encoding.

Everything here turns a bad file into an `IngestError(reason, detail)` with a
short reason a user can act on ("empty file", "binary file (NUL bytes)", ...).
The format readers raise the same error; `read_file` turns it into a
`Rejection`, so no traceback ever reaches the user.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

# Leading bytes of file types that are certainly not articles.
BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ", "xz archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"SQLite format 3", "SQLite database"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
)

# Byte-order marks, longest first (UTF-32 LE starts with the UTF-16 LE mark).
BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

SNIFF_BYTES = 65536
MAX_BAD_CHAR_RATIO = 0.01  # replacement/control characters tolerated in decoded text
MAX_CHAOS = 0.2  # charset-normalizer "mess" above which a guess is not trusted
CHAOS_TIE = 0.01  # readings this close to the cleanest one count as equally clean
PREFERRED_LEGACY = "cp1252"  # see _decode_guess
MIN_UTF8_SHARE = 0.6  # of a line's non-ASCII bytes in UTF-8 sequences: it is UTF-8 mixed with another encoding
_BAD_CHARS = re.compile(r"[\ufffd\x00-\x08\x0b\x0e-\x1f\x7f]")
# The legacy encodings the WHATWG Encoding Standard lets a web page use (as Python
# codecs; its windows-1252 covers Latin-1): the only ones a guess may pick, so a
# file is never read as EBCDIC or another codec no news text is written in.
LEGACY_ENCODINGS = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258", "cp874",
    "iso8859_2", "iso8859_3", "iso8859_4", "iso8859_5", "iso8859_6", "iso8859_7", "iso8859_8", "iso8859_10",
    "iso8859_13", "iso8859_14", "iso8859_15", "iso8859_16", "koi8_r", "koi8_u", "cp866", "mac_roman",
    "mac_cyrillic", "gbk", "gb18030", "big5", "euc_jp", "iso2022_jp", "shift_jis", "euc_kr",
)
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629, no overlongs or surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

UNDECODABLE = "not valid UTF-8 or a known encoding"
MIXED_ENCODINGS = "mixed encodings (UTF-8 and another)"


class IngestError(Exception):
    """A file (or one record of it) that cannot become an article."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def human_size(n: float) -> str:
    """Sizes as people read them (binary units, one decimal): "25.3 MB"."""
    for unit in ("bytes", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n /= 1024
    return f"{n:.1f} GB".replace(".0 ", " ")


def check_readable(path: str, max_bytes: int, *, limit_size: bool = True) -> int:
    """The file's size after checking it exists, is a file, is readable and is
    not over the limit, all with `stat` so a huge file is never read."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise IngestError("not found") from None
    except PermissionError as exc:
        raise IngestError("permission denied", str(exc)) from None
    except OSError as exc:
        raise IngestError("cannot read file", f"{type(exc).__name__}: {exc}") from None
    if p.is_dir():
        try:
            os.scandir(path).close()
        except PermissionError as exc:
            raise IngestError("permission denied", str(exc)) from None
        raise IngestError("is a directory")
    if not p.is_file():
        raise IngestError("not a regular file")
    if not os.access(path, os.R_OK):
        raise IngestError("permission denied", "the file is not readable by this user")
    if st.st_size == 0:
        raise IngestError("empty file")
    if limit_size and st.st_size > max_bytes:
        raise IngestError(f"too large ({human_size(st.st_size)} > {human_size(max_bytes)} limit)",
                          "raise the limit with CROSSWIRE_MAX_FILE_BYTES")
    return st.st_size


def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except PermissionError as exc:
        raise IngestError("permission denied", str(exc)) from None
    except OSError as exc:
        raise IngestError("cannot read file", f"{type(exc).__name__}: {exc}") from None


def read_head(path: str, n: int = SNIFF_BYTES) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except PermissionError as exc:
        raise IngestError("permission denied", str(exc)) from None
    except OSError as exc:
        raise IngestError("cannot read file", f"{type(exc).__name__}: {exc}") from None


def is_warc_head(head: bytes) -> bool:
    """Whether a file starts with a WARC record (plain or gzipped)."""
    return head.startswith(b"WARC/") or (head.startswith(b"\x1f\x8b") and _gunzip_head(head).startswith(b"WARC/"))


def text_head(head: bytes) -> bytes:
    """The first bytes as format sniffing reads them: no byte-order mark, no
    leading white space, lower case."""
    return _strip_bom(head)[:2048].lstrip().lower()


def _gunzip_head(head: bytes) -> bytes:
    import zlib

    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return b""


def _strip_bom(data: bytes) -> bytes:
    for bom, _enc in BOMS:
        if data.startswith(bom):
            return data[len(bom):]
    return data


def check_not_binary(head: bytes) -> None:
    """Refuse images, archives, executables and anything with NUL bytes (text
    with a UTF-16/32 byte-order mark is allowed: its NULs are part of it)."""
    for magic, kind in BINARY_MAGIC:
        if head.startswith(magic):
            raise IngestError(f"binary file ({kind})")
    if any(head.startswith(bom) for bom, enc in BOMS if enc != "utf-8-sig"):
        return
    if b"\x00" in head:
        raise IngestError("binary file (NUL bytes)")


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: a byte-order mark, then UTF-8, then a declared charset
    (HTML/XML), then charset-normalizer when it is confident (among
    LEGACY_ENCODINGS). One codec reads the whole file, so a file that mixes
    UTF-8 with another encoding is refused: any single codec would garble one
    of its parts. Garbage is refused rather than passed on as mojibake that
    later stages would misread."""
    text = _decode_known(data, declared)
    if text is None:
        text = _decode_guess(data)
    if text is None:
        raise IngestError(UNDECODABLE)
    if bad_char_ratio(text) > MAX_BAD_CHAR_RATIO:
        raise IngestError(UNDECODABLE, f"{bad_char_ratio(text):.1%} replacement or control characters")
    return text.lstrip("\ufeff")


def _decode_known(data: bytes, declared: str | None) -> str | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        check_not_mixed(data, exc.start)
    if declared:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    return None


def check_not_mixed(data: bytes, first_bad: int) -> None:
    """Refuse bytes that are not UTF-8 (from `first_bad` on) yet are partly
    UTF-8: a line of non-ASCII text that is valid UTF-8, or a line whose
    non-ASCII bytes are mostly well-formed UTF-8 sequences (random or
    single-byte-encoded text has about a third by chance, and less)."""
    bad_line = data.count(b"\n", 0, first_bad) + 1
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            high = sum(1 for byte in line if byte >= 0x80)
            in_sequences = sum(m.end() - m.start() for m in _UTF8_MULTIBYTE.finditer(line))
            if in_sequences < MIN_UTF8_SHARE * high:
                continue
            detail = f"line {number} is partly UTF-8, partly not"
        else:
            detail = f"line {number} is UTF-8, line {bad_line} is not"
        raise IngestError(MIXED_ENCODINGS, detail)


def _decode_guess(data: bytes) -> str | None:
    """charset-normalizer's reading among LEGACY_ENCODINGS, or None when every
    reading is a mess. Single-byte Latin encodings often all read a file
    cleanly yet differently ("Genève" in cp1252 is "Genčve" in cp1250), and
    charset-normalizer's language guess on a short text is no tiebreak; so
    when cp1252 reads the file as cleanly as the best, cp1252 it is: the
    WHATWG default for unlabelled Western text, and the legacy encoding of
    nearly all English-language news."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data[: 4 * SNIFF_BYTES], cp_isolation=list(LEGACY_ENCODINGS)))
    if not matches:
        return None
    cleanest = min(m.chaos for m in matches)
    if cleanest > MAX_CHAOS:
        return None
    tied = [m for m in matches if m.chaos <= cleanest + CHAOS_TIE]
    encoding = PREFERRED_LEGACY if any(PREFERRED_LEGACY in m.could_be_from_charset for m in tied) \
        else tied[0].encoding
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def declared_html_charset(data: bytes) -> str | None:
    match = _HTML_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


def bad_char_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(_BAD_CHARS.findall(text)) / len(text)


def normalise_newlines(text: str) -> str:
    """One newline convention, so offsets mean the same on every platform."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
