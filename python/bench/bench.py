#!/usr/bin/env python3
"""Seal and open through the printseal module beside pyca/cryptography (an AESGCM loop
over 16 KiB chunks, and Cobblestone256Encryptor/Decryptor) and Tink's streaming AEAD
(AES256_GCM_HKDF_1MB), in the same run: in memory, and file to file. Prints MB/s and
the ratios the issue sets as goals, with the load average. A script, not a test.

    python python/bench/bench.py [--mib 1024] [--dir DIR] [--repeat 3] [--threads-only]

It also times two Python threads sealing at once against one thread sealing the same
share (the GIL is released in Rust, so on two free cores the pair takes about as long
as one, about 2x if serialised), beside hashlib's SHA-256 (which CPython runs without
the GIL) as a control of how free the second core was.

Needs a release build of the module (`pip install ./python`), cryptography >= 50,
and `tink` for its rows (skipped with a note when not installed). Each figure is the
best of --repeat runs.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import threading
import os
import platform
import sys
import tempfile
import time
from typing import Callable, Dict, List, Optional

import printseal
from cryptography.hazmat.bindings._rust import cobblestone as _cob
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHUNK = 16384
PIECE = 1 << 20

try:  # Tink is optional: its rows are skipped without it.
    import tink
    from tink import streaming_aead

    streaming_aead.register()
except Exception as e:  # pragma: no cover - depends on the machine
    tink = None
    TINK_ERROR = repr(e)


def best(fn: Callable[[], object], repeat: int) -> float:
    t = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


class NoClose(io.BytesIO):
    """A BytesIO that a wrapping stream cannot close (Tink closes its destination)."""

    def close(self) -> None:
        pass


def nonce(i: int) -> bytes:
    return i.to_bytes(12, "big")


def aesgcm_seal(aes: AESGCM, data: memoryview) -> List[bytes]:
    return [aes.encrypt(nonce(i), data[i : i + CHUNK], None) for i in range(0, len(data), CHUNK)]


def aesgcm_open(aes: AESGCM, chunks: List[bytes]) -> List[bytes]:
    return [aes.decrypt(nonce(i * CHUNK), c, None) for i, c in enumerate(chunks)]


def cob_run(ctx: object, data: memoryview) -> List[bytes]:
    out = [ctx.update(data[i : i + PIECE]) for i in range(0, len(data), PIECE)]  # type: ignore[attr-defined]
    out.append(ctx.finalize())  # type: ignore[attr-defined]
    return out


THREAD_PIECE = 64 * 1024  # 4 chunks: below the core's own rayon threshold


def seal_share(kek: printseal.Kek, data: bytes) -> None:
    s = printseal.Sealer([kek])
    mv = memoryview(data)
    out = bytearray(THREAD_PIECE + 64 * 1024)
    for i in range(0, len(data), THREAD_PIECE):
        s.update_into(mv[i : i + THREAD_PIECE], out)
    s.finalize()


def hash_share(data: bytes) -> None:
    mv = memoryview(data)
    for i in range(0, len(data), THREAD_PIECE):
        hashlib.sha256(mv[i : i + THREAD_PIECE]).digest()


def two_threads_over_one(work: Callable[..., None], args: tuple, repeat: int) -> float:
    """Best time of two threads running `work(*args)` at once, over the best time of
    one thread running it once: 1.0 on two free cores, 2.0 if serialised."""
    one = best(lambda: work(*args), repeat)

    def pair() -> None:
        ts = [threading.Thread(target=work, args=args) for _ in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()

    return best(pair, repeat) / one


def threads(mib: int, repeat: int) -> None:
    kek = printseal.Kek.generate()
    share = os.urandom(min(mib, 128) << 20)
    print(f"\ntwo threads / one thread, {len(share) >> 20} MiB each in {THREAD_PIECE >> 10} KiB "
          f"pieces (1.0 = parallel, 2.0 = serial), load {open('/proc/loadavg').read().strip()}")
    r = two_threads_over_one(seal_share, (kek, share), repeat)
    c = two_threads_over_one(hash_share, (share,), repeat)
    print(f"{'printseal Sealer.update_into':34s} {r:5.2f}")
    print(f"{'hashlib sha256 (control)':34s} {c:5.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mib", type=int, default=1024)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads-only", action="store_true", help="only the two-threads figure")
    a = ap.parse_args()
    if a.threads_only:
        threads(a.mib, max(a.repeat, 5))
        return
    n = a.mib << 20
    data = os.urandom(n)
    mv = memoryview(data)
    kek = printseal.Kek.generate()
    key = os.urandom(32)
    aes = AESGCM(key)
    ctx = os.urandom(32)
    mb = n / 1e6
    res: Dict[str, float] = {}

    print(f"printseal {printseal.__version__} ({printseal.build_info()['profile']}, "
          f"backend {printseal.build_info()['crypto_backend']}), Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, {a.mib} MiB")
    print(f"load average before: {open('/proc/loadavg').read().strip()}")

    # --- in memory ---------------------------------------------------------------
    job = printseal.seal(data, [kek])
    res["mem seal printseal"] = mb / best(lambda: printseal.seal(data, [kek]), a.repeat)
    res["mem open printseal"] = mb / best(lambda: printseal.open(job, [kek]), a.repeat)
    del job
    chunks = aesgcm_seal(aes, mv)
    res["mem seal pyca AESGCM loop"] = mb / best(lambda: aesgcm_seal(aes, mv), a.repeat)
    res["mem open pyca AESGCM loop"] = mb / best(lambda: aesgcm_open(aes, chunks), a.repeat)
    del chunks
    enc = b"".join(cob_run(_cob.Cobblestone256Encryptor(key, ctx), mv))
    res["mem seal pyca Cobblestone256"] = mb / best(
        lambda: cob_run(_cob.Cobblestone256Encryptor(key, ctx), mv), a.repeat)
    res["mem open pyca Cobblestone256"] = mb / best(
        lambda: cob_run(_cob.Cobblestone256Decryptor(key, ctx), memoryview(enc)), a.repeat)
    del enc
    if tink is not None:
        handle = tink.new_keyset_handle(streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB)
        sa = handle.primitive(streaming_aead.StreamingAead)

        def tink_seal() -> bytes:
            dst = NoClose()
            with sa.new_encrypting_stream(dst, b"") as s:
                for i in range(0, n, PIECE):
                    s.write(mv[i : i + PIECE])
            return dst.getvalue()

        tjob = tink_seal()

        def tink_open() -> List[bytes]:
            # Kept in memory, as printseal.open and the pyca rows keep their output.
            out = []
            with sa.new_decrypting_stream(io.BytesIO(tjob), b"") as s:
                while True:
                    b = s.read(PIECE)
                    if not b:
                        break
                    out.append(b)
            return out

        res["mem seal tink streaming"] = mb / best(tink_seal, a.repeat)
        res["mem open tink streaming"] = mb / best(tink_open, a.repeat)
        del tjob

    # --- file to file ------------------------------------------------------------
    with tempfile.TemporaryDirectory(dir=a.dir) as d:
        src, dst, out = (os.path.join(d, x) for x in ("plain", "sealed", "opened"))
        with open(src, "wb") as f:
            f.write(data)
        del mv
        res["file seal printseal"] = mb / best(lambda: printseal.seal_file(src, dst, [kek]), a.repeat)
        res["file open printseal"] = mb / best(lambda: printseal.open_file(dst, out, [kek]), a.repeat)

        def aes_file_seal() -> None:
            with open(src, "rb") as fi, open(dst + ".aes", "wb") as fo:
                i = 0
                while True:
                    b = fi.read(CHUNK)
                    if not b:
                        break
                    fo.write(aes.encrypt(nonce(i), b, None))
                    i += CHUNK

        def aes_file_open() -> None:
            with open(dst + ".aes", "rb") as fi, open(out + ".aes", "wb") as fo:
                i = 0
                while True:
                    b = fi.read(CHUNK + 16)
                    if not b:
                        break
                    fo.write(aes.decrypt(nonce(i), b, None))
                    i += CHUNK

        res["file seal pyca AESGCM loop"] = mb / best(aes_file_seal, a.repeat)
        res["file open pyca AESGCM loop"] = mb / best(aes_file_open, a.repeat)

        def cob_file(ctx_obj: object, i: str, o: str, piece: int) -> None:
            with open(i, "rb") as fi, open(o, "wb") as fo:
                while True:
                    b = fi.read(piece)
                    if not b:
                        break
                    fo.write(ctx_obj.update(b))  # type: ignore[attr-defined]
                fo.write(ctx_obj.finalize())  # type: ignore[attr-defined]

        res["file seal pyca Cobblestone256"] = mb / best(
            lambda: cob_file(_cob.Cobblestone256Encryptor(key, ctx), src, dst + ".cob", PIECE), a.repeat)
        res["file open pyca Cobblestone256"] = mb / best(
            lambda: cob_file(_cob.Cobblestone256Decryptor(key, ctx), dst + ".cob", out + ".cob", PIECE), a.repeat)
        if tink is not None:
            def tink_file_seal() -> None:
                with open(src, "rb") as fi, open(dst + ".tink", "wb") as raw:
                    with sa.new_encrypting_stream(raw, b"") as s:
                        while True:
                            b = fi.read(PIECE)
                            if not b:
                                break
                            s.write(b)

            def tink_file_open() -> None:
                with open(dst + ".tink", "rb") as raw, open(out + ".tink", "wb") as fo:
                    with sa.new_decrypting_stream(raw, b"") as s:
                        while True:
                            b = s.read(PIECE)
                            if not b:
                                break
                            fo.write(b)

            res["file seal tink streaming"] = mb / best(tink_file_seal, a.repeat)
            res["file open tink streaming"] = mb / best(tink_file_open, a.repeat)

    print()
    for k, v in res.items():
        print(f"{k:34s} {v:9.0f} MB/s")
    print()

    def ratio(name: str, where: str, op: str, other: str, goal: Optional[float]) -> None:
        mine, theirs = res.get(f"{where} {op} printseal"), res.get(f"{where} {op} {other}")
        if mine is None or theirs is None:
            print(f"{name}: n/a")
            return
        r = mine / theirs
        verdict = "" if goal is None else (" (goal >= %.1f: %s)" % (goal, "met" if r >= goal else "NOT met"))
        print(f"{name:52s} {r:5.2f}x{verdict}")

    for op in ("seal", "open"):
        ratio(f"in memory {op}: printseal / pyca AESGCM loop", "mem", op, "pyca AESGCM loop", 1.0)
        ratio(f"in memory {op}: printseal / pyca Cobblestone256", "mem", op, "pyca Cobblestone256", None)
        ratio(f"in memory {op}: printseal / tink", "mem", op, "tink streaming", 2.5)
        ratio(f"file to file {op}: printseal / pyca AESGCM loop", "file", op, "pyca AESGCM loop", 1.2)
        ratio(f"file to file {op}: printseal / pyca Cobblestone256", "file", op, "pyca Cobblestone256", None)
        ratio(f"file to file {op}: printseal / tink", "file", op, "tink streaming", None)
    if tink is None:
        print(f"tink: not available ({TINK_ERROR})")
    print(f"\nload average after: {open('/proc/loadavg').read().strip()}")
    threads(a.mib, max(a.repeat, 5))


if __name__ == "__main__":
    sys.exit(main())
