"""Team workspaces (one project file a team) and the access codes that protect them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from phcpm.errors import InputError

__all__ = [
    "ENV_VAR",
    "DEFAULT_PATH",
    "TEAM_ENV_VAR",
    "TEAM_SLUG_MAX",
    "team_slug",
    "default_store_path",
    "team_store_path",
    "default_team",
    "ACCESS_CODE_MIN",
    "hash_access_code",
    "access_code_matches",
    "scrypt_key",
]


#: Environment variable naming the default project file.
ENV_VAR = "PHCPM_PDSA_DB"
#: Where the project file goes when neither an argument nor ``PHCPM_PDSA_DB`` names one.
DEFAULT_PATH = Path.home() / ".phcpm" / "pdsa_projects.sqlite"


# --------------------------------------------------------------------------- team workspaces

#: Environment variable naming a team whose workspace opens first (empty: the shared store).
TEAM_ENV_VAR = "PHCPM_PDSA_TEAM"
#: Longest workspace name (slug) made from a team name, in characters.
TEAM_SLUG_MAX = 48
_HASH_LENGTH = 8
_WORD = re.compile(r"[^\W_]+")
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")


def _ascii(text: str) -> str:
    """``text`` without accents and without what has no ASCII form (NFKD, then ASCII only)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def team_slug(team: Any) -> str:
    """The workspace name for a team name: a safe file-name part, never empty.

    Convention: the name is put in Unicode compatibility form and case-folded
    (NFKC and full case folding: Unicode Standard Annex #15, *Unicode
    Normalization Forms*, and the Unicode Standard, section 3.13, Unicode
    Consortium), its runs of letters and digits are joined with hyphens, and
    accents are taken off (NFKD, keeping the ASCII letters: "Équipe" becomes
    "equipe"). The result has only lower-case ``a-z``, digits and single
    hyphens, no hyphen at either end, at most :data:`TEAM_SLUG_MAX` characters,
    so it can never name a folder, climb out of one (``..``) or be empty.

    Two names that differ only in case, spacing, punctuation or accents give
    the same workspace ("Ruvo District Team" and "ruvo-district team"). When a
    letter has no ASCII form (for example a name in Cyrillic, Ge'ez or Arabic
    script) or the name is too long, the first 8 hexadecimal digits of the
    SHA-256 digest (NIST FIPS 180-4, 2015) of the joined runs are added, so
    different names of that kind still get different workspaces.

    A name with no letter or digit at all is refused with :class:`InputError`;
    an empty name is refused too (the shared store has no team name: see
    :func:`team_store_path`).

    >>> team_slug("Ruvo District Team")
    'ruvo-district-team'
    >>> team_slug("  Équipe de Pezali! ")
    'equipe-de-pezali'
    """
    text = "" if team is None else str(team)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    words = "-".join(_WORD.findall(folded))
    if not words:
        if not text.strip():
            raise InputError(
                "The team name is empty",
                todo="Type the team's name, for example Ruvo district team",
            )
        raise InputError(
            f"The team name '{text.strip()}' has no letter or digit",
            todo="Type the team's name with letters, for example Ruvo district team",
        )
    ascii_words = _NOT_ASCII_WORD.sub("-", _ascii(words).lower()).strip("-")
    lost = any(not _ascii(ch) for ch in words if ch != "-")
    if not lost and len(ascii_words) <= TEAM_SLUG_MAX:
        return ascii_words
    digest = hashlib.sha256(words.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    keep = TEAM_SLUG_MAX - _HASH_LENGTH - 1
    start = ascii_words[:keep].rstrip("-") or "team"
    return f"{start}-{digest}"


def default_store_path() -> Path:
    """The shared project file: ``PHCPM_PDSA_DB`` if set, else ``~/.phcpm/pdsa_projects.sqlite``.

    The same rule :class:`ProjectStore` follows when it is given no path.
    """
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def team_store_path(team: Any, default: str | os.PathLike[str] | None = None) -> Path:
    """The project file of a team's workspace, next to the shared file ``default``.

    ``default`` is the shared project file (by default :func:`default_store_path`).
    An empty or blank ``team`` gives ``default`` itself, so a single user, or a
    group that works on shared projects, keeps using the one file as before.
    Otherwise the file is in the same folder, named ``<stem>-<slug><suffix>``
    (``pdsa_projects-ruvo-district-team.sqlite``), where the slug is
    :func:`team_slug`; a file with no suffix gets ``.sqlite``. The file is not
    created here: :class:`ProjectStore` creates it when it is first opened.
    """
    base = Path(default) if default is not None else default_store_path()
    if team is None or not str(team).strip():
        return base
    return base.with_name(f"{base.stem}-{team_slug(team)}{base.suffix or '.sqlite'}")


def default_team() -> str:
    """The team named by ``PHCPM_PDSA_TEAM`` (surrounding spaces removed), or empty text."""
    return os.environ.get(TEAM_ENV_VAR, "").strip()


# --------------------------------------------------------------------------- access codes

#: Shortest access code a team may choose, in characters.
ACCESS_CODE_MIN = 8
#: scrypt cost parameters (RFC 7914, section 2): N = 2**15, r = 8, p = 1 uses 32 MiB.
_SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P = 15, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32


def scrypt_key(code: str, salt: bytes, log_n: int, r: int, p: int) -> bytes:
    """The scrypt key of ``code`` (Unicode NFC, UTF-8) with cost ``2**log_n, r, p`` (RFC 7914)."""
    return hashlib.scrypt(
        unicodedata.normalize("NFC", code).encode("utf-8"),
        salt=salt,
        n=2**log_n,
        r=r,
        p=p,
        maxmem=256 * r * 2**log_n,
        dklen=_KEY_BYTES,
    )


def hash_access_code(code: str, *, salt: bytes | None = None) -> str:
    """The stored form of a team's access code: ``scrypt$logN$r$p$salt$key``.

    The code is put in Unicode NFC form and derived with scrypt (Percival C &
    Josefsson S, *The scrypt Password-Based Key Derivation Function*, RFC 7914,
    IETF 2016) at N = 2**15, r = 8, p = 1 with a random 16-byte salt
    (:func:`os.urandom`), so the same code gives a different stored text each
    time and the code itself is never kept. Salt and key are base64 text.
    A code shorter than :data:`ACCESS_CODE_MIN` characters is refused.
    """
    text = "" if code is None else str(code)
    if len(text.strip()) < ACCESS_CODE_MIN:
        raise InputError(
            f"The access code is too short ({len(text.strip())} characters)",
            todo=f"Choose a code of at least {ACCESS_CODE_MIN} characters, for example four "
            "words the team will remember",
        )
    salt = os.urandom(_SALT_BYTES) if salt is None else bytes(salt)
    key = scrypt_key(text, salt, _SCRYPT_LOG_N, _SCRYPT_R, _SCRYPT_P)
    parts = [
        "scrypt",
        str(_SCRYPT_LOG_N),
        str(_SCRYPT_R),
        str(_SCRYPT_P),
        base64.b64encode(salt).decode("ascii"),
        base64.b64encode(key).decode("ascii"),
    ]
    return "$".join(parts)


def access_code_matches(code: str, stored: str) -> bool:
    """Whether ``code`` is the access code whose stored form is ``stored``.

    The comparison takes the same time wherever the keys differ
    (:func:`hmac.compare_digest`). A stored text this tool cannot read gives
    False, never an error.
    """
    try:
        scheme, log_n, r, p, salt, key = str(stored).split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        found = scrypt_key(
            "" if code is None else str(code),
            base64.b64decode(salt, validate=True),
            int(log_n),
            int(r),
            int(p),
        )
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(found, expected)
