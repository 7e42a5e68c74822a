"""Payer files: X12 835 remittance (ERA) and 277/277CA claim status, read with pyx12."""
