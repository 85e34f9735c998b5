"""The format vectors of tests/vectors, opened through the Python module with the
outcome each one expects: in one call, pushed in small pieces through Opener (the
released plaintext's SHA-256 checked against `payload:`), and through OpenReader."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any, List, Optional, Tuple, Type

import pytest

import printseal
from conftest import fields_dict, parse_vector, vector_files

# Outcome class of the vector format -> (exception class, code).
EXPECT = {
    "header failure": (printseal.MalformedError, "malformed_header"),
    "unsupported version": (printseal.UnsupportedError, "unsupported_version"),
    "unsupported suite": (printseal.UnsupportedError, "unsupported_suite"),
    "not printseal": (printseal.NotPrintsealError, "not_printseal"),
    "limit exceeded": (printseal.MalformedError, "limit_exceeded"),
    "HMAC failure": (printseal.TamperedError, "header_mac"),
    "no match": (printseal.NoMatchingRecipientError, "no_matching_recipient"),
    "unwrap failure": (printseal.TamperedError, "stanza_unwrap"),
    "commitment failure": (printseal.TamperedError, "payload_commitment"),
    "payload failure": (printseal.TamperedError, "payload_tampered"),
    "trailing data": (printseal.TrailingDataError, "trailing_data"),
    "truncated": (printseal.TruncatedError, "truncated"),
    "policy violation": (printseal.PolicyError, "policy_violation"),
}

KNOWN_KEYS = {"now", "expect", "payload", "file key", "kek id", "kek", "seed", "comment",
              "x25519 identity", "xwing identity"}

FILES = vector_files()




def identities(d: Any) -> List[Any]:
    ids: List[Any] = []
    for kid, key in zip(d.get("kek id", []), d.get("kek", [])):
        ids.append(printseal.Kek(bytes.fromhex(kid), bytes.fromhex(key)))
    for s in d.get("x25519 identity", []):
        ids.append(printseal.X25519Identity.from_str(s))
    for s in d.get("xwing identity", []):
        ids.append(printseal.XWingIdentity.from_str(s))
    return ids


def test_vectors_are_there() -> None:
    assert len(FILES) >= 70
    outcomes = {fields_dict(parse_vector(p)[0])["expect"][0] for p in FILES}
    # Every outcome class of the format is exercised, success and failures.
    assert outcomes == set(EXPECT) | {"success"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_vector(path: Path) -> None:
    fields, sealed = parse_vector(path)
    d = fields_dict(fields)
    if set(d) - KNOWN_KEYS:
        pytest.skip(f"unknown keys {set(d) - KNOWN_KEYS}")
    expect = d["expect"][0]
    ids = identities(d)
    # The default policy (refuse expired jobs), at the vector's time when it has one.
    POLICY = printseal.OpenPolicy(now=int(d["now"][0])) if "now" in d else None
    payload_sha = d["payload"][0]

    # One call.
    if expect == "success":
        opened = printseal.open(sealed, ids, policy=POLICY)
        assert hashlib.sha256(opened.plaintext).hexdigest() == payload_sha
        assert opened.header.content_type == "application/pdf"
        assert bytes(opened.header) == sealed[: len(opened.header)]
        if opened.header.expires is not None:
            # Past its expiry today: the default policy refuses it, before decrypting.
            with pytest.raises(printseal.PolicyError) as pe:
                printseal.open(sealed, ids)
            assert pe.value.rule == "expired"
            assert pe.value.expires == opened.header.expires
            allow = printseal.OpenPolicy(allow_expired=True)
            assert printseal.open(sealed, ids, policy=allow).plaintext == opened.plaintext
    else:
        cls, code = EXPECT[expect]
        with pytest.raises(cls) as e:
            printseal.open(sealed, ids, policy=POLICY)
        assert e.value.code_name == code, str(e.value)

    # Pushed in small pieces: the released plaintext is the vector's `payload`.
    released = bytearray()
    err: Optional[BaseException] = None
    try:
        op = printseal.Opener(ids, policy=POLICY)
        for i in range(0, len(sealed), 1000):
            released += op.update(sealed[i : i + 1000])
        released += op.finalize()
    except printseal.Error as x:
        err = x
    assert hashlib.sha256(released).hexdigest() == payload_sha
    if expect == "success":
        assert err is None
    else:
        assert isinstance(err, EXPECT[expect][0]) and err.code_name == EXPECT[expect][1]

    # Through the streaming reader (non-seekable source): same outcome.
    class Stream(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._f = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            return self._f.readinto(b)

    got: Tuple[Optional[Type[BaseException]], bytes]
    try:
        with printseal.OpenReader(Stream(sealed), ids, policy=POLICY) as r:
            data = r.read()
        got = (None, data)
    except printseal.Error as x:
        got = (type(x), b"")
        assert x.code_name == EXPECT[expect][1]
    if expect == "success":
        assert hashlib.sha256(got[1]).hexdigest() == payload_sha
    else:
        assert got[0] is EXPECT[expect][0]
