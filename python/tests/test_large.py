"""A 256 MiB job streamed through files and file objects in constant memory: a child
process seals and opens it (paths with seal_file/open_file, then file objects with
SealWriter/OpenReader and shutil.copyfileobj) and reports its peak RSS, which must
stay under a bound far below the file's size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SIZE_MIB = 256
# Peak RSS of the whole child (interpreter, module, rayon threads, 1 MiB I/O buffers)
# must stay under this, and grow by less than GROWTH_MIB over its RSS after the
# import: a job held in memory would need 256 MiB or more.
BOUND_MIB = 96
GROWTH_MIB = 48

CHILD = r"""
import hashlib, json, os, resource, shutil, sys
import printseal
tmp, size_mib = sys.argv[1], int(sys.argv[2])
def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
base = rss_mib()
src, job, out = (os.path.join(tmp, n) for n in ("scan.bin", "scan.pseal", "opened.bin"))
h = hashlib.sha256()
block = bytearray(os.urandom(1 << 20))
with open(src, "wb") as f:
    for i in range(size_mib):
        block[:8] = i.to_bytes(8, "big")
        h.update(block)
        f.write(block)
want = h.hexdigest()
def digest(path):
    d = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            d.update(b)
    return d.hexdigest()
kek = printseal.Kek.generate()
printseal.seal_file(src, job, [kek], content_type="application/octet-stream")
sealed_size = os.path.getsize(job)
printseal.open_file(job, out, [kek])
paths_ok = digest(out) == want
after_paths = rss_mib()
os.remove(out)
with open(src, "rb") as fin, open(job, "wb") as raw:
    with printseal.SealWriter(raw, [kek]) as w:
        shutil.copyfileobj(fin, w, 1 << 20)
with open(job, "rb") as raw, open(out, "wb") as fout:
    with printseal.OpenReader(raw, [kek]) as r:
        shutil.copyfileobj(r, fout, 1 << 20)
objects_ok = digest(out) == want
print(json.dumps({"base": base, "after_paths": after_paths, "peak": rss_mib(),
                  "paths_ok": paths_ok, "objects_ok": objects_ok, "sealed_size": sealed_size}))
"""


def test_256_mib_streamed_in_bounded_memory(tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), str(SIZE_MIB)],
        capture_output=True, text=True, timeout=900,
    )
    assert res.returncode == 0, res.stderr
    r = json.loads(res.stdout)
    print(f"RSS MiB: after import {r['base']:.1f}, after paths {r['after_paths']:.1f}, peak {r['peak']:.1f}")
    assert r["paths_ok"] and r["objects_ok"]
    assert r["sealed_size"] > SIZE_MIB << 20
    assert r["peak"] < BOUND_MIB, r
    assert r["peak"] - r["base"] < GROWTH_MIB, r
