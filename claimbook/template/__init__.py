"""Builds the Excel front end (``templates/ClaimTracker.xlsm``) without Excel.

``cfb`` writes compound files (MS-CFB) and ``ovba`` writes the VBA project
(MS-OVBA) that goes into ``xl/vbaProject.bin``; ``build`` puts the workbook together from the
text sources in ``claimbook/template_src`` (``claimbook template build``).
"""
