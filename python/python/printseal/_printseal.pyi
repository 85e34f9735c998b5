"""Stubs of the extension module ``printseal._printseal`` (hand-written, checked by
``python -m mypy.stubtest printseal._printseal``)."""

import datetime
import os
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

if sys.version_info >= (3, 12):
    from collections.abc import Buffer
else:
    from typing_extensions import Buffer

__version__: str
FORMAT_VERSION: int

Time = Union[int, datetime.datetime]
StrPath = Union[str, "os.PathLike[str]"]
Recipient = Union["Kek", "Pkcs11Kek", "X25519Recipient", "XWingRecipient"]
Identity = Union["Kek", "Pkcs11Kek", "X25519Identity", "XWingIdentity"]

@final
class Kek:
    """A key-encryption key for AES-256-KWP stanzas (RFC 5649): a 16-byte key id and
    a 32-byte key. Both a recipient and an identity. ``str()`` gives the secret text
    form (``PRINTSEAL-KEK-1...``); ``repr`` hides the key."""

    def __new__(cls, key_id: Buffer, key: Buffer) -> "Kek": ...
    @staticmethod
    def generate() -> "Kek":
        """A fresh KEK with a random key id, from the OS generator."""
    @staticmethod
    def from_str(text: str) -> "Kek":
        """Parses the secret text form (``PRINTSEAL-KEK-1...``)."""
    @property
    def key_id(self) -> bytes: ...
    def expose_secret(self) -> bytes:
        """The 32 key bytes. A secret."""

@final
class Pkcs11Kek:
    """A KEK that lives in a PKCS#11 token (an HSM, a smart card, SoftHSM2) and never
    leaves it: usable wherever a :class:`Kek` is, as a recipient and an identity.

    ``uri`` is an RFC 7512 PKCS#11 URI naming the token and the key, with the
    module to load, for example
    ``pkcs11:token=print01;id=%01;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so``.
    The user PIN is ``pin`` (a ``str``, or bytes-like: pass a ``bytearray`` and zero
    it afterwards to keep no copy on the Python side) or the URI's
    ``pin-source=file:/path`` (not both); it is not kept after login, and never
    appears in ``repr`` or in an error. The module is loaded, the token logged in
    and the key found when the object is made, with the GIL released; so is every
    wrap and unwrap.

    Stanzas are byte-identical to the software :class:`Kek` of the same value and id
    (``CKM_AES_KEY_WRAP_PAD`` is RFC 5649). A stanza for another key id is skipped
    without a call to the token. Token failures raise
    :class:`~printseal.KeyStoreError` with ``failure`` ``"pin_incorrect"``,
    ``"token_absent"``, ``"module_unavailable"``, ``"key_not_found"``,
    ``"key_not_permitted"`` or ``"other"``; a malformed URI raises
    :class:`~printseal.InvalidInputError`."""

    def __new__(cls, uri: str, *, pin: Optional[Union[str, Buffer]] = None) -> "Pkcs11Kek": ...
    @staticmethod
    def import_kek(uri: str, kek: Kek, *, pin: Optional[Union[str, Buffer]] = None) -> "Pkcs11Kek":
        """Imports a software :class:`Kek` into the token ``uri`` names, as a
        non-extractable AES-256 key that may only wrap and unwrap, with ``CKA_ID`` =
        its key id (``object=`` in the URI becomes its label), and opens it: jobs
        sealed to the software KEK then open through the token, and the reverse.
        Refuses a key id or label the token already holds
        (:class:`~printseal.KeyStoreError`, failure ``"other"``). The PIN must be
        UTF-8 here. Destroy the software copy if the token is to be its only home."""
    @property
    def key_id(self) -> bytes:
        """The 16-byte key id of its stanzas (the ``CKA_ID`` when that has 16 bytes)."""
    @property
    def cka_id(self) -> bytes:
        """The token object's ``CKA_ID``."""
    @property
    def token_label(self) -> str: ...
    @property
    def can_wrap(self) -> bool:
        """Whether the key may seal (``CKA_WRAP``)."""
    @property
    def can_unwrap(self) -> bool:
        """Whether the key may open (``CKA_UNWRAP``)."""

@final
class X25519Recipient:
    """An X25519 public key (text form ``printseal1...``)."""

    @staticmethod
    def from_str(text: str) -> "X25519Recipient": ...
    @property
    def key_id(self) -> bytes: ...
    def __bytes__(self) -> bytes: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class XWingRecipient:
    """An X-Wing (ML-KEM-768 + X25519) public key (text form ``printseal-pq1...``)."""

    @staticmethod
    def from_str(text: str) -> "XWingRecipient": ...
    @property
    def key_id(self) -> bytes: ...
    def __bytes__(self) -> bytes: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class X25519Identity:
    """An X25519 secret key. ``str()`` gives the secret text form
    (``PRINTSEAL-SECRET-KEY-1...``); ``repr`` hides it."""

    @staticmethod
    def generate() -> "X25519Identity": ...
    @staticmethod
    def from_str(text: str) -> "X25519Identity": ...
    def to_public(self) -> X25519Recipient: ...
    @property
    def key_id(self) -> bytes: ...

@final
class XWingIdentity:
    """An X-Wing secret key (its 32-byte seed). ``str()`` gives the secret text form
    (``PRINTSEAL-SECRET-KEY-PQ-1...``); ``repr`` hides it."""

    @staticmethod
    def generate() -> "XWingIdentity": ...
    @staticmethod
    def from_str(text: str) -> "XWingIdentity": ...
    def to_public(self) -> XWingRecipient: ...
    @property
    def key_id(self) -> bytes: ...

@final
class Stanza:
    """One recipient stanza: its kind (``0x0001`` KEK, ``0x0010`` X25519, ``0x0011``
    X-Wing) and key id (public data)."""

    @property
    def kind(self) -> int: ...
    @property
    def kind_name(self) -> str:
        """``"kek"``, ``"x25519"``, ``"xwing"``, ``"padding"`` (``0x0000``: wraps no
        key; ``rewrap_file`` adds one to keep the payload's offset within 4096-byte
        blocks) or ``"unknown"``."""
    @property
    def key_id(self) -> Optional[bytes]: ...

@final
class Header:
    """A job's header. Authentic only once its job was opened (``Opened.header``,
    ``OpenReader.header``, the return value of ``open_file``); from ``inspect`` it is
    what the file claims."""

    @property
    def suite(self) -> str:
        """``"aes-256-gcm"`` (Cobblestone-256) or ``"chacha20-poly1305"``."""
    @property
    def suite_id(self) -> int: ...
    @property
    def content_type(self) -> str: ...
    @property
    def producer_name(self) -> str: ...
    @property
    def producer_version(self) -> str: ...
    @property
    def sbom_sha256(self) -> Optional[bytes]: ...
    @property
    def created(self) -> int:
        """Seconds since the Unix epoch."""
    @property
    def expires(self) -> Optional[int]:
        """Seconds since the Unix epoch, if the job expires."""
    @property
    def job_id(self) -> Optional[str]: ...
    @property
    def stanzas(self) -> List[Stanza]: ...
    def __len__(self) -> int:
        """The header's size in bytes."""
    def __bytes__(self) -> bytes: ...

@final
class OpenPolicy:
    """What an opener accepts. ``OpenPolicy()`` refuses expired jobs and nothing
    else; each argument narrows it. Checked after the header MAC, before anything is
    decrypted; a refusal raises ``PolicyError``."""

    def __new__(
        cls,
        *,
        producers: Optional[Sequence[str]] = None,
        min_versions: Optional[Mapping[str, str]] = None,
        deny_versions: Optional[Sequence[Tuple[str, str]]] = None,
        deny_sbom_sha256: Optional[Sequence[Buffer]] = None,
        suites: Optional[Sequence[str]] = None,
        stanza_kinds: Optional[Sequence[Union[int, str]]] = None,
        allow_expired: bool = False,
        now: Optional[Time] = None,
    ) -> "OpenPolicy": ...
    def check(self, header: Header) -> None:
        """Checks a header without a key (an early sort, not a guarantee)."""

@final
class Opened:
    """A job opened in full."""

    @property
    def plaintext(self) -> bytes: ...
    @property
    def header(self) -> Header: ...
    @property
    def private_metadata(self) -> Dict[str, bytes]: ...

@final
class Sealer:
    """Seals a job pushed in pieces; ``finalize`` writes the final chunk. An error
    poisons the object."""

    def __new__(
        cls,
        recipients: Sequence[Recipient],
        *,
        content_type: str = "application/octet-stream",
        job_id: Optional[str] = None,
        expires: Optional[Time] = None,
        private: Optional[Mapping[str, Buffer]] = None,
        suite: str = "aes-256-gcm",
        created: Optional[Time] = None,
        allow_mixed_pq: bool = False,
    ) -> "Sealer": ...
    @property
    def header(self) -> Header: ...
    def update(self, data: Buffer) -> bytes: ...
    def update_into(self, data: Buffer, buf: Buffer) -> int:
        """Seals into ``buf`` (checked first to be large enough, else ``InvalidInputError``)
        and returns the bytes written."""
    def finalize(self) -> bytes: ...

@final
class Opener:
    """Opens a job pushed in pieces; plaintext is released one verified chunk at a
    time, the final chunk's by ``finalize``. An error poisons the object."""

    def __new__(cls, identities: Sequence[Identity], *, policy: Optional[OpenPolicy] = None) -> "Opener": ...
    @property
    def header(self) -> Optional[Header]: ...
    @property
    def private_metadata(self) -> Optional[Dict[str, bytes]]: ...
    def update(self, data: Buffer) -> bytes: ...
    def update_into(self, data: Buffer, buf: Buffer) -> int: ...
    def finalize(self) -> bytes: ...

@final
class _SealWriter:
    def __new__(
        cls,
        fileobj: Any,
        recipients: Sequence[Recipient],
        *,
        content_type: str = "application/octet-stream",
        job_id: Optional[str] = None,
        expires: Optional[Time] = None,
        private: Optional[Mapping[str, Buffer]] = None,
        suite: str = "aes-256-gcm",
        created: Optional[Time] = None,
        allow_mixed_pq: bool = False,
    ) -> "_SealWriter": ...
    def write(self, data: Buffer) -> int: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...
    @property
    def finished(self) -> bool: ...

@final
class _OpenReader:
    def __new__(cls, fileobj: Any, identities: Sequence[Identity], *, policy: Optional[OpenPolicy] = None) -> "_OpenReader": ...
    @property
    def header(self) -> Header: ...
    @property
    def private_metadata(self) -> Dict[str, bytes]: ...
    @property
    def seekable(self) -> bool: ...
    def readinto(self, buf: Buffer) -> int: ...
    def readall(self) -> bytes: ...
    def seek(self, offset: int, whence: int = 0) -> int: ...
    def tell(self) -> int: ...
    def plaintext_len(self) -> int: ...

def seal(
    data: Buffer,
    recipients: Sequence[Recipient],
    *,
    content_type: str = "application/octet-stream",
    job_id: Optional[str] = None,
    expires: Optional[Time] = None,
    private: Optional[Mapping[str, Buffer]] = None,
    suite: str = "aes-256-gcm",
    created: Optional[Time] = None,
    allow_mixed_pq: bool = False,
) -> bytes:
    """Seals ``data`` to ``recipients`` in one call."""

def open(data: Buffer, identities: Sequence[Identity], *, policy: Optional[OpenPolicy] = None) -> Opened:
    """Opens a whole job with the first identity that matches."""

def seal_file(
    src: Any,
    dst: Any,
    recipients: Sequence[Recipient],
    *,
    content_type: str = "application/octet-stream",
    job_id: Optional[str] = None,
    expires: Optional[Time] = None,
    private: Optional[Mapping[str, Buffer]] = None,
    suite: str = "aes-256-gcm",
    created: Optional[Time] = None,
    allow_mixed_pq: bool = False,
) -> Header:
    """Seals ``src`` into ``dst`` (paths or binary file objects); a path output is
    written atomically."""

def open_file(src: Any, dst: Any, identities: Sequence[Identity], *, policy: Optional[OpenPolicy] = None) -> Header:
    """Opens ``src`` into ``dst``; a path output appears only once the whole job
    verified."""

def inspect(source: Any) -> Header:
    """The header of a job, without a key (bytes-like data, a path or a file)."""

def rewrap(
    data: Buffer,
    identities: Sequence[Identity],
    recipients: Sequence[Recipient],
    *,
    policy: Optional[OpenPolicy] = None,
    allow_mixed_pq: bool = False,
) -> bytes:
    """The same job (same payload bytes) for new recipients."""

def rewrap_file(
    path: StrPath,
    identities: Sequence[Identity],
    recipients: Sequence[Recipient],
    *,
    policy: Optional[OpenPolicy] = None,
    allow_mixed_pq: bool = False,
) -> None:
    """Rewraps the job at ``path`` in place, atomically."""

def build_info() -> Dict[str, Any]: ...
def sbom() -> Dict[str, Any]: ...
def _payload_key_and_context(header: Header, file_key: Buffer) -> Tuple[bytes, bytes]: ...
def _payload_seal(suite: str, key: Buffer, salt: Buffer, context: Buffer, data: Buffer) -> bytes: ...
def _payload_open(suite: str, key: Buffer, context: Buffer, data: Buffer) -> bytes: ...
