"""Passwords of the directory: kept out of every message, repr and log; compared in constant time.

A password is written in the directory either plainly (1 to 8 characters, as
VM/370 has it) or hashed, so that the directory file need not hold it::

    HASH:PBKDF2-SHA256:<iterations>:<salt in hex>:<derived key in hex>

``hash_password`` makes that form. VM/370 upper-cased what a terminal typed
before CP saw it, so passwords are compared upper-cased (ASCII letters):
``cpcms`` and ``CPCMS`` are the same password, plain or hashed.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from vm370.cp.configfile import ascii_upper

HASH_PREFIX = "HASH:PBKDF2-SHA256:"
DEFAULT_ITERATIONS = 100_000
# Few enough that a LOGON stays quick on a slow host, many enough to be a real key stretch.
MIN_ITERATIONS, MAX_ITERATIONS = 1_000, 10_000_000
MAX_PLAIN_LENGTH = 8


class PasswordFormatError(ValueError):
    """A password field that is neither 1-8 characters nor a well-formed HASH: form."""


def hash_password(password: str, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None):
    """The ``HASH:PBKDF2-SHA256:...`` form of ``password`` for a directory."""
    salt = os.urandom(16) if salt is None else salt
    key = hashlib.pbkdf2_hmac("sha256", ascii_upper(password).encode(), salt, iterations)
    return f"{HASH_PREFIX}{iterations}:{salt.hex().upper()}:{key.hex().upper()}"


class Password:
    """A secret that can be checked and never shown (``repr`` and ``str`` say ``<password>``)."""

    __slots__ = ("_plain", "_iterations", "_salt", "_key")

    def __init__(self, text: str):
        self._plain: bytes | None = None
        self._iterations = 0
        self._salt = self._key = b""
        upper = ascii_upper(text)
        if upper.startswith("HASH:"):
            self._read_hash(upper)
        elif 1 <= len(text) <= MAX_PLAIN_LENGTH:
            self._plain = upper.encode()
        else:
            raise PasswordFormatError(
                f"a password is 1 to {MAX_PLAIN_LENGTH} characters "
                f"(or {HASH_PREFIX}iterations:salt:key), not {len(text)} characters"
            )

    def _read_hash(self, upper: str) -> None:
        if not upper.startswith(HASH_PREFIX):
            raise PasswordFormatError(f"a hashed password starts {HASH_PREFIX}")
        parts = upper[len(HASH_PREFIX) :].split(":")
        if len(parts) != 3:
            raise PasswordFormatError(
                f"a hashed password is {HASH_PREFIX}iterations:salt:key (three fields after it)"
            )
        iterations, salt, key = parts
        if not iterations.isdigit() or not MIN_ITERATIONS <= int(iterations) <= MAX_ITERATIONS:
            raise PasswordFormatError(
                f"the iteration count of a hashed password is {MIN_ITERATIONS} to {MAX_ITERATIONS}"
            )
        try:
            self._salt, self._key = bytes.fromhex(salt), bytes.fromhex(key)
        except ValueError:
            raise PasswordFormatError("the salt and key of a hashed password are hex") from None
        if not self._salt or len(self._key) != hashlib.sha256().digest_size:
            raise PasswordFormatError(
                "a hashed password has a salt and a 32-byte (64 hex digit) key"
            )
        self._iterations = int(iterations)

    @property
    def is_hashed(self) -> bool:
        return self._plain is None

    def matches(self, candidate: str) -> bool:
        """Whether ``candidate`` is this password, in time independent of where they differ."""
        offered = ascii_upper(candidate).encode("utf-8", "replace")
        if self._plain is not None:
            return hmac.compare_digest(offered, self._plain)
        key = hashlib.pbkdf2_hmac("sha256", offered, self._salt, self._iterations)
        return hmac.compare_digest(key, self._key)

    def is_literally(self, word: str) -> bool:
        """Whether this is the plain password ``word`` (NOLOG, ALL: words with a meaning)."""
        return self._plain is not None and hmac.compare_digest(self._plain, word.encode())

    def __repr__(self) -> str:
        return "<password>"

    __str__ = __repr__

    def __reduce__(self):
        raise TypeError("a password is not pickled")
