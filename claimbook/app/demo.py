"""The demo use case: the built-in sample claims through the same pipeline as a tracker.

The sample is put in a Claims block exactly as it would sit on the Claims sheet, so the demo's worklist
and AR table are the Worklist and Dashboard a refresh of the demo tracker shows.
"""

from __future__ import annotations

from datetime import date

from claimbook import table
from claimbook.blocks import Block, RefreshOutput
from claimbook.pipeline import run_blocks


def sample_block(claims) -> Block:
    """Claims as the rows of a Claims table (``table.INPUT_COLUMNS``)."""
    return Block([c.header for c in table.INPUT_COLUMNS], [table.claim_to_row(c) for c in claims], first_row=2)


def run_demo(claims, rules, as_of: date) -> RefreshOutput:
    """What a refresh of a tracker holding ``claims`` computes, as of ``as_of``."""
    return run_blocks(sample_block(claims), None, rules, as_of)
