"""Turn a validated X12 document (``reader.read_x12``) into frozen records.

``parse_835(path)`` and ``parse_277(path)`` read, validate and parse in one step; any problem pyx12
finds refuses the whole file with ``ImportFileError`` (nothing partially parsed is returned).
"""

from __future__ import annotations

import os
from datetime import date

from claimbook.errors import ImportFileError

from .reader import Seg, X12Document, read_x12
from .records import (
    Adjustment,
    ClaimPayment,
    ClaimStatus,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    StatusInfo,
    StatusReport,
    decisive,
)


def money(text: str) -> float:
    return round(float(text), 2) if text.strip() else 0.0


def _money_or_none(text: str, quiet: bool = False) -> float | None:
    """An amount, None when blank (and, ``quiet``, when unreadable: for values claimbook does not need)."""
    try:
        return round(float(text), 2) if text.strip() else None
    except ValueError:
        if quiet:
            return None
        raise


def _unreadable(doc: X12Document, seg: Seg) -> ImportFileError:
    """A value claimbook needs that pyx12 let through but is not a number: refuse the file (findings.py)."""
    return ImportFileError(f"{os.path.basename(doc.path)}: refused, nothing was imported — segment {seg.seg_id} "
                           f"(segment {seg.number} of the file, line {seg.line}): an amount in it cannot be read.")


def _balance_warning(st: dict) -> str:
    """BPR02 must be the sum of CLP04 minus the PLB adjustments (835 guide, section 1.10.2.1)."""
    bpr, clp, plb = st["bpr"], round(st["clp"], 2), round(st["plb"], 2)
    if st["bpr_seg"] is None or abs(bpr - (clp - plb)) < 0.005:
        return ""
    seg = st["bpr_seg"]
    return (f"segment BPR (segment {seg.number} of the file, line {seg.line}): the payment (BPR02 {bpr:.2f}) is "
            f"not the claims' paid amounts (CLP04 total {clp:.2f}) minus the provider-level adjustments (PLB total "
            f"{plb:.2f}): {abs(bpr - (clp - plb)):.2f} unaccounted for — balancing; check the payment against "
            "the claims before posting it")


def x12_date(text: str) -> date | None:
    """CCYYMMDD (or the first date of a CCYYMMDD-CCYYMMDD range); None when blank."""
    text = text.strip().split("-", 1)[0]
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _composite(seg: Seg, ref: str) -> str:
    value = seg.data.get(ref)
    if value is None:
        return ""
    if value.is_composite():
        return ":".join(value[i].get_value() for i in range(len(value))).rstrip(":")
    return value.get_value()


def _name(seg: Seg) -> str:
    last, first = seg.get("NM103"), seg.get("NM104")
    return f"{last}, {first}" if last and first else last or first


def _cas(seg: Seg, level: str, line: int | None) -> list[Adjustment]:
    """CAS*group*reason*amount*qty (up to six reason/amount/quantity triples)."""
    group = seg.get("CAS01")
    out = []
    for i in range(6):
        carc = seg.get(f"CAS{2 + 3 * i:02d}")
        if not carc:
            continue
        qty = _money_or_none(seg.get(f"CAS{4 + 3 * i:02d}"), quiet=True)
        out.append(Adjustment(group, carc, money(seg.get(f"CAS{3 + 3 * i:02d}")), qty, level, line))
    return out


def _unique(codes: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in codes if c))


def parse_835(path: str | os.PathLike[str], *, text: str | None = None) -> Remittance:
    doc = read_x12(path, text=text)
    if doc.kind != "835":
        raise ImportFileError(f"{os.path.basename(doc.path)}: this is a {doc.kind} file, not an 835 remittance.")
    return remittance_from(doc)


def remittance_from(doc: X12Document) -> Remittance:
    claims: list[ClaimPayment] = []
    plbs: list[ProviderAdjustment] = []
    payments: list[tuple[str, str, float, date | None]] = []
    warnings: list[str] = list(doc.warnings)
    st = {"bpr": 0.0, "clp": 0.0, "plb": 0.0, "bpr_seg": None}

    # Per transaction (ST..SE) header values.
    bpr_date: date | None = None
    prod_date: date | None = None
    bpr_amount = 0.0
    payer_name = payer_id = trn_payer = check = ""
    claim: dict | None = None
    svc: dict | None = None

    def close_service() -> None:
        nonlocal svc
        if svc is not None and claim is not None:
            claim["lines"].append(
                ServiceLine(svc["proc"], svc["charge"], svc["paid"], svc["allowed"], svc["date"],
                            tuple(svc["adj"]), _unique(svc["rarcs"]))
            )
        svc = None

    def close_claim() -> None:
        nonlocal claim
        close_service()
        if claim is None:
            return
        lines: list[ServiceLine] = claim["lines"]
        allowed = claim["allowed"]
        if allowed is None and lines and all(ln.allowed is not None for ln in lines):
            allowed = round(sum(ln.allowed or 0.0 for ln in lines), 2)
        adjustments = list(claim["adj"]) + [a for ln in lines for a in ln.adjustments]
        s: Seg = claim["seg"]
        claims.append(
            ClaimPayment(
                claim_id=s.get("CLP01").strip(),
                status_code=s.get("CLP02"),
                charge=money(s.get("CLP03")),
                paid=money(s.get("CLP04")),
                patient_resp=money(s.get("CLP05")),
                filing_indicator=s.get("CLP06"),
                payer_claim_number=s.get("CLP07"),
                allowed=allowed,
                adjustments=tuple(adjustments),
                rarcs=_unique(claim["rarcs"]),
                service_lines=tuple(lines),
                remit_date=claim["remit_date"],
                payer_name=claim["payer_name"],
                payer_id=claim["payer_id"],
                check_number=claim["check"],
                patient_name=claim["patient"],
                crossover_payer=claim["crossover"],
                segment=s.number,
                line=s.line,
                member_id=claim["member"],
            )
        )
        st["clp"] += claims[-1].paid
        claim = None

    def close_transaction() -> None:
        close_claim()
        text = _balance_warning(st)
        if text:
            warnings.append(text)
        st.update(bpr=0.0, clp=0.0, plb=0.0, bpr_seg=None)

    def step(seg: Seg) -> None:
        nonlocal bpr_date, prod_date, bpr_amount, payer_name, payer_id, trn_payer, check, claim, svc
        sid, loop = seg.seg_id, seg.loop
        if sid in ("ST", "SE"):
            close_transaction()
            if sid == "ST":
                bpr_date = prod_date = None
                payer_name = payer_id = trn_payer = check = ""
        elif sid == "BPR":
            bpr_date = x12_date(seg.get("BPR16"))
            bpr_amount = money(seg.get("BPR02"))
            st["bpr"], st["bpr_seg"] = bpr_amount, seg
        elif sid == "TRN" and loop == "HEADER":
            check = seg.get("TRN02")
            trn_payer = seg.get("TRN03")
        elif sid == "DTM" and loop == "HEADER" and seg.get("DTM01") == "405":
            prod_date = x12_date(seg.get("DTM02"))
        elif sid == "N1" and loop == "1000A":
            payer_name = seg.get("N102")
            if seg.get("N103") == "XV":
                payer_id = seg.get("N104")
        elif sid == "REF" and loop == "1000A" and seg.get("REF01") == "2U" and not payer_id:
            payer_id = seg.get("REF02")
        elif sid == "N1" and loop == "1000B":
            payments.append((payer_name, check, bpr_amount, bpr_date or prod_date))
        elif sid == "CLP":
            close_claim()
            claim = {
                "seg": seg, "adj": [], "rarcs": [], "lines": [], "allowed": None,
                "remit_date": bpr_date or prod_date, "payer_name": payer_name,
                "payer_id": payer_id or trn_payer, "check": check, "patient": "", "crossover": "", "member": "",
            }
        elif loop == "2100" and claim is not None:
            if sid == "CAS":
                claim["adj"].extend(_cas(seg, "claim", None))
            elif sid == "NM1" and seg.get("NM101") == "QC":
                claim["patient"] = _name(seg)
                claim["member"] = seg.get("NM109")
            elif sid == "NM1" and seg.get("NM101") == "TT":
                claim["crossover"] = seg.get("NM103")
            elif sid == "MOA":
                claim["rarcs"].extend(seg.get(f"MOA{i:02d}") for i in range(3, 8))
            elif sid == "MIA":
                claim["rarcs"].extend(seg.get(f"MIA{i:02d}") for i in (5, 20, 21, 22, 23))
            elif sid == "AMT" and seg.get("AMT01") == "AU":
                claim["allowed"] = money(seg.get("AMT02"))
        elif sid == "SVC" and claim is not None:
            close_service()
            svc = {
                "proc": _composite(seg, "SVC01"), "charge": money(seg.get("SVC02")),
                "paid": money(seg.get("SVC03")), "allowed": None, "date": None, "adj": [], "rarcs": [],
                "n": len(claim["lines"]) + 1,
            }
        elif loop == "2110" and svc is not None:
            if sid == "CAS":
                svc["adj"].extend(_cas(seg, "service", svc["n"]))
            elif sid == "DTM" and seg.get("DTM01") in ("472", "150") and svc["date"] is None:
                svc["date"] = x12_date(seg.get("DTM02"))
            elif sid == "AMT" and seg.get("AMT01") == "B6":
                svc["allowed"] = money(seg.get("AMT02"))
            elif sid == "LQ" and seg.get("LQ01") == "HE":
                svc["rarcs"].append(seg.get("LQ02"))
        elif sid == "PLB":
            close_claim()
            fiscal = x12_date(seg.get("PLB02"))
            for i in range(6):
                reason = _composite(seg, f"PLB{3 + 2 * i:02d}")
                if not reason:
                    continue
                code, _, ref = reason.partition(":")
                plbs.append(
                    ProviderAdjustment(seg.get("PLB01"), fiscal, code, ref,
                                       money(seg.get(f"PLB{4 + 2 * i:02d}")), payer_name, check)
                )
                st["plb"] += plbs[-1].amount

    for seg in doc.segments:
        try:
            step(seg)
        except ValueError:
            raise _unreadable(doc, seg) from None
    try:
        close_transaction()
    except ValueError:
        raise _unreadable(doc, claim["seg"] if claim else doc.segments[-1]) from None
    return Remittance(doc.path, tuple(claims), tuple(plbs), tuple(payments), tuple(warnings))


def parse_277(path: str | os.PathLike[str], *, text: str | None = None) -> StatusReport:
    doc = read_x12(path, text=text)
    if doc.kind not in ("277", "277CA"):
        raise ImportFileError(f"{os.path.basename(doc.path)}: this is an {doc.kind} file, not a 277 claim status file.")
    return status_report_from(doc)


_CLAIM_LOOPS = ("2200D", "2200E")
_LINE_LOOPS = ("2220D", "2220E")


def _stc_infos(seg: Seg) -> list[StatusInfo]:
    out = []
    when = x12_date(seg.get("STC02"))
    for ref in ("STC01", "STC10", "STC11"):
        category = seg.get(f"{ref}-1")
        if category:
            out.append(StatusInfo(category, seg.get(f"{ref}-2"), seg.get(f"{ref}-3"), when))
    return out


def status_report_from(doc: X12Document) -> StatusReport:
    claims: list[ClaimStatus] = []
    file_date: date | None = None
    payer = ""
    patient = ""
    cur: dict | None = None

    def close() -> None:
        nonlocal cur
        if cur is None:
            return
        # The STC holding the claim's decisive status (records.DECISIVE_ORDER) gives the date and amounts.
        per_seg = [(s, info) for s in cur["stc"] for info in _stc_infos(s)]
        statuses = [info for _, info in per_seg]
        best = decisive(statuses)
        first_stc: Seg | None = cur["stc"][0] if cur["stc"] else None
        stc = next((s for s, info in per_seg if info is best), None) or first_stc
        when = (x12_date(stc.get("STC02")) if stc else None) or (x12_date(first_stc.get("STC02")) if first_stc else None)
        pcn = cur["ej"] if doc.kind == "277" and cur["ej"] else cur["trn"].get("TRN02")
        claims.append(
            ClaimStatus(
                claim_id=pcn.strip(),
                transaction=doc.kind,
                statuses=tuple(statuses),
                effective_date=when or file_date,
                charge=_money_or_none(stc.get("STC04")) if stc else None,
                paid=_money_or_none(stc.get("STC05")) if stc else None,
                adjudication_date=x12_date(stc.get("STC06")) if stc else None,
                check_date=x12_date(stc.get("STC08")) if stc else None,
                check_number=stc.get("STC09") if stc else "",
                payer_claim_number=cur["icn"],
                trace_number=cur["trn"].get("TRN02"),
                service_date=cur["dos"],
                payer_name=payer,
                patient_name=cur["patient"],
                line_statuses=tuple(cur["lines"]),
                segment=cur["trn"].number,
                line=cur["trn"].line,
            )
        )
        cur = None

    for seg in doc.segments:
        sid, loop = seg.seg_id, seg.loop
        if sid == "BHT":
            file_date = x12_date(seg.get("BHT04"))
        elif sid == "NM1" and loop == "2100A":
            payer = seg.get("NM103")
        elif sid == "NM1" and loop in ("2100D", "2100E"):
            close()
            patient = _name(seg)
        elif sid == "HL":
            close()
        elif loop in _CLAIM_LOOPS:
            if sid == "TRN":
                close()
                cur = {"trn": seg, "stc": [], "ej": "", "icn": "", "dos": None, "patient": patient, "lines": []}
            elif cur is not None:
                if sid == "STC":
                    cur["stc"].append(seg)
                elif sid == "REF" and seg.get("REF01") == "EJ":
                    cur["ej"] = seg.get("REF02")
                elif sid == "REF" and seg.get("REF01") == "1K":
                    cur["icn"] = seg.get("REF02")
                elif sid == "DTP" and seg.get("DTP01") == "472":
                    cur["dos"] = x12_date(seg.get("DTP03"))
        elif loop in _LINE_LOOPS and cur is not None and sid == "STC":
            cur["lines"].extend(_stc_infos(seg))
        elif sid == "SE":
            close()
    close()
    return StatusReport(doc.path, doc.kind, tuple(claims), doc.warnings)
