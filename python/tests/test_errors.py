"""The exception classes that no job, key or argument provokes.

- ``RandomnessError``: its real path, an operating-system generator that fails. A
  child Python runs with ``LD_PRELOAD`` of a ``getrandom`` (compiled here with
  ``cc``) that fails with ``EIO`` once the child, after importing printseal, sets an
  environment variable; the getrandom crate under the core finds that symbol
  (``dlsym(RTLD_DEFAULT, "getrandom")``) and reports the failure, and the module maps
  it. Nothing in printseal is changed for the test.
- ``InternalError``: a broken invariant of the core has no input that reaches it, so
  the test wheel's hook ``printseal._printseal._FailingKey`` (cargo feature
  ``test-hooks``, see python/src/test_hooks.rs; not in a shipped wheel) is a key whose
  wrap and unwrap return the core's ``Error::Internal``; the seal, open and rewrap
  paths and the error map around it are the real ones.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import printseal
from conftest import raised_in_child
from test_api import check_against_table

FAILING_GETRANDOM = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Replaces glibc's getrandom(3) for the process. Until the environment variable
   PRINTSEAL_TEST_FAIL_GETRANDOM is set it is the real system call (the interpreter and
   Rust's std need randomness while the module is imported); then the zero-length
   probe that the getrandom crate makes first succeeds (so the crate keeps using this
   function rather than falling back to /dev/urandom), and every real request fails
   with EIO, as a broken or exhausted generator would. */
ssize_t getrandom(void *buf, size_t len, unsigned int flags) {
    if (getenv("PRINTSEAL_TEST_FAIL_GETRANDOM") == NULL || len == 0)
        return syscall(SYS_getrandom, buf, len, flags);
    errno = EIO;
    return -1;
}
"""

CHILD = r"""
import json, os, printseal
kek = printseal.Kek(b"k" * 16, b"v" * 32)  # made without the generator
os.environ["PRINTSEAL_TEST_FAIL_GETRANDOM"] = "1"  # from here on, getrandom fails
out = []
for name, call in [
    ("Kek.generate", printseal.Kek.generate),
    ("X25519Identity.generate", printseal.X25519Identity.generate),
    ("XWingIdentity.generate", printseal.XWingIdentity.generate),
    ("seal", lambda: printseal.seal(b"job", [kek])),
    ("Sealer", lambda: printseal.Sealer([kek])),
]:
    try:
        call()
        out.append([name, None])
    except Exception as e:
        out.append([name, [type(e).__name__, getattr(e, "code", None), getattr(e, "code_name", None),
                           getattr(e, "family", None), str(e)]])
print(json.dumps(out))
"""


def test_a_failing_os_generator_raises_randomness_error(tmp_path: Path) -> None:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no C compiler for the getrandom shim under CI=true")
        pytest.skip("no C compiler for the getrandom shim")
    src, lib = tmp_path / "failing_getrandom.c", tmp_path / "libfailing_getrandom.so"
    src.write_text(FAILING_GETRANDOM)
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(lib), str(src)], check=True)
    env = dict(os.environ, LD_PRELOAD=str(lib), PYTHONHASHSEED="0")
    r = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    results = json.loads(r.stdout)
    assert [name for name, _ in results] == [
        "Kek.generate", "X25519Identity.generate", "XWingIdentity.generate", "seal", "Sealer"]
    for name, err in results:
        assert err is not None, f"{name} succeeded without an OS generator"
        cls, code, code_name, family, message = err
        assert (cls, code, code_name, family) == ("RandomnessError", 501, "randomness", "environment"), (name, err)
        assert "random" in message.lower(), message
    raised_in_child(printseal.RandomnessError)
    # The same calls work in this process, whose generator works.
    printseal.Kek.generate()
    printseal.seal(b"job", [printseal.Kek(b"k" * 16, b"v" * 32)])


def failing_key() -> object:
    hook = getattr(printseal._printseal, "_FailingKey", None)
    assert hook is not None, (
        "printseal._printseal._FailingKey is missing: build the test wheel with "
        "--features test-hooks (scripts/test-python.sh does)")
    return hook()


def test_a_broken_invariant_raises_internal_error() -> None:
    bad = failing_key()
    kek = printseal.Kek.generate()
    job = printseal.seal(b"job", [kek])
    calls = [
        lambda: printseal.seal(b"job", [kek, bad]),  # the wrap fails
        lambda: printseal.Sealer([bad]),
        lambda: printseal.open(job, [bad]),  # the unwrap fails
        lambda: printseal.Opener([bad]).update(job),
        lambda: printseal.rewrap(job, [kek], [bad]),
    ]
    for call in calls:
        with pytest.raises(printseal.InternalError) as e:
            call()
        assert (e.value.code, e.value.code_name, e.value.family) == (900, "internal", "internal")
        assert "_FailingKey" in str(e.value)
        check_against_table(e.value)
    # An internal error is not a usage error: callers that catch ValueError miss it.
    assert not issubclass(printseal.InternalError, ValueError)
