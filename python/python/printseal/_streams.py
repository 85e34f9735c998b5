"""File-like streaming: :class:`SealWriter` and :class:`OpenReader`.

Both are :class:`io.RawIOBase` subclasses around engines written in Rust
(``printseal._printseal._SealWriter`` and ``_OpenReader``), so they work with
``shutil.copyfileobj``, ``io.BufferedReader``/``io.BufferedWriter`` and ``with``.
Neither closes the file object it was given.
"""

from __future__ import annotations

import io
from types import TracebackType
from typing import Any, Dict, Mapping, Optional, Sequence, Type, Union

from ._printseal import (
    Header,
    Kek,
    OpenPolicy,
    Pkcs11Kek,
    X25519Identity,
    X25519Recipient,
    XWingIdentity,
    XWingRecipient,
    _OpenReader,
    _SealWriter,
)

Recipient = Union[Kek, Pkcs11Kek, X25519Recipient, XWingRecipient]
Identity = Union[Kek, Pkcs11Kek, X25519Identity, XWingIdentity]

__all__ = ["OpenReader", "SealWriter"]


class SealWriter(io.RawIOBase):
    """Seals everything written to it into ``fileobj`` (a binary file object).

    Closing the writer (or leaving its ``with`` block normally) writes the final
    chunk; until then the output is a truncated job that no opener accepts. If the
    ``with`` block ends with an exception, the final chunk is NOT written, so a job
    cut short by an error can never open as if it were complete. Options are those
    of :func:`printseal.seal`.
    """

    def __init__(
        self,
        fileobj: Any,
        recipients: Sequence[Recipient],
        *,
        content_type: str = "application/octet-stream",
        job_id: Optional[str] = None,
        expires: Any = None,
        private: Optional[Mapping[str, bytes]] = None,
        suite: str = "aes-256-gcm",
        created: Any = None,
        allow_mixed_pq: bool = False,
    ) -> None:
        super().__init__()
        self._engine = _SealWriter(
            fileobj,
            recipients,
            content_type=content_type,
            job_id=job_id,
            expires=expires,
            private=private,
            suite=suite,
            created=created,
            allow_mixed_pq=allow_mixed_pq,
        )

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("write to a closed SealWriter")
        return self._engine.write(b)

    def close(self) -> None:
        """Writes the final chunk and flushes the file object (once)."""
        if self.closed:
            return
        try:
            if not self._engine.finished:
                self._engine.finish()
        finally:
            super().close()

    def abort(self) -> None:
        """Closes without writing the final chunk: the output stays a truncated job."""
        self._engine.abort()
        super().close()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.close()


class OpenReader(io.RawIOBase):
    """Opens the sealed job in ``fileobj`` (a binary file object) as it is read.

    The header is read and authenticated when the reader is made (so ``header`` and
    ``private_metadata`` are available at once). Plaintext is returned one verified
    chunk at a time, and end of file is reported only after the final chunk
    verified: a truncated or altered job raises, never ends cleanly.

    If ``fileobj`` is seekable, so is the reader (``seek``/``tell``): the job must
    then start at offset 0 of ``fileobj``, and every chunk served after a seek is
    authenticated at its index; a seek from the end first authenticates the
    length by decrypting the final chunk.
    """

    def __init__(
        self,
        fileobj: Any,
        identities: Sequence[Identity],
        *,
        policy: Optional[OpenPolicy] = None,
    ) -> None:
        super().__init__()
        self._engine = _OpenReader(fileobj, identities, policy=policy)

    @property
    def header(self) -> Header:
        """The authenticated header."""
        return self._engine.header

    @property
    def private_metadata(self) -> Dict[str, bytes]:
        """The decrypted private metadata."""
        return self._engine.private_metadata

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._engine.seekable

    def readinto(self, b: Any) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("read from a closed OpenReader")
        return self._engine.readinto(b)

    def readall(self) -> bytes:
        if self.closed:
            raise ValueError("read from a closed OpenReader")
        return self._engine.readall()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self.closed:
            raise ValueError("seek on a closed OpenReader")
        if not self._engine.seekable:
            raise io.UnsupportedOperation("the source file is not seekable")
        return self._engine.seek(offset, whence)

    def tell(self) -> int:
        if self.closed:
            raise ValueError("tell on a closed OpenReader")
        return self._engine.tell()

    def plaintext_len(self) -> int:
        """The plaintext length, authenticated (seekable sources only)."""
        return self._engine.plaintext_len()
