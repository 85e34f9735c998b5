"""The GIL is released while Rust works, so Python threads seal in parallel.

Behaviour evidence, not a benchmark:

1. While one thread is inside a single long ``seal()`` call, another thread keeps
   running Python code. With the GIL held for the call it could run none.
2. Two threads that each seal the same amount finish in well under twice the time
   one thread takes for one share. The work is pushed in 64 KiB pieces (4 chunks,
   below the core's 8-chunk threshold for its own rayon threads), so each thread
   computes on one core. Serialised by the GIL, two threads need at least 2.0x the
   best time of one; on two free cores about 1.0x. The test compares the best
   two-thread time with the best one-thread time over up to 25 trials (stopping
   early once the ratio is below 1.5 after 5), and asserts < 1.8. Minimums make it
   robust both ways on a noisy shared machine: a trial in which other processes took
   a core only raises a time, so it cannot make a serial implementation pass (its
   best two-thread time stays >= 2x the best single time), and one quiet moment is
   enough for a parallel one. A share is 128 MiB (some 30-80 ms of AES-GCM per
   core), so thread start-up and GIL hand-overs are small beside the work.

   A control runs in the same trials: hashlib's SHA-256, which CPython runs without
   the GIL, timed the same way. If printseal's ratio misses the bound while the
   control's best is >= 1.4, the machine never gave this process a clearly free second
   core (other jobs held it), so nothing can be concluded and the test is skipped
   with the figures; test 1 above still shows the GIL is released. If the control
   shows two free cores (< 1.4) and printseal misses the bound, the test fails. Needs 2
   CPUs (skipped on one).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest

import printseal

PIECE = 64 * 1024
SHARE = 128 << 20


def seal_share(kek: printseal.Kek, data: bytes) -> None:
    """Seals `data` in 64 KiB pieces into a reused buffer (no allocation per piece)."""
    s = printseal.Sealer([kek])
    mv = memoryview(data)
    out = bytearray(PIECE + 64 * 1024)
    for i in range(0, len(data), PIECE):
        s.update_into(mv[i : i + PIECE], out)
    s.finalize()


def hash_share(data: bytes) -> None:
    mv = memoryview(data)
    for i in range(0, len(data), PIECE):
        hashlib.sha256(mv[i : i + PIECE]).digest()


def best_ratio(work, args, ones, twos) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    work(*args[0])
    ones.append(time.perf_counter() - t0)
    threads = [threading.Thread(target=work, args=a) for a in args]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    twos.append(time.perf_counter() - t0)
    return float(min(twos) / min(ones))


def test_other_threads_run_during_a_seal() -> None:
    kek = printseal.Kek.generate()
    data = os.urandom(64 << 20)
    counter = [0]
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        best = 0.0
        for _ in range(3):
            before = counter[0]
            t0 = time.perf_counter()
            printseal.seal(data, [kek])  # one call into Rust
            dt = time.perf_counter() - t0
            best = max(best, (counter[0] - before) / dt)
    finally:
        stop.set()
        t.join()
    # Holding the GIL, the call would let the other thread make no progress at all;
    # released, it runs (tens of millions of iterations per second on a free core).
    assert best > 10_000, f"{best:.0f} iterations/s of the other thread during seal()"


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs 2 CPUs to show parallel threads")
def test_two_threads_seal_faster_than_one_after_another() -> None:
    kek = printseal.Kek.generate()
    data = os.urandom(SHARE)
    shares = [data, data]  # read-only: both threads may seal the same bytes
    ones: list = []
    twos: list = []
    c_ones: list = []
    c_twos: list = []
    control_data = data  # the same bytes and pieces: trials of the same length
    for trial in range(25):
        ratio = best_ratio(seal_share, [(kek, d) for d in shares], ones, twos)
        control = best_ratio(hash_share, [(control_data,), (control_data,)], c_ones, c_twos)
        if trial >= 4 and ratio < 1.5:
            break
    msg = (
        f"best two threads {min(twos) * 1e3:.1f} ms / best one {min(ones) * 1e3:.1f} ms"
        f" = {ratio:.2f} (hashlib control {control:.2f}) after {len(ones)} trials"
        f" (load {os.getloadavg()[0]:.1f})"
    )
    print(msg)
    if ratio >= 1.8 and control >= 1.4:
        pytest.skip("no second free core during any trial: " + msg)
    assert ratio < 1.8, msg
