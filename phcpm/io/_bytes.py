"""Reading the bytes of a file and finding their text encoding.

The user's file is only ever opened for reading. Excel's "Unicode text" export
is UTF-16 LE with a BOM and tab separators (Microsoft Excel documentation,
"File formats that are supported in Excel").
"""

from __future__ import annotations

import codecs
from pathlib import Path

from phcpm.errors import InputError
from phcpm.io._common import FIX_FILE as _FIX_FILE

__all__: list[str] = []


def _load_bytes(source, max_bytes: int) -> tuple[bytes, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = None
    elif isinstance(source, (str, Path)):
        path = Path(source)
        name = path.name
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_big(size, max_bytes)
            with open(path, "rb") as handle:  # read only: the user's file is never changed
                data = handle.read(max_bytes + 1)
        except InputError:
            raise
        except IsADirectoryError:
            raise InputError(f"'{name}' is a folder, not a file", todo="Choose a file") from None
        except FileNotFoundError:
            raise InputError(
                f"The file '{name}' was not found", todo="Check the name and folder"
            ) from None
        except OSError as err:
            raise InputError(
                f"The file '{name}' could not be opened ({err.strerror or 'read error'})",
                todo="Close the file in other programs and try again",
            ) from None
    elif hasattr(source, "read"):
        name = getattr(source, "name", None)
        name = Path(name).name if isinstance(name, str) else None
        try:
            data = source.read(max_bytes + 1)
        except Exception as err:  # noqa: BLE001 - any reading failure becomes a plain message
            raise InputError(
                f"The file could not be read ({type(err).__name__})", todo="Try again"
            ) from None
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise InputError("The file could not be read", todo="Try again")
        data = bytes(data)
    else:
        raise InputError(
            "This is not a file we can read", todo="Give a file name, or the file's contents"
        )
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    return data, name


def _too_big(size: int, max_bytes: int) -> InputError:
    return InputError(
        f"The file is too big ({size / 1e6:,.0f} MB; the limit is {max_bytes / 1e6:,.0f} MB)",
        todo="Export fewer months, districts or data elements at a time",
    )


#: Bytes decoded to look at the start of a text file (delimiter, header, binary check).
#: At least 200,000 characters in any encoding (UTF-8 uses at most 4 bytes a character).
_HEAD_BYTES = 1024 * 1024
_HEAD_CHARS = 200_000


def _encoding(data: bytes, ascii_only: bool) -> tuple[str, str]:
    """``(codec, plain label)`` of a text file, checked over the whole file.

    A byte-order mark decides first; then the pattern of zero bytes (UTF-16
    without a mark); then UTF-8 if every byte sequence is valid UTF-8, else
    Windows cp1252, else Latin-1 (which accepts any bytes). The whole file is
    checked in pieces, without keeping the decoded text.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, label = "utf-8-sig", "UTF-8 (with byte-order mark)"
    elif data.startswith(codecs.BOM_UTF16_LE):
        encoding, label = "utf-16", "UTF-16 (Excel 'Unicode text')"
    elif data.startswith(codecs.BOM_UTF16_BE):
        encoding, label = "utf-16", "UTF-16 big-endian"
    else:
        head = data[:4000]
        zeros_even = head[0::2].count(0)
        zeros_odd = head[1::2].count(0)
        half = max(len(head) // 2, 1)
        if zeros_odd > 0.4 * half and zeros_even < 0.05 * half:
            encoding, label = "utf-16-le", "UTF-16 (no byte-order mark)"
        elif zeros_even > 0.4 * half and zeros_odd < 0.05 * half:
            encoding, label = "utf-16-be", "UTF-16 big-endian (no byte-order mark)"
        else:
            encoding, label = "utf-8", "UTF-8"
    if (encoding == "utf-8" and ascii_only) or _decodes(data, encoding):
        return encoding, label
    if encoding.startswith("utf-16"):
        raise InputError("The file's text encoding is damaged", todo=_FIX_FILE)
    if _decodes(data, "cp1252"):
        return "cp1252", "Windows Western (cp1252)"
    return "latin-1", "Latin-1"


def _decodes(data: bytes, encoding: str) -> bool:
    """True if the whole of ``data`` is valid text in ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    step = 1 << 22
    try:
        for start in range(0, max(len(data), 1), step):
            decoder.decode(view[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _head_text(data: bytes, encoding: str) -> str:
    """The first :data:`_HEAD_CHARS` characters (or all) of the text."""
    decoder = codecs.getincrementaldecoder(encoding)()
    final = len(data) <= _HEAD_BYTES
    return decoder.decode(data[:_HEAD_BYTES], final=final)[:_HEAD_CHARS]


def _sniff_text(data: bytes) -> tuple[str, str, list[str]]:
    """``(codec, first characters, notes)`` of a text file; InputError for binary content.

    Only the start of the file is decoded here; the whole file is decoded once,
    by the reader.
    """
    notes: list[str] = []
    ascii_only = data.isascii()
    encoding, label = _encoding(data, ascii_only)
    if encoding != "utf-8" or not ascii_only:
        notes.append(f"The text is encoded as {label}.")
    head = _head_text(data, encoding)
    sample = head[:20000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\r\n") or ch == "\ufffd")
    if "\x00" in sample or bad > max(2, 0.01 * len(sample)):
        raise InputError(
            "This file is not a table: it holds binary data, not text or an Excel sheet",
            todo=_FIX_FILE,
        )
    return encoding, head, notes
