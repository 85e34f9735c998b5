"""Shared helpers of the printseal Python tests."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

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
