"""Shared helpers of the printseal Python tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import pytest

import printseal

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"


def message(n: int, seed: int = 0) -> bytes:
    """Deterministic, non-repeating-looking bytes."""
    out = bytearray()
    block = 0
    while len(out) < n:
        out += hashlib.sha256(b"%d:%d" % (seed, block)).digest()
        block += 1
    return bytes(out[:n])


def parse_vector(path: Path) -> Tuple[List[Tuple[str, str]], bytes]:
    """A testkit file: `key: value` lines, a blank line, the sealed bytes."""
    raw = path.read_bytes()
    head, sep, body = raw.partition(b"\n\n")
    assert sep, f"{path.name}: no blank line"
    fields = []
    for line in head.decode().splitlines():
        k, _, v = line.partition(": ")
        fields.append((k, v))
    return fields, body


def vector_files() -> List[Path]:
    return sorted(p for p in VECTORS.iterdir() if p.is_file() and p.name != "README.md" and not p.name.startswith("."))


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def field(fields: List[Tuple[str, str]], key: str) -> str:
    vals = [v for k, v in fields if k == key]
    assert len(vals) == 1, key
    return vals[0]


def fields_dict(fields: List[Tuple[str, str]]) -> Dict[str, List[str]]:
    d: Dict[str, List[str]] = {}
    for k, v in fields:
        d.setdefault(k, []).append(v)
    return d


# --- Which printseal exception classes the suite raised --------------------------
#
# Every `pytest.raises` of the suite goes through `_recording_raises`, which notes the
# class of each printseal exception it caught (one the module raised and the test
# expected). test_zz_raised_classes.py, run last, fails if some class of the
# hierarchy was never raised. A test that provokes an error in a child process (where
# this recorder does not run) notes the class it checked with `raised_in_child`.

RAISED: Set[type] = set()


def _note(exc: Any) -> None:
    if isinstance(exc, printseal.Error):
        RAISED.add(type(exc))


def raised_in_child(cls: type) -> None:
    """Notes a class that a child process raised and the test checked."""
    RAISED.add(cls)


class _Recording:
    def __init__(self, cm: Any) -> None:
        self._cm = cm

    def __enter__(self) -> Any:
        return self._cm.__enter__()

    def __exit__(self, et: Any, ev: Any, tb: Any) -> Any:
        suppressed = self._cm.__exit__(et, ev, tb)
        if suppressed and ev is not None:
            _note(ev)
        return suppressed


_pytest_raises = pytest.raises


def _recording_raises(*args: Any, **kwargs: Any) -> Any:
    got = _pytest_raises(*args, **kwargs)
    if hasattr(got, "__exit__"):
        return _Recording(got)
    _note(got.value)  # the callable form: it already ran, `got` is the ExceptionInfo
    return got


pytest.raises = _recording_raises  # type: ignore[assignment]


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "after_all: runs after every other test of the session")


def pytest_collection_modifyitems(items: List[Any]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("after_all") is not None)
