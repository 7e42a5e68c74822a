"""claimbook: make sure no insurance claim is forgotten between submission and payment.

The small Python API the Excel and file layers call::

    import claimbook
    rules = claimbook.load_rules()                 # the shipped defaults, or load_rules("path/to/rules")
    evaluation = claimbook.evaluate(claims, rules, as_of=date(2026, 11, 23))
    for result in evaluation.results: ...

``evaluate`` is pure: claims (``claimbook.Claim`` records) and rules in, results out, the as-of date
passed in. Nothing reads the clock or touches a file.
"""

from claimbook.errors import ClaimbookError, RulesError, TrackerError
from claimbook.model import Claim, DenialCode, Evaluation, Problem, Result, Risk, Status

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "ClaimbookError",
    "DenialCode",
    "Evaluation",
    "Problem",
    "Result",
    "Risk",
    "RulesError",
    "Status",
    "TrackerError",
    "evaluate",
    "load_rules",
]


def __getattr__(name):  # lazy, so importing claimbook stays cheap for Excel's RunPython
    if name == "evaluate":
        from claimbook.engine import evaluate

        return evaluate
    if name == "load_rules":
        from claimbook.rules.loader import load_rules

        return load_rules
    raise AttributeError(name)
