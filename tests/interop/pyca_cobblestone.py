#!/usr/bin/env python3
"""Cobblestone-256 (C2SP chunked encryption, AES-256-GCM) through pyca/cryptography.

Used by tests/interop_pyca.rs to check printseal's payload layer against an
independent implementation (cryptography >= 50).

    pyca_cobblestone.py encrypt KEY_HEX CTX_FILE IN OUT
    pyca_cobblestone.py decrypt KEY_HEX CTX_FILE IN OUT

KEY_HEX is the 32-byte input key in hex, CTX_FILE holds the context bytes (may be
empty). The input is fed to the encryptor/decryptor in uneven pieces to exercise
its streaming. OUT is written only on success; on failure the script prints the
error to stderr and exits with status 1 (status 2 for usage errors).
"""

import sys

from cryptography.exceptions import InvalidTag
# `_rust` is an extension module, not a package: take `cobblestone` as its attribute
# (the public `cryptography.cobblestone` re-exports the same two classes).
from cryptography.hazmat.bindings._rust import cobblestone as _cobblestone

Cobblestone256Decryptor = _cobblestone.Cobblestone256Decryptor
Cobblestone256Encryptor = _cobblestone.Cobblestone256Encryptor

# Uneven piece sizes, cycled: smaller than, around and larger than a 16400-byte
# encrypted chunk.
PIECES = (1, 7, 4096, 16400, 16401, 50000)


def run(ctx_class, key: bytes, context: bytes, data: bytes) -> bytes:
    obj = ctx_class(key, context)
    out = []
    pos = 0
    i = 0
    while pos < len(data):
        n = PIECES[i % len(PIECES)]
        out.append(obj.update(data[pos : pos + n]))
        pos += n
        i += 1
    out.append(obj.finalize())
    return b"".join(out)


def main(argv: list[str]) -> int:
    if len(argv) != 6 or argv[1] not in ("encrypt", "decrypt"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, key_hex, ctx_file, in_file, out_file = argv[1:]
    key = bytes.fromhex(key_hex)
    with open(ctx_file, "rb") as f:
        context = f.read()
    with open(in_file, "rb") as f:
        data = f.read()
    cls = Cobblestone256Encryptor if mode == "encrypt" else Cobblestone256Decryptor
    try:
        result = run(cls, key, context, data)
    except (InvalidTag, ValueError) as e:
        print(f"pyca {mode} failed: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    with open(out_file, "wb") as f:
        f.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
