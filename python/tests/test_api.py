"""Round trips of every recipient kind and option, the push API, keys, policy,
rewrap, build info, and every exception class the module can raise here."""

from __future__ import annotations

import datetime
import hashlib
import time
import re
from typing import Any, Dict, List, Tuple

import pytest

import printseal
from conftest import ROOT, message

SIZES = [0, 1, 16383, 16384, 16385, 3 * 16384 + 1234, 9 * 16384]


def all_recipients() -> List[Any]:
    kek = printseal.Kek.generate()
    x = printseal.X25519Identity.generate()
    w = printseal.XWingIdentity.generate()
    return [(kek, kek), (x, x.to_public()), (w, w.to_public())]


@pytest.mark.parametrize("suite", ["aes-256-gcm", "chacha20-poly1305"])
@pytest.mark.parametrize("size", SIZES)
def test_roundtrip_every_kind(suite: str, size: int) -> None:
    data = message(size, size)
    for ident, rcpt in all_recipients():
        job = printseal.seal(data, [rcpt], suite=suite)
        opened = printseal.open(job, [ident])
        assert opened.plaintext == data
        assert opened.header.suite == suite
        assert printseal.inspect(job).stanzas[0].key_id == rcpt.key_id
        # Another identity of the same kind cannot open it.
        other = type(ident).generate()
        with pytest.raises(printseal.NoMatchingRecipientError):
            printseal.open(job, [other])


def test_options_in_header() -> None:
    kek = printseal.Kek(b"k" * 16, b"K" * 32)
    exp = datetime.datetime(2100, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    job = printseal.seal(
        b"%PDF",
        [kek],
        content_type="application/pdf",
        job_id="spool-42",
        expires=exp,
        created=1_700_000_000,
        private={"title": b"Payroll", "owner": bytearray(b"alice")},
    )
    h = printseal.inspect(job)
    assert (h.content_type, h.job_id, h.created) == ("application/pdf", "spool-42", 1_700_000_000)
    assert h.expires == int(exp.timestamp())
    assert h.producer_name == "printseal" and h.producer_version == printseal.__version__
    assert h.sbom_sha256 is not None and h.sbom_sha256.hex() == printseal.build_info()["sbom_sha256"]
    assert [(s.kind, s.kind_name, s.key_id) for s in h.stanzas] == [(1, "kek", b"k" * 16)]
    # The private metadata is not in the public header.
    assert b"Payroll" not in job and b"alice" not in job
    o = printseal.open(job, [kek])
    assert o.private_metadata == {"title": b"Payroll", "owner": b"alice"}
    assert "Payroll" not in repr(o) and "%PDF" not in repr(o)
    assert printseal.seal(b"", [kek], expires=4102444800) != b""


def test_bad_options() -> None:
    kek = printseal.Kek.generate()
    with pytest.raises(ValueError, match="naive"):
        printseal.seal(b"", [kek], expires=datetime.datetime(2100, 1, 1))
    with pytest.raises(ValueError):
        printseal.seal(b"", [kek], expires=-1)
    with pytest.raises(TypeError):
        printseal.seal(b"", [kek], expires=True)
    with pytest.raises(ValueError, match="suite"):
        printseal.seal(b"", [kek], suite="aes-128-gcm")
    with pytest.raises(printseal.InvalidInputError) as e:
        printseal.seal(b"", [kek], content_type="not a mime type")
    assert e.value.code_name == "invalid_input" and isinstance(e.value, ValueError)
    check_against_table(e.value)
    with pytest.raises(printseal.InvalidInputError):
        printseal.seal(b"", [kek], job_id="bad\nid")
    with pytest.raises(printseal.MalformedError) as le:
        printseal.seal(b"", [kek], private={f"k{i}": b"v" for i in range(40)})
    assert le.value.limit == "private_metadata_entries"
    with pytest.raises(TypeError):
        printseal.seal(b"", [kek], private={"t": "str, not bytes"})
    with pytest.raises(TypeError):
        printseal.seal(b"", "printseal1abc")
    with pytest.raises(TypeError, match="to_public"):
        printseal.seal(b"", [printseal.X25519Identity.generate()])
    with pytest.raises(printseal.MalformedError) as le:
        printseal.seal(b"", [])
    assert le.value.limit == "stanza_count"
    with pytest.raises(TypeError):
        printseal.seal("text", [kek])


def test_several_recipients_and_mixed_pq() -> None:
    kek = printseal.Kek.generate()
    x = printseal.X25519Identity.generate()
    w = printseal.XWingIdentity.generate()
    with pytest.raises(printseal.InvalidInputError) as e:
        printseal.seal(b"job", [w.to_public(), x.to_public()])
    assert e.value.code_name == "mixed_post_quantum" and isinstance(e.value, ValueError)
    check_against_table(e.value)
    job = printseal.seal(b"job", [w.to_public(), x.to_public(), kek], allow_mixed_pq=True)
    for ident in (kek, x, w):
        assert printseal.open(job, [ident]).plaintext == b"job"
    assert [s.kind_name for s in printseal.inspect(job).stanzas] == ["xwing", "x25519", "kek"]
    # X-Wing with a KEK is not a mix (a KEK is symmetric).
    printseal.seal(b"job", [w.to_public(), kek])


def test_key_text_forms_and_repr() -> None:
    for cls in (printseal.X25519Identity, printseal.XWingIdentity):
        ident = cls.generate()
        secret = str(ident)
        assert secret.startswith("PRINTSEAL-SECRET-KEY-")
        assert secret not in repr(ident) and secret[25:45] not in repr(ident)
        again = cls.from_str(secret)
        assert again.key_id == ident.key_id
        pub = ident.to_public()
        text = str(pub)
        assert text.startswith("printseal-pq1" if cls is printseal.XWingIdentity else "printseal1")
        assert type(pub).from_str(text) == pub and hash(type(pub).from_str(text)) == hash(pub)
        assert pub != cls.generate().to_public()
        # A damaged key is refused by its checksum; a secret is not a public key.
        bad = text[:-1] + ("q" if text[-1] != "q" else "p")
        with pytest.raises(printseal.InvalidInputError):
            type(pub).from_str(bad)
        with pytest.raises(printseal.InvalidInputError):
            type(pub).from_str(secret)
        with pytest.raises(printseal.InvalidInputError):
            cls.from_str(text)
    kek = printseal.Kek(b"\x01" * 16, b"\x02" * 32)
    assert "0202" not in repr(kek) and "01" * 16 in repr(kek)
    assert kek.expose_secret() == b"\x02" * 32
    text = str(kek)
    assert text.startswith("PRINTSEAL-KEK-1") and text not in repr(kek)
    again = printseal.Kek.from_str(text)
    assert (again.key_id, again.expose_secret()) == (kek.key_id, kek.expose_secret())
    with pytest.raises(printseal.InvalidInputError):
        printseal.Kek.from_str(text[:-1] + ("q" if text[-1] != "q" else "p"))
    with pytest.raises(printseal.InvalidInputError):
        printseal.Kek(b"short", b"\x02" * 32)
    with pytest.raises(printseal.InvalidInputError):
        printseal.Kek(b"\x01" * 16, b"\x02" * 31)


def test_sealer_opener_push() -> None:
    kek = printseal.Kek.generate()
    data = message(5 * 16384 + 77, 7)
    s = printseal.Sealer([kek], content_type="application/pdf")
    header = s.header
    parts = [s.update(data[i : i + 5000]) for i in range(0, len(data), 5000)]
    parts.append(s.finalize())
    job = b"".join(parts)
    assert job.startswith(bytes(header))
    assert printseal.open(job, [kek]).plaintext == data
    # Finished: further use is refused.
    with pytest.raises(printseal.InvalidStateError):
        s.update(b"x")
    with pytest.raises(printseal.InvalidStateError):
        s.finalize()

    o = printseal.Opener([kek])
    assert o.header is None
    out = bytearray()
    for i in range(0, len(job), 3333):
        out += o.update(memoryview(job)[i : i + 3333])
        if i > len(header):
            assert o.header is not None and o.header.content_type == "application/pdf"
    out += o.finalize()
    assert out == data
    assert o.private_metadata == {}


def test_update_into() -> None:
    kek = printseal.Kek.generate()
    data = message(40000, 1)
    s = printseal.Sealer([kek])
    buf = bytearray(len(data) + 4096)
    # Too small: refused before anything is consumed, and the sealer goes on.
    with pytest.raises(printseal.InvalidInputError) as e:
        s.update_into(data, bytearray(10))
    assert e.value.code_name == "buffer_too_small" and e.value.needed is not None
    check_against_table(e.value)
    n = s.update_into(data, buf)
    job = bytes(buf[:n]) + s.finalize()
    assert printseal.open(job, [kek]).plaintext == data
    with pytest.raises(BufferError):
        printseal.Sealer([kek]).update_into(b"x", b"read-only bytes")

    o = printseal.Opener([kek])
    out = bytearray(len(job))
    mv = memoryview(out)
    w = o.update_into(job, mv)
    rest = o.finalize()
    assert bytes(out[:w]) + rest == data

    # Overlapping input and output (in place): works from a copy of the input.
    s2 = printseal.Sealer([kek])
    inplace = bytearray(data) + bytearray(8192)
    n = s2.update_into(memoryview(inplace)[: len(data)], inplace)
    job2 = bytes(inplace[:n]) + s2.finalize()
    assert printseal.open(job2, [kek]).plaintext == data


def test_error_poisons_opener() -> None:
    kek = printseal.Kek.generate()
    job = bytearray(printseal.seal(message(50000), [kek]))
    job[-30000] ^= 1
    o = printseal.Opener([kek])
    with pytest.raises(printseal.TamperedError) as e:
        o.update(bytes(job))
    assert e.value.what == "payload" and e.value.chunk == 1 and e.value.last is False
    with pytest.raises(printseal.InvalidStateError) as st:
        o.update(b"")
    check_against_table(st.value)
    with pytest.raises(printseal.InvalidStateError):
        o.finalize()
    with pytest.raises(printseal.InvalidInputError):
        printseal.Opener([])


def error_table() -> Dict[str, Tuple[int, str, str]]:
    """docs/ERRORS.md's code table: name -> (number, family, Python class)."""
    rows: Dict[str, Tuple[int, str, str]] = {}
    for line in (ROOT / "docs" / "ERRORS.md").read_text().splitlines():
        m = re.match(r"\| (\d+) \| `(\w+)` \| [^|]* \| (\w*) \| `?(\w*)`?", line)
        if m:
            rows[m.group(2)] = (int(m.group(1)), m.group(3).lower(), m.group(4))
    return rows


TABLE = error_table()


def check_against_table(e: "printseal.Error") -> None:
    number, family, cls = TABLE[e.code_name]
    assert (e.code, e.family, type(e).__name__) == (number, family, cls), e


def test_table_classes_exist() -> None:
    assert len(TABLE) >= 20
    for name, (number, family, cls) in TABLE.items():
        if cls in ("", "OSError"):
            continue
        c = getattr(printseal, cls)
        assert issubclass(c, printseal.Error), cls
        assert c.__module__ == "printseal.exceptions"
        if family == "usage" and name != "invalid_state":
            assert issubclass(c, ValueError)


def test_every_format_error_class() -> None:
    kek = printseal.Kek.generate()
    job = printseal.seal(message(40000), [kek])
    hlen = len(printseal.inspect(job))

    def fails(data: bytes, cls: type, code: str, ids: Any = None) -> Any:
        with pytest.raises(cls) as e:
            printseal.open(data, ids or [kek])
        assert e.value.code_name == code
        check_against_table(e.value)
        return e.value

    fails(b"%PDF-1.7 not sealed", printseal.NotPrintsealError, "not_printseal")
    fails(job[:5], printseal.TruncatedError, "truncated")
    # Cut at a chunk boundary: the final chunk is missing.
    fails(job[: hlen + 56 + 16400], printseal.TruncatedError, "truncated")
    # Cut inside a chunk: that chunk, read as the final one, fails.
    t = fails(job[: hlen + 100], printseal.TamperedError, "payload_tampered")
    assert (t.chunk, t.last) == (0, True)
    fails(job + b"\n", printseal.TrailingDataError, "trailing_data")
    v = fails(job[:8] + b"\x02" + job[9:], printseal.UnsupportedError, "unsupported_version")
    assert v.value == 2
    fails(job, printseal.NoMatchingRecipientError, "no_matching_recipient", [printseal.Kek.generate()])
    # The right key id with the wrong key: the stanza does not unwrap.
    wrong = printseal.Kek(kek.key_id, bytes(32))
    t = fails(job, printseal.TamperedError, "stanza_unwrap", [wrong])
    assert t.what == "stanza"
    # A byte of the MAC-covered public metadata.
    j = bytearray(job)
    assert job[14:23] == b"printseal"
    j[15] ^= 0x01  # "printseal" -> "psintseal": still well formed
    t = fails(bytes(j), printseal.TamperedError, "header_mac")
    assert t.what == "header_mac"
    # The payload's commitment (the 24 salt bytes follow the header).
    j = bytearray(job)
    j[hlen + 30] ^= 0x01
    assert fails(bytes(j), printseal.TamperedError, "payload_commitment").what == "commitment"
    j = bytearray(job)
    j[-1] ^= 0x01
    t = fails(bytes(j), printseal.TamperedError, "payload_tampered")
    assert (t.chunk, t.last) == (2, True)
    # No exception carries key material.
    for e in (t,):
        assert kek.expose_secret().hex() not in repr(e.__dict__)


def test_policy() -> None:
    kek = printseal.Kek.generate()
    now = int(time.time())
    job = printseal.seal(b"x", [kek], expires=now - 10, suite="chacha20-poly1305")
    with pytest.raises(printseal.PolicyError) as e:
        printseal.open(job, [kek])
    assert e.value.rule == "expired" and e.value.expires == now - 10
    assert e.value.now is not None and e.value.now >= now
    check_against_table(e.value)
    assert printseal.open(job, [kek], policy=printseal.OpenPolicy(allow_expired=True)).plaintext == b"x"
    assert printseal.open(job, [kek], policy=printseal.OpenPolicy(now=now - 100)).plaintext == b"x"
    p = printseal.OpenPolicy(allow_expired=True, suites=["aes-256-gcm"])
    with pytest.raises(printseal.PolicyError) as e:
        printseal.open(job, [kek], policy=p)
    assert (e.value.rule, e.value.suite) == ("suite", 2)
    job = printseal.seal(b"x", [kek])
    cases = [
        (printseal.OpenPolicy(producers=["other"]), "producer"),
        (printseal.OpenPolicy(min_versions={"printseal": "99.0.0"}), "producer_version_too_old"),
        (printseal.OpenPolicy(deny_versions=[("printseal", ">=0.1.0, <1.0.0")]), "producer_version_denied"),
        (printseal.OpenPolicy(deny_sbom_sha256=[printseal.inspect(job).sbom_sha256 or b""]), "sbom_denied"),
        (printseal.OpenPolicy(stanza_kinds=["xwing"]), "stanza_kind"),
    ]
    for pol, rule in cases:
        with pytest.raises(printseal.PolicyError) as e:
            printseal.open(job, [kek], policy=pol)
        assert e.value.rule == rule
        with pytest.raises(printseal.PolicyError):
            pol.check(printseal.inspect(job))
        with pytest.raises(printseal.PolicyError):
            printseal.Opener([kek], policy=pol).update(job)
    ok = printseal.OpenPolicy(producers=["printseal"], min_versions={"printseal": "0.1.0"},
                              stanza_kinds=["kek", 0x0010], suites=["aes-256-gcm"])
    assert printseal.open(job, [kek], policy=ok).plaintext == b"x"
    ok.check(printseal.inspect(job))
    with pytest.raises(printseal.InvalidInputError):
        printseal.OpenPolicy(min_versions={"printseal": "1.2"})
    with pytest.raises(ValueError):
        printseal.OpenPolicy(stanza_kinds=["rsa"])


def test_rewrap() -> None:
    kek = printseal.Kek.generate()
    alice = printseal.XWingIdentity.generate()
    bob = printseal.XWingIdentity.generate()
    data = message(70000)
    job = printseal.seal(data, [alice.to_public(), kek])
    moved = printseal.rewrap(job, [alice], [bob.to_public(), kek])
    hl, ml = len(printseal.inspect(job)), len(printseal.inspect(moved))
    assert moved[ml:] == job[hl:]  # same payload bytes
    assert printseal.open(moved, [bob]).plaintext == data
    with pytest.raises(printseal.NoMatchingRecipientError):
        printseal.open(moved, [alice])
    with pytest.raises(printseal.NoMatchingRecipientError):
        printseal.rewrap(job, [bob], [kek])
    with pytest.raises(printseal.InvalidInputError):
        printseal.rewrap(job, [kek], [bob.to_public(), printseal.X25519Identity.generate().to_public()])


def test_build_info_and_sbom() -> None:
    b = printseal.build_info()
    assert b["crate_name"] == "printseal" and b["crate_version"] == printseal.__version__
    assert "aws-lc-rs" in b["features"] and "parallel" in b["features"]
    assert b["crypto_backend"] == "aws-lc-rs"
    assert printseal.FORMAT_VERSION in b["format_versions_read"]
    s = printseal.sbom()
    assert s["bomFormat"] == "CycloneDX" and s["specVersion"] == "1.6"
    names = {c["name"] for c in s["components"]}
    assert {"aws-lc-rs", "aws-lc-sys", "rayon"} <= names, names
    # Every sealed header names this SBOM by its SHA-256 (the wheel's printseal.cdx.json
    # has the same digest: scripts/test-python.sh checks it).
    job = printseal.seal(b"x", [printseal.Kek.generate()])
    assert printseal.inspect(job).sbom_sha256 == bytes.fromhex(b["sbom_sha256"])


def test_inspect_sources(tmp_path: Any) -> None:
    kek = printseal.Kek.generate()
    job = printseal.seal(b"abc", [kek], job_id="j1")
    p = tmp_path / "job.pseal"
    p.write_bytes(job)
    import io

    for src in (job, bytearray(job), memoryview(job), str(p), p, io.BytesIO(job)):
        assert printseal.inspect(src).job_id == "j1"
    f = io.BytesIO(job)
    h = printseal.inspect(f)
    assert f.tell() == len(h)  # read up to the end of the header, no further
    with pytest.raises(printseal.NotPrintsealError):
        printseal.inspect(b"GIF89a....")
    with pytest.raises(printseal.TruncatedError):
        printseal.inspect(job[:20])
    with pytest.raises(FileNotFoundError):
        printseal.inspect(tmp_path / "missing")
