"""Every exception class of printseal's hierarchy is raised by some test.

conftest.py notes the class of every printseal exception a ``pytest.raises`` of the
suite caught (and the classes a test checked in a child process). This test runs
after all the others (marker ``after_all``) and fails if a class of
``printseal.exceptions`` was never raised: a new class, or a test that stopped
reaching one, shows up here. Run alone or on part of the suite, it fails too: the
classes are those the tests that ran raised.
"""

from __future__ import annotations

import inspect as pyinspect
from typing import List, Set

import pytest

import printseal
from conftest import RAISED


def hierarchy() -> Set[type]:
    found: Set[type] = set()
    todo: List[type] = [printseal.Error]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__ == "printseal.exceptions" and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


@pytest.mark.after_all
def test_every_exception_class_was_raised_by_a_test() -> None:
    classes = hierarchy()
    # Every class the module exports, and nothing else, is in the hierarchy.
    exported = {c for _, c in pyinspect.getmembers(printseal.exceptions, pyinspect.isclass)
                if c.__module__ == "printseal.exceptions" and c is not printseal.Error}
    assert classes == exported
    assert len(classes) >= 13
    missing = sorted(c.__name__ for c in classes - RAISED)
    assert not missing, f"no test raised {missing} (raised: {sorted(c.__name__ for c in RAISED)})"
