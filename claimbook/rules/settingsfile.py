"""``settings.yaml``: aging, warnings, ranking, the Worklist look-ahead, backups, holidays."""

from __future__ import annotations

import functools
from datetime import date

from claimbook.planning import KINDS
from claimbook.rules.schema import PriorityWeights, Settings
from claimbook.rules.yamlread import Map
from claimbook.suggest import did_you_mean
from claimbook.rules.messages import _message, BASIS_WORDS, HOLIDAY_YEARS, ORDER_WORDS
from claimbook.rules.fields import (
    _File,
    _line,
    _read_fields,
    _unknown,
    Field,
    to_basis,
    to_count,
    to_day_first,
    to_days,
    to_edges,
    to_look_ahead,
    to_minutes,
    to_number,
    to_pace,
    to_text,
)


SETTINGS_FIELDS: dict[str, dict[str, Field]] = {
    "aging": {
        "basis": Field(to_basis, "choice", "date of service", choices=[w[0] for w in BASIS_WORDS.values()]),
        "bucket_edges": Field(to_edges, "edges", "30, 60, 90, 120", takes_list=True),
    },
    "timely_filing_risk": {
        "critical_days": Field(to_days, "days", "15"),
        "high_days": Field(to_days, "days", "30"),
        "watch_days": Field(to_days, "days", "60"),
    },
    "holidays": {
        "calendar": Field(to_text, "text", "US"),
        "subdivision": Field(to_text, "text", "TX", allow_empty=True),
    },
    "priority": {
        "dollars_weight": Field(to_number, "number", "1.0"),
        "deadline_weight": Field(to_number, "number", "3.0"),
        "deadline_horizon_days": Field(to_days, "days", "60"),
        "overdue_weight": Field(to_number, "number", "1.0"),
        "expired_penalty": Field(to_number, "number", "0.5"),
    },
    "patient_balance": {"statement_cycle_days": Field(to_days, "days", "30")},
    "claims": {"submit_within_days": Field(to_days, "days", "7")},
    "worklist": {"look_ahead_days": Field(to_look_ahead, "days", "7")},
    "dates": {"order": Field(to_day_first, "choice", "month first", choices=[w[0] for w in ORDER_WORDS.values()])},
    "workbook": {"backups_kept": Field(to_count, "count", "5")},
    "workload": {"per_day": Field(to_pace, "pace", "2 hours")},
    "minutes_per_action": {k.key: Field(to_minutes, "minutes", str(k.minutes)) for k in KINDS},
}


@functools.lru_cache(maxsize=1)
def _supported_calendars() -> tuple[str, ...]:
    """Every country code the holidays package knows (slow: imports them all; only used for a suggestion)."""
    import holidays

    return tuple(c.upper() for c in holidays.list_supported_countries())


@functools.lru_cache(maxsize=16)
def _calendar(country: str):
    """The holidays package's class for ``country`` (an ISO code or another name the package gives it),
    or None when the package does not know the country.

    ``holidays.country_holidays`` first imports the module of every country the package knows (about
    250 of them: 8 MB and a fifth of a second of every refresh, for one calendar). The class is the
    same when only its own module is imported, found by the package's own registry
    (``holidays.registry.COUNTRIES``: module name -> class name, codes and aliases). A country whose
    module builds on another's (American Samoa on the United States) imports the package's countries
    as before; should the registry or the module not be found (a package laid out differently), the
    package's own way is taken."""
    import importlib.util
    import os
    import sys

    try:
        from holidays.registry import COUNTRIES

        module = next((m for m, names in COUNTRIES.items() if country in names), None)
        if module is None:
            return None
        name = f"holidays.countries.{module}"
        if name not in sys.modules:
            folder = importlib.util.find_spec("holidays.countries").submodule_search_locations[0]
            spec = importlib.util.spec_from_file_location(name, os.path.join(folder, f"{module}.py"))
            loaded = importlib.util.module_from_spec(spec)
            sys.modules[name] = loaded
            try:
                spec.loader.exec_module(loaded)
            except BaseException:
                del sys.modules[name]
                raise
        return getattr(sys.modules[name], COUNTRIES[module][0])
    except Exception:  # noqa: BLE001 - the package's own way gives the same class, more slowly
        import holidays

        try:
            return type(holidays.country_holidays(country))
        except NotImplementedError:
            return None


@functools.lru_cache(maxsize=16)
def _subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivisions of ``country``, or None when the holidays package does not know the country."""
    cal = _calendar(country)
    return tuple(cal.subdivisions) if cal is not None else None


@functools.lru_cache(maxsize=8)
def holiday_dates(country: str, subdivision: str = "") -> frozenset[date]:
    """Holiday dates of ``country`` (and subdivision) for 2000-2045, computed once per process (the same
    dates as ``holidays.country_holidays(country, subdiv=subdivision, years=...)``)."""
    if not country:
        return frozenset()
    cal = _calendar(country)
    if cal is None:
        raise NotImplementedError(f"Country {country} not available")
    return frozenset(cal(subdiv=subdivision or None, years=HOLIDAY_YEARS).keys())


def _read_settings(f: _File, tree) -> Settings | None:
    if not isinstance(tree, Map):
        f.error(_line(tree, 1), "not_settings")
        return None
    values: dict[str, dict] = {}
    ok = True
    for key, node in tree.items():
        if key not in SETTINGS_FIELDS:
            _unknown(f, key, "settings.yaml", list(SETTINGS_FIELDS))
            ok = False
            continue
        got = _read_fields(f, node, key, str(key), SETTINGS_FIELDS[key])
        if got is None:
            ok = False
        else:
            values[str(key)] = got
    aging, risk, hol = values.get("aging", {}), values.get("timely_filing_risk", {}), values.get("holidays", {})
    prio = values.get("priority", {})
    base = Settings()
    critical = risk.get("critical_days", base.risk_critical_days)
    high = risk.get("high_days", base.risk_high_days)
    watch = risk.get("watch_days", base.risk_watch_days)
    if "timely_filing_risk" in values and not critical < high < watch:
        f.error(tree.key_line("timely_filing_risk"), "risk_order", critical=critical, high=high, watch=watch)
        ok = False
    country, subdivision = base.holiday_country, base.holiday_subdivision
    if "holidays" in tree and isinstance(tree["holidays"], Map):
        node = tree["holidays"]
        if "calendar" in hol:
            country = "" if hol["calendar"].lower() in ("none", "no", "off", "") else hol["calendar"].upper()
            if country and _subdivisions(country) is None:
                suggestion = did_you_mean(country, _supported_calendars(), cutoff=0.8)
                hint = _message("hint_suggest", suggestion=suggestion) if suggestion else _message("hint_calendar")
                f.error(_line(node["calendar"]), "bad_calendar", key="calendar", found=hol["calendar"], hint=hint)
                ok, country = False, ""
        if hol.get("subdivision") and country:
            subdivision = hol["subdivision"].upper()
            subs = _subdivisions(country) or ()
            if subdivision not in subs:
                suggestion = did_you_mean(subdivision, subs)
                hint = _message("hint_suggest", suggestion=suggestion) if suggestion else _message("hint_none")
                f.error(_line(node["subdivision"]), "bad_subdivision", key="subdivision", found=hol["subdivision"],
                        country=country, choices=", ".join(subs) or "(none)", hint=hint)
                ok = False
    if not ok:
        return None
    weights = PriorityWeights(
        dollars=prio.get("dollars_weight", base.priority.dollars),
        deadline=prio.get("deadline_weight", base.priority.deadline),
        deadline_horizon_days=prio.get("deadline_horizon_days", base.priority.deadline_horizon_days),
        overdue=prio.get("overdue_weight", base.priority.overdue),
        expired_penalty=prio.get("expired_penalty", base.priority.expired_penalty),
    )
    return Settings(
        aging_basis=aging.get("basis", base.aging_basis),
        bucket_edges=aging.get("bucket_edges", base.bucket_edges),
        risk_critical_days=critical,
        risk_high_days=high,
        risk_watch_days=watch,
        holiday_country=country,
        holiday_subdivision=subdivision,
        priority=weights,
        statement_cycle_days=values.get("patient_balance", {}).get("statement_cycle_days", base.statement_cycle_days),
        look_ahead_days=values.get("worklist", {}).get("look_ahead_days", base.look_ahead_days),
        submit_within_days=values.get("claims", {}).get("submit_within_days", base.submit_within_days),
        day_first_dates=values.get("dates", {}).get("order", base.day_first_dates),
        backups_kept=values.get("workbook", {}).get("backups_kept", base.backups_kept),
        work_per_day=values.get("workload", {}).get("per_day", base.work_per_day),
        minutes_per_action=tuple(values.get("minutes_per_action", {}).items()) or base.minutes_per_action,
        file="settings.yaml",
    )
