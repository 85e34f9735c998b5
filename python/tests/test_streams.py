"""File-like streaming (SealWriter, OpenReader: copyfileobj both ways, seek and tell,
context managers) and the file helpers (seal_file, open_file, rewrap_file: paths and
file objects, atomic outputs)."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any, List

import pytest

import printseal
from conftest import message

CHUNK = 16384


class NoSeek(io.RawIOBase):
    """A readable stream that cannot seek (a pipe, a socket)."""

    def __init__(self, data: bytes) -> None:
        self._f = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        return self._f.readinto(b)


def readn(r: Any, n: int) -> bytes:
    """Reads n bytes or up to EOF (a raw read may return fewer than asked)."""
    out = bytearray()
    while len(out) < n:
        b = r.read(n - len(out))
        if not b:
            break
        out += b
    return bytes(out)


def test_copyfileobj_both_ways() -> None:
    kek = printseal.Kek.generate()
    data = message(5 * CHUNK + 999, 3)
    raw = io.BytesIO()
    with printseal.SealWriter(raw, [kek], content_type="application/pdf", job_id="j") as w:
        assert w.writable() and not w.readable()
        shutil.copyfileobj(io.BytesIO(data), w, 7000)
    assert not raw.closed  # the file object is not ours to close
    job = raw.getvalue()
    assert printseal.open(job, [kek]).plaintext == data

    for src in (io.BytesIO(job), NoSeek(job)):
        out = io.BytesIO()
        with printseal.OpenReader(src, [kek]) as r:
            assert r.header.job_id == "j" and r.private_metadata == {}
            shutil.copyfileobj(r, out, 5000)
        assert out.getvalue() == data
    # Buffered on top, as open() would do.
    assert io.BufferedReader(printseal.OpenReader(io.BytesIO(job), [kek])).read() == data


def test_seal_writer_exception_leaves_truncated_job() -> None:
    kek = printseal.Kek.generate()
    raw = io.BytesIO()
    with pytest.raises(RuntimeError):
        with printseal.SealWriter(raw, [kek]) as w:
            w.write(message(3 * CHUNK))
            raise RuntimeError("the print job source failed")
    with pytest.raises(printseal.TruncatedError):
        printseal.open(raw.getvalue(), [kek])
    w2 = printseal.SealWriter(io.BytesIO(), [kek])
    w2.close()
    with pytest.raises(ValueError):
        w2.write(b"late")


def test_reader_errors_are_final_and_truncation_is_not_eof() -> None:
    kek = printseal.Kek.generate()
    data = message(4 * CHUNK + 5)
    job = printseal.seal(data, [kek])
    # Cut at a chunk boundary: every byte read is authentic, then an error, not EOF.
    cut = len(printseal.inspect(job)) + 56 + 2 * (CHUNK + 16)
    r = printseal.OpenReader(NoSeek(job[:cut]), [kek])
    got = bytearray()
    with pytest.raises(printseal.TruncatedError):
        while True:
            b = r.read(1000)
            if not b:
                break
            got += b
    assert bytes(got) == data[: len(got)] and len(got) == 2 * CHUNK
    with pytest.raises(printseal.InvalidStateError):
        r.read(10)
    bad = bytearray(job)
    bad[-10] ^= 1  # the final chunk (5 bytes and the tag)
    with pytest.raises(printseal.TamperedError) as e:
        printseal.OpenReader(io.BytesIO(bytes(bad)), [kek]).read()
    assert e.value.chunk == 4
    with pytest.raises(printseal.NoMatchingRecipientError):
        printseal.OpenReader(io.BytesIO(job), [printseal.Kek.generate()])


def test_seek_and_tell() -> None:
    kek = printseal.Kek.generate()
    data = message(7 * CHUNK + 333, 9)
    job = printseal.seal(data, [kek], suite="chacha20-poly1305")
    r = printseal.OpenReader(io.BytesIO(job), [kek])
    assert r.seekable() and r.tell() == 0
    assert r.plaintext_len() == len(data)
    for pos, n in [(0, 10), (CHUNK - 3, 10), (5 * CHUNK + 1, CHUNK * 2), (len(data) - 1, 5), (123, 0)]:
        assert r.seek(pos) == pos
        assert readn(r, n) == data[pos : pos + n]
        assert r.tell() == pos + len(data[pos : pos + n])
    assert r.seek(-100, io.SEEK_END) == len(data) - 100
    assert r.read() == data[-100:]
    assert r.seek(-50, io.SEEK_CUR) == len(data) - 50
    assert readn(r, 1000) == data[-50:]
    assert r.seek(len(data) + 10) == len(data) + 10 and r.read(5) == b""
    with pytest.raises(printseal.InvalidInputError) as e:
        r.seek(-1)
    assert e.value.code_name == "invalid_seek"
    # Not seekable source: neither is the reader.
    s = printseal.OpenReader(NoSeek(job), [kek])
    assert not s.seekable()
    with pytest.raises(io.UnsupportedOperation):
        s.seek(0)
    assert readn(s, 100) == data[:100] and s.tell() == 100


def test_seek_into_tampered_chunk() -> None:
    kek = printseal.Kek.generate()
    data = message(6 * CHUNK, 2)
    job = bytearray(printseal.seal(data, [kek]))
    h = len(printseal.inspect(bytes(job)))
    job[h + 56 + 3 * (CHUNK + 16) + 7] ^= 0x80  # chunk 3
    r = printseal.OpenReader(io.BytesIO(bytes(job)), [kek])
    r.seek(CHUNK)
    assert readn(r, 2 * CHUNK) == data[CHUNK : 3 * CHUNK]  # before the damage: fine
    with pytest.raises(printseal.TamperedError) as e:
        r.seek(3 * CHUNK + 5)
        r.read(10)
    assert e.value.chunk == 3


def test_file_helpers_paths_and_objects(tmp_path: Path) -> None:
    kek = printseal.Kek.generate()
    data = message(3 * CHUNK + 17)
    src = tmp_path / "scan.pdf"
    src.write_bytes(data)
    job = tmp_path / "scan.pdf.pseal"
    h = printseal.seal_file(src, job, [kek], content_type="application/pdf", job_id="s1")
    assert h.job_id == "s1"
    assert (job.stat().st_mode & 0o777) == 0o600
    out = tmp_path / "opened.pdf"
    h2 = printseal.open_file(str(job), str(out), [kek])
    assert out.read_bytes() == data and h2.job_id == "s1" and bytes(h2) == bytes(h)
    # File objects in and out.
    buf = io.BytesIO()
    printseal.seal_file(io.BytesIO(data), buf, [kek])
    res = io.BytesIO()
    printseal.open_file(io.BytesIO(buf.getvalue()), res, [kek])
    assert res.getvalue() == data
    # Mixed.
    with open(job, "rb") as f:
        printseal.open_file(f, tmp_path / "o2", [kek])
    assert (tmp_path / "o2").read_bytes() == data
    with pytest.raises(printseal.InvalidInputError):
        printseal.seal_file(src, src, [kek])
    assert src.read_bytes() == data
    with pytest.raises(FileNotFoundError):
        printseal.seal_file(tmp_path / "missing", tmp_path / "x", [kek])
    with pytest.raises(TypeError):
        printseal.seal_file(b"bytes are not a path", tmp_path / "x", [kek])
    assert not (tmp_path / "x").exists()


def leftovers(d: Path) -> List[str]:
    return sorted(p.name for p in d.iterdir() if p.name.startswith("."))


def test_open_file_never_leaves_partial_output(tmp_path: Path) -> None:
    kek = printseal.Kek.generate()
    data = message(10 * CHUNK)
    job = bytearray(printseal.seal(data, [kek]))
    job[-10] ^= 1  # the final chunk: everything before it verifies
    bad = tmp_path / "bad.pseal"
    bad.write_bytes(bytes(job))
    dst = tmp_path / "out.pdf"
    with pytest.raises(printseal.TamperedError):
        printseal.open_file(bad, dst, [kek])
    assert not dst.exists() and leftovers(tmp_path) == []
    # An existing output stays as it was.
    dst.write_bytes(b"old")
    with pytest.raises(printseal.TruncatedError):
        printseal.open_file(io.BytesIO(bytes(job[:100])), dst, [kek])
    assert dst.read_bytes() == b"old" and leftovers(tmp_path) == []


def test_python_file_errors_propagate(tmp_path: Path) -> None:
    kek = printseal.Kek.generate()

    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            raise ConnectionResetError("the scanner went away")

    with pytest.raises(ConnectionResetError, match="scanner"):
        printseal.seal_file(Broken(), tmp_path / "j", [kek])
    assert not (tmp_path / "j").exists() and leftovers(tmp_path) == []

    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError) as e:
        printseal.seal_file(io.BytesIO(message(100000)), Full(), [kek])
    assert e.value.errno == 28


def test_rewrap_file(tmp_path: Path) -> None:
    old = printseal.Kek.generate()
    new = printseal.X25519Identity.generate()
    data = message(2 * CHUNK)
    p = tmp_path / "job.pseal"
    printseal.seal_file(io.BytesIO(data), p, [old])
    old_len = len(printseal.inspect(p))
    printseal.rewrap_file(p, [old], [new.to_public()])
    assert printseal.open(p.read_bytes(), [new]).plaintext == data
    # The new header keeps the old one's length modulo 4096 (a padding stanza, which
    # wraps no key), so that file systems with reflinks can share the payload's blocks.
    h = printseal.inspect(p)
    assert [s.kind_name for s in h.stanzas] == ["x25519", "padding"]
    assert (h.stanzas[1].kind, h.stanzas[1].key_id) == (0, None)
    assert len(h) % 4096 == old_len % 4096
    with pytest.raises(printseal.NoMatchingRecipientError):
        printseal.open(p.read_bytes(), [old])
    before = p.read_bytes()
    with pytest.raises(printseal.NoMatchingRecipientError):
        printseal.rewrap_file(p, [old], [old])
    assert p.read_bytes() == before
    assert [n for n in os.listdir(tmp_path) if n != "job.pseal"] == []
