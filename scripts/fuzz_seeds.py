#!/usr/bin/env python3
"""Regenerates the committed fuzz seed corpora, fuzz/seeds/<target>/, from the format
vectors in tests/vectors/ (text header stripped up to the first blank line) plus a few
hand-made structured inputs. Usage: scripts/fuzz_seeds.py

Generated corpus growth goes to fuzz/corpus/<target>/ (ignored by git); libFuzzer reads
both: `cargo +nightly fuzz run TARGET fuzz/corpus/TARGET fuzz/seeds/TARGET`.
"""

import hashlib
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "vectors"
SEEDS = ROOT / "fuzz" / "seeds"
MAX_SEED = 20_000  # bytes: small files only


def vectors():
    for p in sorted(VECTORS.iterdir()):
        if p.suffix or not p.is_file():
            continue
        raw = p.read_bytes()
        i = raw.find(b"\n\n")
        if i < 0:
            continue
        body = raw[i + 2:]
        if len(body) <= MAX_SEED:
            yield p.name, body


def write(target: str, name: str, data: bytes) -> None:
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{name}-{hashlib.sha256(data).hexdigest()[:8]}").write_bytes(data)


def main() -> None:
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    rng = random.Random(5)
    for name, body in vectors():
        write("header_parse", name, body)
        # open_arbitrary: mode 0 (whole file) and a 4-byte split seed.
        write("open_arbitrary", name, b"\x00\x07\x00\x00\x00" + body)
        # rewrap: mode 0 (whole file).
        write("rewrap", name, b"\x00" + body)
    for mode in (1, 2, 3, 4):
        for n in (0, 17, 100):
            write("open_arbitrary", f"mode{mode}", bytes([mode]) + rng.randbytes(4 + n))
    for mode in (1, 2):
        write("rewrap", f"mode{mode}", bytes([mode]) + rng.randbytes(20))
    # roundtrip: flags (suite, writer, reader, length class), length, fill, splits, seeks.
    for flags in (0x00, 0x07, 0x46, 0x87, 0xC5):
        write("roundtrip", f"flags{flags:02x}", bytes([flags]) + rng.randbytes(40))
        # With a list of seeks after the fixed fields, so that inputs start long enough.
        write("roundtrip", f"seeks{flags:02x}", bytes([flags]) + rng.randbytes(160))
    # differential_backends: raw AEAD (flags bit 1 clear) and whole jobs (set).
    for flags in (0, 1):
        for n in (0, 15, 16, 64, 300):
            write("differential_backends", f"raw{flags}", bytes([flags]) + rng.randbytes(61 + n))
    for flags in (2, 3):
        write("differential_backends", f"jobs{flags}", bytes([flags]) + rng.randbytes(60))
    for t in sorted(SEEDS.iterdir()):
        files = list(t.iterdir())
        print(f"{t.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")


if __name__ == "__main__":
    main()
