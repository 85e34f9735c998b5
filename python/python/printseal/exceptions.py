"""The exceptions printseal raises: one hierarchy rooted at :class:`Error`.

One class per family of the core's error table (``printseal::Error``); the Rust
extension raises them from one place (``python/src/error.rs``). Each instance has
``code``, the stable snake_case name of the core error variant (for example
``"payload_tampered"``), and the details the Rust error carries (a chunk index, a
policy rule, a field name). No exception ever carries key material or plaintext.

I/O problems of the files and file objects are not printseal errors: they stay
:class:`OSError` (``FileNotFoundError``, ``PermissionError``, ...), and an
exception raised by a file object's ``read``/``write`` propagates unchanged.
Misuse (a bad argument, an object used after it finished) raises subclasses of
both :class:`Error` and :class:`ValueError`.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "Error",
    "NotPrintsealError",
    "UnsupportedError",
    "MalformedError",
    "LimitError",
    "TamperedError",
    "TruncatedError",
    "TrailingDataError",
    "NoMatchingRecipientError",
    "PolicyError",
    "KeyStoreError",
    "UsageError",
    "InvalidStateError",
    "MixedPostQuantumError",
    "RandomnessError",
    "InternalError",
]


class Error(Exception):
    """Base class of every printseal error.

    ``code`` is the stable snake_case name of the core error variant; ``str(e)`` is
    the core's message.
    """

    code: str

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class NotPrintsealError(Error):
    """The input is not a printseal job (its first bytes are not the magic)."""


class UnsupportedError(Error):
    """A format version or payload suite this build does not read.

    ``value`` is the version byte or the suite id found in the header.
    """

    value: Optional[int]

    def __init__(self, message: str, *, code: str, value: Optional[int] = None) -> None:
        super().__init__(message, code=code)
        self.value = value


class MalformedError(Error):
    """The header is not well formed; ``field`` names the part that is wrong."""

    field: Optional[str]

    def __init__(self, message: str, *, code: str, field: Optional[str] = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class LimitError(Error):
    """A documented limit of the format was exceeded (in the input, or in what was
    asked to be sealed); ``limit`` names it (``"stanza_count"``, ...)."""

    limit: str

    def __init__(self, message: str, *, code: str, limit: str) -> None:
        super().__init__(message, code=code)
        self.limit = limit


class TamperedError(Error):
    """Authentication failed: the job was altered, or parts of two jobs were mixed.

    ``what`` says which check failed: ``"header_mac"``, ``"stanza"`` (a stanza for
    one of the identities did not unwrap: wrong key for its key id, or altered),
    ``"commitment"`` (the payload's key commitment) or ``"payload"``. For the
    payload, ``chunk`` is the index of the chunk whose tag failed and ``last``
    whether it was read as the final chunk (then a cut inside it, or bytes appended
    after it, look the same as tampering).
    """

    what: str
    chunk: Optional[int]
    last: Optional[bool]

    def __init__(
        self,
        message: str,
        *,
        code: str,
        what: str,
        chunk: Optional[int] = None,
        last: Optional[bool] = None,
    ) -> None:
        super().__init__(message, code=code)
        self.what = what
        self.chunk = chunk
        self.last = last


class TruncatedError(Error):
    """The job ends early: inside the header, or before the payload's final chunk."""


class TrailingDataError(Error):
    """Bytes follow the authentic end of the job."""


class NoMatchingRecipientError(Error):
    """None of the identities given can open any of the job's stanzas."""


class PolicyError(Error):
    """The job breaks the :class:`printseal.OpenPolicy` (checked after the header MAC
    verified, before anything is decrypted).

    ``rule`` names the rule: ``"suite"``, ``"stanza_kind"``, ``"producer"``,
    ``"producer_version_too_old"``, ``"producer_version_denied"``,
    ``"producer_version_unparsable"``, ``"sbom_denied"``, ``"expired"`` or
    ``"no_clock"``. The other attributes are the rule's details from the header
    (public data) and are ``None`` when the rule has no such detail.
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
        code: str,
        rule: str,
        producer: Optional[str] = None,
        version: Optional[str] = None,
        minimum: Optional[str] = None,
        range: Optional[str] = None,
        suite: Optional[int] = None,
        stanza_kind: Optional[int] = None,
        expires: Optional[int] = None,
        now: Optional[int] = None,
    ) -> None:
        super().__init__(message, code=code)
        self.rule = rule
        self.producer = producer
        self.version = version
        self.minimum = minimum
        self.range = range
        self.suite = suite
        self.stanza_kind = stanza_kind
        self.expires = expires
        self.now = now


class KeyStoreError(Error):
    """An external key store failed (token absent, PIN refused, ...)."""


class UsageError(Error, ValueError):
    """An argument is not valid (a metadata text with a control character, an output
    buffer that is too small, a bad seek position); ``what`` says which."""

    what: Optional[str]

    def __init__(self, message: str, *, code: str, what: Optional[str] = None) -> None:
        super().__init__(message, code=code)
        self.what = what


class InvalidStateError(UsageError):
    """The object was used after it finished, or after an earlier error: errors are
    final, a failed sealer, opener, reader or writer refuses to go on."""


class MixedPostQuantumError(UsageError):
    """Post-quantum (X-Wing) and classical recipients were mixed in one job without
    ``allow_mixed_pq=True``: the classical stanza would undo the post-quantum
    protection."""


class RandomnessError(Error):
    """The operating system's random number generator failed."""


class InternalError(Error):
    """A broken internal invariant of printseal: a bug, please report it."""
