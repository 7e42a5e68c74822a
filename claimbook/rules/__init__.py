"""Payer rules: read the YAML rules folder into typed records (``schema.py``), with located problems."""

from claimbook.rules.loader import check_rules, default_rules_dir, load_rules, resolve_rules_dir

__all__ = ["check_rules", "default_rules_dir", "load_rules", "resolve_rules_dir"]
