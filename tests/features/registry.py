"""The feature registry: one function per office-workbook feature, and the marks it leaves.

A feature function edits a ``Package`` in place and returns its marks: what must still be in the parts
claimbook owns (and so may rewrite) after a refresh or an import. Parts claimbook does not own are
checked byte for byte, so they need no marks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Mark:
    """``fragment`` (an XML element, namespaces declared) must match an element of ``part``: same tag,
    at least its attributes, and each of its children matching a child (recursively, text included).
    ``check``, when given, is called with the package after instead and returns a problem or None."""
    part: str
    fragment: str = ""
    what: str = ""
    check: Callable | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Feature:
    name: str
    where: str  # "Claims", "Dashboard", "Practice (a user's sheet)", "workbook", ...
    what: str
    build: Callable
    base: str = "xlsm"  # the tracker it is added to: the macro template ("xlsm") or a plain .xlsx


FEATURES: dict[str, Feature] = {}


def feature(name: str, where: str, what: str, base: str = "xlsm"):
    def register(fn):
        FEATURES[name] = Feature(name, where, what, fn, base)
        return fn
    return register
