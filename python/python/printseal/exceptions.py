"""The exceptions printseal raises: one hierarchy rooted at :class:`Error`.

The classes are the Python column of the core's error table (docs/ERRORS.md); the
Rust extension raises them from one place (``python/src/error.rs``), mapping from the
core's ``Error::code()``. Each instance has ``code`` (the fixed number of the table,
for example ``203``), ``code_name`` (its name, ``"payload_tampered"``), ``family``
(``"format"``, ``"tampered"``, ``"recipient"``, ``"policy"``, ``"usage"``,
``"environment"`` or ``"internal"``) and the details the Rust error carries (a chunk
index, a policy rule, a field name, a limit). No exception carries key material or
plaintext.

I/O problems of the files and file objects are not printseal errors: they stay
:class:`OSError` (``FileNotFoundError``, ``PermissionError``, ...), and an
exception raised by a file object's ``read``/``write`` propagates unchanged.
A bad argument raises :class:`InvalidInputError`, which is also a
:class:`ValueError`; an object used after it finished or failed raises
:class:`InvalidStateError`.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "Error",
    "InvalidInputError",
    "InvalidStateError",
    "NotPrintsealError",
    "UnsupportedError",
    "MalformedError",
    "TruncatedError",
    "TrailingDataError",
    "TamperedError",
    "NoMatchingRecipientError",
    "PolicyError",
    "RandomnessError",
    "KeyStoreError",
    "InternalError",
]


class Error(Exception):
    """Base class of every printseal error. ``str(e)`` is the core's message."""

    code: int
    code_name: str
    family: str

    def __init__(self, message: str, *, code: int = 0, code_name: str = "", family: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.code_name = code_name
        self.family = family


class InvalidInputError(Error, ValueError):
    """A value given to printseal is not valid (codes 2 ``buffer_too_small``, 5
    ``invalid_input``, 6 ``invalid_seek``, 7 ``mixed_post_quantum``); ``what`` names
    it when the core does, ``needed`` is the output size a too-small buffer lacked."""

    what: Optional[str]
    needed: Optional[int]

    def __init__(self, message: str, *, what: Optional[str] = None, needed: Optional[int] = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.what = what
        self.needed = needed


class InvalidStateError(Error):
    """The object was used after it finished, or after an earlier error (errors are
    final), or a call came in the wrong phase (code 3)."""


class NotPrintsealError(Error):
    """The input is not a printseal job (code 100)."""


class UnsupportedError(Error):
    """A format version (101) or payload suite (102) this build does not read;
    ``value`` is the version byte or suite id found."""

    value: Optional[int]

    def __init__(self, message: str, *, value: Optional[int] = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.value = value


class MalformedError(Error):
    """The header breaks a field rule (103, ``field`` names it) or a documented limit
    (104, ``limit`` names it: ``"stanza_count"``, ``"private_metadata_entries"``, ...)."""

    field: Optional[str]
    limit: Optional[str]

    def __init__(self, message: str, *, field: Optional[str] = None, limit: Optional[str] = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.field = field
        self.limit = limit


class TruncatedError(Error):
    """The job ends early: in the header, or before the payload's final chunk (105)."""


class TrailingDataError(Error):
    """1 to 16 bytes follow the authentic end of the job (106)."""


class TamperedError(Error):
    """Authentication failed (200 ``header_mac``, 201 ``stanza_unwrap``, 202
    ``payload_commitment``, 203 ``payload_tampered``). ``what`` is ``"header_mac"``,
    ``"stanza"``, ``"commitment"`` or ``"payload"``; for the payload, ``chunk`` is the
    index of the chunk that failed and ``last`` whether it was read as the final one
    (a cut inside it, or bytes appended after it, look the same as tampering)."""

    what: str
    chunk: Optional[int]
    last: Optional[bool]

    def __init__(
        self,
        message: str,
        *,
        what: str = "",
        chunk: Optional[int] = None,
        last: Optional[bool] = None,
        **kw: object,
    ) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.what = what
        self.chunk = chunk
        self.last = last


class NoMatchingRecipientError(Error):
    """No stanza is addressed to any of the identities given (300)."""


class PolicyError(Error):
    """The open policy refused the authentic job (400), before anything was decrypted.

    ``rule`` is ``"suite"``, ``"stanza_kind"``, ``"producer"``,
    ``"producer_version_too_old"``, ``"producer_version_denied"``,
    ``"producer_version_unparsable"``, ``"sbom_denied"``, ``"expired"`` or
    ``"no_clock"``; the other attributes are that rule's details from the header
    (public data), ``None`` where the rule has none.
    """

    rule: str
    producer: Optional[str]
    version: Optional[str]
    minimum: Optional[str]
    range: Optional[str]
    suite: Optional[int]
    stanza_kind: Optional[int]
    expires: Optional[int]
    now: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        rule: str = "",
        producer: Optional[str] = None,
        version: Optional[str] = None,
        minimum: Optional[str] = None,
        range: Optional[str] = None,
        suite: Optional[int] = None,
        stanza_kind: Optional[int] = None,
        expires: Optional[int] = None,
        now: Optional[int] = None,
        **kw: object,
    ) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.rule = rule
        self.producer = producer
        self.version = version
        self.minimum = minimum
        self.range = range
        self.suite = suite
        self.stanza_kind = stanza_kind
        self.expires = expires
        self.now = now


class RandomnessError(Error):
    """The operating system's random number generator failed (501)."""


class KeyStoreError(Error):
    """An external key store failed (502). ``failure`` is ``"module_unavailable"``,
    ``"token_absent"``, ``"pin_incorrect"``, ``"key_not_found"``,
    ``"key_not_permitted"`` or ``"other"``; ``detail`` is the store's operator-facing
    detail (never a PIN)."""

    failure: str
    detail: str

    def __init__(self, message: str, *, failure: str = "other", detail: str = "", **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.failure = failure
        self.detail = detail


class InternalError(Error):
    """A broken internal invariant of printseal (900): a bug, please report it."""
