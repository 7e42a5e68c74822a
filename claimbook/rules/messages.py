"""The rules files' vocabulary (categories, payer kinds, limits, accepted words) and every problem
message, keyed by problem kind (``MESSAGES``; read ``file:line: `` + message).
"""

from __future__ import annotations

from claimbook.planning import PACE_EXAMPLES
from claimbook.rules.schema import AgingBasis, Anchor
from claimbook.rules.yamlread import SYNTAX_MESSAGES


#: What kind of work a denial is; denials.yaml ``category:`` must be one of these.
CATEGORIES = (
    "patient_resp", "no_action", "underpayment_check", "cob", "correct_resubmit", "credentialing",
    "coding_review", "status_check", "eligibility", "timely_filing", "appeal", "auth", "noncovered",
    "bundling", "records_request", "patient_followup", "refund_review", "review",
)
PAYER_KINDS = ("medicare", "medicare_advantage", "medicaid", "commercial", "tricare")
GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")
SECTIONS = ("timely_filing", "corrected_claim", "follow_up", "appeal", "underpayment")
HOLIDAY_YEARS = range(2000, 2046)

# Upper bounds: far beyond any real rule (the longest shipped limit is 27 months), and small enough that no
# date arithmetic overflows. Each is stated in its message.
MAX_DAYS = 3650  # 10 years: any number of days (follow-up, re-checks, risk thresholds, bucket edges...)
MAX_MONTHS = 120  # 10 years: any length of time (timely filing, corrected claims, appeal windows)
MAX_LOOK_AHEAD_DAYS = 365  # the Settings sheet's limit for the same setting (table.read_settings)
MAX_BACKUPS = 50  # the Settings sheet's limit for the same setting
MAX_WEIGHT = 100.0  # priority weights (the shipped ones are 0.5 to 3)
MAX_TOLERANCE = 10_000.0  # dollars of underpayment ignored
MAX_MINUTES_PER_ACTION = 480  # a whole working day for one claim
MAX_BUCKET_EDGES = 7  # 8 aging buckets: what the Dashboard has columns for (sheets.MAX_BUCKETS)

# Common spellings, lower case with single spaces (after "-", "_" and "/" become spaces).
ANCHOR_WORDS = {
    Anchor.DOS: ("date of service", "dos", "service date", "from date", "date of service from"),
    Anchor.THROUGH: ("through date", "through", "thru", "thru date", "discharge date", "date of service through"),
    Anchor.PRIMARY_EOB: ("primary eob date", "primary eob", "eob date", "primary eob era date", "primary era date",
                         "primary payer eob date", "primary remittance date"),
    Anchor.REMIT: ("remittance date", "remit date", "remit", "remittance", "era date", "denial date", "eob"),
}
BASIS_WORDS = {
    AgingBasis.DOS: ("date of service", "dos", "service date"),
    AgingBasis.SUBMITTED: ("submission date", "submitted", "submission", "date submitted", "submit date",
                           "submitted date"),
}
ORDER_WORDS = {False: ("month first", "mdy", "us", "m d y"), True: ("day first", "dmy", "d m y")}
YES = ("yes", "true", "y", "on")
NO = ("no", "false", "n", "off")

# "expect_*" entries are phrases used inside the others ({expect_period} and so on).

MESSAGES: dict[str, str] = {
    **SYNTAX_MESSAGES,
    # What each kind of value looks like (used by empty_value, not_a_value and missing_key).
    "expect_text": "some text",
    "expect_period": "a number and a unit, such as '90 days', '12 months', '1 year' or "
    "'6 months after the month of service'",
    "expect_days": "a whole number of days, such as '14 days' or '14'",
    "expect_yesno": "yes or no",
    "expect_date": "a date written year-month-day, such as 2024-01-01",
    "expect_anchor": "one of: date of service, through date, primary eob date, remittance date",
    "expect_money": "an amount in dollars, such as 1.00 or $1",
    "expect_percent": "a percent from 0 to 100, such as 2 or 2%",
    "expect_number": "a number of 0 or more, such as 1.0",
    "expect_count": "a whole number, such as 5",
    "expect_urgency": "a whole number from 1 (low) to 5 (work first)",
    "expect_edges": "whole numbers of days that go up, such as 30, 60, 90, 120",
    "expect_choice": "one of: {choices}",
    "expect_names": "a list of names, one per line starting with '- '",
    "expect_pace": "a number of claims or a time, such as " + PACE_EXAMPLES,
    "expect_minutes": "a whole number of minutes from 1 to 480, such as '10' or '10 minutes'",
    # Folders and files
    "no_folder": "the rules folder does not exist. Expected a folder with settings.yaml, denials.yaml and "
    "a payers folder. Check the folder name, or create one with 'claimbook init'.",
    "missing_file": "the file is missing. Every rules folder needs settings.yaml, denials.yaml and "
    "payers/default.yaml. Copy it from the built-in rules with 'claimbook init'.",
    "folder_not_file": "this is a folder, not a file. Expected a text file of rules named {name}. Rename the "
    "folder, then copy {name} from the built-in rules with 'claimbook init'.",
    "folder_in_payers": "this is a folder, not a file. Expected only payer files (text files ending in .yaml) in "
    "the payers folder. Rename the folder so its name does not end in .yaml, or move it out of the payers folder.",
    "payers_not_folder": "this is a file, not a folder. Expected a folder named payers holding default.yaml and "
    "one file per payer. Rename the file, then copy the payers folder from the built-in rules with "
    "'claimbook init'.",
    "empty_settings": "the file is empty, so every setting has its built-in value. Expected settings such as "
    "'aging:' and 'timely_filing_risk:' with their values indented under them. Copy settings.yaml from the "
    "built-in rules with 'claimbook init' to get them back, or ignore this warning if the built-in values suit you.",
    "empty_denials": "the file is empty. Expected 'unknown_code:' and 'codes:', with what to do for each denial "
    "code. Copy denials.yaml from the built-in rules with 'claimbook init'.",
    "empty_default": "the file is empty. Expected the rules for any payer without a file of its own, with all of "
    "timely_filing, corrected_claim, follow_up, appeal and underpayment. Copy default.yaml from the built-in "
    "rules with 'claimbook init'.",
    "empty_payer": "the file is empty. Expected the payer's name, the names it goes by under 'match:', and the "
    "rules that differ from default.yaml. Write them (start from a copy of another payer file), or delete the "
    "file.",
    "not_settings": "the file holds no settings. Expected lines written 'name: value', with sections "
    "indented under them. Compare it with the same file in the built-in rules.",
    # Keys
    "unknown_key_suggest": "'{key}' is not a setting in {place}. Did you mean '{suggestion}'? "
    "Valid settings: {valid}.",
    "unknown_key": "'{key}' is not a setting in {place}. Valid settings: {valid}. Check the spelling, "
    "or delete the line.",
    "missing_key": "{place} has no '{key}'. Expected {expected}. Add a line '{key}: {example}' to {place}.",
    "missing_cited": "{place} has no '{key}'. Every limit needs a source and an effective date so the "
    "office can check it. Add a line '{key}: {example}' to {place}.",
    "missing_section": "the default rules have no '{key}' section. default.yaml covers every payer without "
    "a file of its own, so it needs all of {sections}. Add a '{key}:' section (copy it from the built-in "
    "default.yaml).",
    # Shapes
    "empty_value": "'{key}' has no value. Expected {expected}. Write the value after the colon, for example "
    "'{key}: {example}'.",
    "not_a_value": "'{key}' has lines indented under it, but it takes a single value. Expected {expected}. "
    "Write the value on the same line, after '{key}:'.",
    "not_a_section": "'{key}' is '{found}', but it is a section. Expected its settings on the lines below, "
    "indented by two spaces. Write '{key}:' alone on its line with the settings indented under it.",
    "empty_section": "'{key}' has no settings under it. Expected its settings on the lines below, indented by "
    "two spaces. Indent the settings that belong to '{key}' under it.",
    "not_a_list": "'{key}' has settings indented under it, but it is a list. Expected {expected}. "
    "Write each item on its own line starting with '- '.",
    "bad_version": "item {n} of '{key}' is not a group of settings. Expected each version of {key} to be "
    "settings such as 'limit: 90 days' after the '- '. Compare it with a payer that has versions.",
    # Values
    "bad_period": "'{key}' is '{found}', which is not a length of time. Expected {expect_period}. {fix}",
    "fix_period_unit": "Write the unit in full: '{guess}'.",
    "fix_period": "Write a number, a space, then days, months or years.",
    "zero_period": "'{key}' is '{found}', which is no time at all. Expected a length of more than 0. "
    "Write the payer's limit, such as '90 days'.",
    "long_period": "'{key}' is '{found}', which is longer than 10 years. Expected a length of at most 10 years "
    "(120 months or 3650 days); no payer's limit is that long. Check the number for a typing mistake.",
    "too_many_days": "'{key}' is '{found}', which is too many days. Expected a whole number of days from 0 to "
    "{most}. Check the number for a typing mistake.",
    "too_large": "'{key}' is '{found}', which is too large. Expected {what} from 0 to {most}. "
    "Check the number for a typing mistake.",
    "what_count": "a whole number",
    "what_number": "a number",
    "what_money": "an amount in dollars",
    "most_days": "3650 (10 years)",
    "most_look_ahead": "365 (a year)",
    "bad_days": "'{key}' is '{found}', which is not a number of days. Expected {expect_days}. "
    "Write a whole number, optionally followed by 'days'.",
    "bad_yesno": "'{key}' is '{found}', which is not yes or no. Expected yes or no (true and false also "
    "work). Write '{key}: yes' or '{key}: no'.",
    "bad_date": "'{key}' is '{found}', which is not a date. Expected a real date written year-month-day, "
    "such as 2024-01-01 (3/15/2024 also works). Correct the date.",
    "bad_anchor": "'{key}' is '{found}', which is not a date a limit can count from. Expected {expect_anchor}. "
    "{hint}",
    "bad_choice": "'{key}' is '{found}', which is not one of the choices. Expected one of: {choices}. {hint}",
    "hint_suggest": "Did you mean '{suggestion}'?",
    "hint_none": "Write one of these.",
    "hint_calendar": "Write US for US federal holidays, or none for weekends only.",
    "bad_money": "'{key}' is '{found}', which is not an amount of money. Expected {expect_money}. "
    "Write the amount without other words.",
    "bad_percent": "'{key}' is '{found}', which is not a percent. Expected {expect_percent}. "
    "Write the number alone or with %.",
    "bad_number": "'{key}' is '{found}', which is not a number. Expected {expect_number}. "
    "Write the number alone.",
    "bad_count": "'{key}' is '{found}', which is not a whole number. Expected {expect_count}. "
    "Write the number alone.",
    "bad_urgency": "'{key}' is '{found}', which is not an urgency. Expected {expect_urgency}. "
    "Write a number from 1 to 5.",
    "bad_edges": "'{key}' is '{found}', which is not a list of days that goes up. Expected {expect_edges}, "
    "each larger than the one before. Write the numbers in increasing order, separated by commas.",
    "many_edges": "'{key}' is '{found}', which is more than 7 numbers. Expected at most 7, for the 8 age buckets "
    "the Dashboard has room for. Delete some of the numbers.",
    "large_edges": "'{key}' is '{found}', which goes past 3650 days (10 years). Expected {expect_edges}, each at "
    "most 3650. Check the numbers for a typing mistake.",
    "risk_order": "critical_days ({critical}), high_days ({high}) and watch_days ({watch}) are not in order. "
    "Expected critical_days smaller than high_days, and high_days smaller than watch_days. "
    "Change the numbers so they go up.",
    "bad_pace": "'{key}' is '{found}', which is not an amount of work for a day. Expected {expect_pace}: "
    "from 1 to 10000 claims, or at most 24 hours. Write a number followed by claims, minutes or hours.",
    "bad_minutes": "'{key}' is '{found}', which is not a number of minutes. Expected {expect_minutes}. "
    "Write the minutes one claim of this kind usually takes.",
    "bad_calendar": "'{key}' is '{found}', which is not a holiday calendar claimbook knows. Expected a "
    "country code such as US, or none. {hint}",
    "bad_subdivision": "'{key}' is '{found}', which is not a part of {country} with its own holidays. "
    "Expected one of: {choices}. {hint}",
    # Sections and versions
    "same_effective_date": "{place} has two versions that start on {date} (the other is on line {other}). "
    "Expected each version to start on a different date. Change one effective_from, or delete one version.",
    "future_effective": "{place} starts on {date}, which is in the future. Until then the older version "
    "(or this one, if there is no older one) applies. Check the date; leave it if the payer announced "
    "the change.",
    "contested_no_note": "{place} is marked contested but has no note. Expected a note saying which sources "
    "disagree and why this value was chosen. Add a line 'note: ...' to {place}.",
    # Payers
    "duplicate_name": "payer name '{value}' is also in {other}:{other_line}. Each name may belong to one "
    "payer file only, or claims could match either. Delete it from one of the two files.",
    "duplicate_id": "payer ID '{value}' is also in {other}:{other_line}. Each payer ID may belong to one "
    "payer file only, or claims could match either. Delete it from one of the two files.",
    "no_match": "this payer has no names and no payer IDs under 'match:', so no claim will use it. "
    "Expected the names (or payer IDs) the payer goes by in your practice system. "
    "Add them under 'match:' as 'names:' and 'payer_ids:' lists.",
    # Denials
    "bad_code": "'{code}' is not a denial code. Expected a group code and a reason code such as CO-50, "
    "a remark code after a space (CO-16 MA130), or a reason code alone (18); groups are CO, PR, OA, PI "
    "and CR. Write the code the way the remittance shows it.",
    "duplicate_code": "'{code}' is listed twice (first on line {first}). Each code may appear once. "
    "Delete one of the two entries.",
}


def _message(kind: str, **kw) -> str:
    expects = {k: v for k, v in MESSAGES.items() if k.startswith("expect_")}
    return MESSAGES[kind].format(**{**expects, **kw})
