"""printseal: sealed print and scan jobs.

Streaming authenticated encryption of the payload (C2SP chunked encryption; suite
``"aes-256-gcm"`` is Cobblestone-256), key wrapping for the people and devices
allowed to open a job (AES-256-KWP key-encryption keys, X25519 and post-quantum
X-Wing public keys through HPKE; KEKs held in an HSM through PKCS#11 with
:class:`Pkcs11Kek`), and public metadata that says which build
sealed it. The byte-exact format is docs/FORMAT.md of the printseal repository.

>>> import printseal
>>> kek = printseal.Kek.generate()
>>> job = printseal.seal(b"%PDF-1.7 ...", [kek], content_type="application/pdf")
>>> printseal.inspect(job).content_type
'application/pdf'
>>> printseal.open(job, [kek]).plaintext
b'%PDF-1.7 ...'

Every error is a :class:`printseal.Error` (see :mod:`printseal.exceptions`); I/O
errors stay :class:`OSError`.
"""

from __future__ import annotations

from . import exceptions
from ._printseal import (
    FORMAT_VERSION,
    Header,
    Kek,
    Opened,
    Opener,
    OpenPolicy,
    Pkcs11Kek,
    Sealer,
    Stanza,
    X25519Identity,
    X25519Recipient,
    XWingIdentity,
    XWingRecipient,
    __version__,
    build_info,
    inspect,
    open,
    open_file,
    rewrap,
    rewrap_file,
    sbom,
    seal,
    seal_file,
)
from ._streams import OpenReader, SealWriter
from .exceptions import (
    Error,
    InternalError,
    InvalidInputError,
    InvalidStateError,
    KeyStoreError,
    MalformedError,
    NoMatchingRecipientError,
    NotPrintsealError,
    PolicyError,
    RandomnessError,
    TamperedError,
    TrailingDataError,
    TruncatedError,
    UnsupportedError,
)

__all__ = [
    "FORMAT_VERSION",
    "Error",
    "Header",
    "InternalError",
    "InvalidInputError",
    "InvalidStateError",
    "Kek",
    "KeyStoreError",
    "MalformedError",
    "NoMatchingRecipientError",
    "NotPrintsealError",
    "OpenPolicy",
    "OpenReader",
    "Opened",
    "Opener",
    "Pkcs11Kek",
    "PolicyError",
    "RandomnessError",
    "SealWriter",
    "Sealer",
    "Stanza",
    "TamperedError",
    "TrailingDataError",
    "TruncatedError",
    "UnsupportedError",
    "X25519Identity",
    "X25519Recipient",
    "XWingIdentity",
    "XWingRecipient",
    "__version__",
    "build_info",
    "exceptions",
    "inspect",
    "open",
    "open_file",
    "rewrap",
    "rewrap_file",
    "sbom",
    "seal",
    "seal_file",
]
