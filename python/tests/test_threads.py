"""The GIL is released while Rust works, shown without timing and without needing a
free core.

1. While a thread is inside one long call into Rust (``seal``, ``open``, a push
   ``update``, ``rewrap``), another Python thread keeps running Python code: it
   notes the time every few thousand iterations, and some of its notes fall in the
   middle half of the call. With the GIL held for the call, the other thread runs no
   Python at all between the call's entry and its return (at most one switch
   interval, 5 ms, around the edges, which the middle half excludes), so no note can
   fall there, on any machine and at any load. On a busy machine the other thread
   may get no CPU during one call; the check then repeats (up to 8 calls), and a
   call that holds the GIL can never pass it.
2. ``seal_file``/``open_file`` with a path: the Rust side blocks reading a FIFO that
   only a Python thread of this process writes. Held, the GIL would keep that
   writer from running and the call would never end (a watchdog thread, which needs
   no GIL, ends the process with a traceback after 120 s); released, the writer
   feeds the job and the call returns it.

The speed of two threads against one is a benchmark figure, not a test: see
``python/bench/bench.py`` (``--threads``).
"""

from __future__ import annotations

import faulthandler
import os
import threading
import time
from pathlib import Path
from typing import Callable, List

import pytest

import printseal
from conftest import message

SIZE = 256 << 20


def progress_during(call: Callable[[], object], attempts: int = 8) -> int:
    """Runs `call` in this thread while another thread spins in Python; returns how
    many of the spinner's time notes fell in the middle half of a call (of the first
    attempt that had any)."""
    for _ in range(attempts):
        notes: List[float] = []
        stop = threading.Event()

        def spin() -> None:
            i = 0
            while not stop.is_set():
                i += 1
                if i % 2000 == 0:
                    notes.append(time.perf_counter())

        t = threading.Thread(target=spin)
        t.start()
        try:
            time.sleep(0.02)
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
        finally:
            stop.set()
            t.join()
        lo, hi = t0 + (t1 - t0) / 4, t1 - (t1 - t0) / 4
        inside = sum(1 for n in notes if lo < n < hi)
        if inside:
            return inside
    return 0


@pytest.fixture(scope="module")
def big() -> bytes:
    return os.urandom(SIZE)


@pytest.mark.parametrize("what", ["seal", "open", "Sealer.update", "Opener.update_into", "rewrap"])
def test_other_threads_run_during_a_call_into_rust(big: bytes, what: str) -> None:
    kek = printseal.Kek.generate()
    job = printseal.seal(big, [kek]) if what != "seal" else b""
    out = bytearray(len(big) + (1 << 20)) if what == "Opener.update_into" else bytearray()
    calls = {
        "seal": lambda: printseal.seal(big, [kek]),
        "open": lambda: printseal.open(job, [kek]),
        "Sealer.update": lambda: printseal.Sealer([kek]).update(big),
        "Opener.update_into": lambda: printseal.Opener([kek]).update_into(job, out),
        "rewrap": lambda: printseal.rewrap(job, [kek], [kek]),
    }
    assert progress_during(calls[what]) > 0, f"no Python ran in another thread during {what}"


def test_a_file_job_waits_for_a_python_writer(tmp_path: Path) -> None:
    kek = printseal.Kek.generate()
    data = message(3 << 20, seed=5)
    fifo, sealed, opened = tmp_path / "fifo", tmp_path / "job", tmp_path / "out"
    os.mkfifo(fifo)
    faulthandler.dump_traceback_later(120, exit=True)
    try:
        for step in ("seal", "open"):
            source = data if step == "seal" else sealed.read_bytes()
            # O_RDWR opens a FIFO without waiting for a reader; this process then holds
            # a writer, so the Rust side's open for reading returns at once.
            wfd = os.open(fifo, os.O_RDWR)
            result: List[object] = []

            def job() -> None:
                if step == "seal":
                    result.append(printseal.seal_file(str(fifo), sealed, [kek]))
                else:
                    result.append(printseal.open_file(str(fifo), opened, [kek]))

            t = threading.Thread(target=job)
            t.start()
            time.sleep(0.1)  # the Rust side is now blocked reading the empty FIFO
            assert t.is_alive() and not result
            for i in range(0, len(source), 65536):
                os.write(wfd, source[i : i + 65536])  # Python, in this thread
            # The Rust side holds its own read end: closing ours leaves it the only
            # reader, and EOF once it has drained what was written.
            os.close(wfd)
            t.join(60)
            assert not t.is_alive() and len(result) == 1
        assert opened.read_bytes() == data
    finally:
        faulthandler.cancel_dump_traceback_later()
