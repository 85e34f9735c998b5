"""Interoperability with pyca/cryptography (an independent implementation) on the
payload layer: Cobblestone-256 is suite "aes-256-gcm"'s payload exactly.

- A job sealed by the module: pyca unwraps the KEK stanza (RFC 5649, its own
  aes_key_unwrap_with_padding), derives the payload key with its own HKDF-SHA-256
  (docs/FORMAT.md key schedule), and its Cobblestone256Decryptor decrypts the
  payload; printseal's hazmat derivation agrees.
- A payload encrypted by pyca's Cobblestone256Encryptor decrypts with printseal.
- A flipped byte fails on both sides.
"""

from __future__ import annotations

import os

import pytest

import printseal
from printseal import hazmat
from conftest import message



from cryptography.exceptions import InvalidTag
from cryptography.hazmat.bindings._rust import cobblestone as _cobblestone
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding

Dec = _cobblestone.Cobblestone256Decryptor
Enc = _cobblestone.Cobblestone256Encryptor

SIZES = [0, 1, 16384, 16385, 3 * 16384 + 1234]


def pyca_run(ctx: object, data: bytes) -> bytes:
    out = []
    for i in range(0, len(data), 7001):
        out.append(ctx.update(data[i : i + 7001]))  # type: ignore[attr-defined]
    out.append(ctx.finalize())  # type: ignore[attr-defined]
    return b"".join(out)


@pytest.mark.parametrize("size", SIZES)
def test_pyca_decrypts_printseal_payload(size: int) -> None:
    kek = printseal.Kek.generate()
    data = message(size, size)
    job = printseal.seal(data, [kek], content_type="application/pdf")
    header = printseal.inspect(job)
    (stanza,) = header.stanzas
    # The KEK stanza body: key id (16 bytes), then the RFC 5649 wrap of the file key.
    body_at = bytes(header).index(kek.key_id)
    wrapped = bytes(header)[body_at + 16 : body_at + 16 + 40]
    file_key = aes_key_unwrap_with_padding(kek.expose_secret(), wrapped)
    assert len(file_key) == 32
    # docs/FORMAT.md: payload input key = HKDF-SHA-256(salt "printseal.v1", file key,
    # info "printseal.v1 payload"); the context is the header before the MAC.
    key = HKDF(hashes.SHA256(), 32, b"printseal.v1", b"printseal.v1 payload").derive(file_key)
    pkey, context = hazmat.payload_key_and_context(header, file_key)
    assert pkey == key
    assert bytes(header).startswith(context) and len(context) < len(header)
    payload = job[len(header) :]
    assert pyca_run(Dec(key, context), payload) == data
    # Flip a byte of the payload: pyca refuses it.
    bad = bytearray(payload)
    bad[len(bad) // 2] ^= 1
    with pytest.raises(InvalidTag):
        pyca_run(Dec(key, context), bytes(bad))
    # And a wrong context (another header) is refused too.
    with pytest.raises(InvalidTag):
        pyca_run(Dec(key, context + b"x"), payload)


@pytest.mark.parametrize("size", SIZES)
def test_printseal_decrypts_pyca_payload(size: int) -> None:
    key = os.urandom(32)
    context = os.urandom(size % 50)
    data = message(size, 100 + size)
    payload = pyca_run(Enc(key, context), data)
    assert hazmat.payload_open("aes-256-gcm", key, context, payload) == data
    bad = bytearray(payload)
    bad[-1] ^= 1
    with pytest.raises(printseal.TamperedError):
        hazmat.payload_open("aes-256-gcm", key, context, bytes(bad))
    # printseal's encryption under the same key and context, decrypted by pyca.
    mine = hazmat.payload_seal("aes-256-gcm", key, os.urandom(24), context, data)
    assert pyca_run(Dec(key, context), mine) == data
    # The ChaCha20-Poly1305 suite is not Cobblestone: pyca must refuse it.
    other = hazmat.payload_seal("chacha20-poly1305", key, os.urandom(24), context, data)
    with pytest.raises(InvalidTag):
        pyca_run(Dec(key, context), other)
