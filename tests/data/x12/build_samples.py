"""Writes the hand-made X12 test files in this folder. Run: python tests/data/x12/build_samples.py

Every file is checked by claimbook.x12.reader (pyx12 5010 maps) in the tests; the ones named
malformed_* are broken on purpose.
"""

from pathlib import Path

HERE = Path(__file__).parent


def isa(sender: str, receiver: str, control: str) -> str:
    seg = (f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*240315*1200*^*00501*"
           f"{control:>09}*0*P*:~")
    assert len(seg) == 106, len(seg)
    return seg


def envelope(gs_code: str, version: str, st_code: str, body: list[str], control: str = "1",
             st_version: bool = False) -> str:
    st = f"ST*{st_code}*0001" + (f"*{version}" if st_version else "") + "~"
    segs = [st, *body]
    se = f"SE*{len(segs) + 1}*0001~"
    return "\n".join([isa("PAYERSENDER", "CLINICRECV", control),
                      f"GS*{gs_code}*PAYERSENDER*CLINICRECV*20240315*1200*{control}*X*{version}~",
                      *segs, se, f"GE*1*{control}~", f"IEA*1*{control:>09}~"]) + "\n"


def era(claims: list[str], *, paid: str, date: str = "20240315", check: str = "EFT1001",
        plb: list[str] = (), payer: str = "ACME HEALTH PLAN") -> str:
    body = [
        f"BPR*I*{paid}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*{date}~",
        f"TRN*1*{check}*1512345678~",
        f"DTM*405*{date}~",
        f"N1*PR*{payer}~",
        "N3*1 INSURANCE WAY~",
        "N4*HARTFORD*CT*06101~",
        "REF*2U*ACME01~",
        "PER*BL*EDI SUPPORT*TE*8005551212~",
        "N1*PE*SMALL FAMILY PRACTICE*XX*1234567893~",
        "N3*10 MAIN ST~",
        "N4*SPRINGFIELD*IL*62701~",
        "LX*1~",
        *claims,
        *plb,
    ]
    return envelope("HP", "005010X221A1", "835", body)


def clp(pcn: str, status: str, charge: str, paid: str, resp: str, icn: str, lines: list[str],
        claim_level: list[str] = (), name: str = "DOE*JANE") -> list[str]:
    return [f"CLP*{pcn}*{status}*{charge}*{paid}*{resp}*12*{icn}*11*1~",
            *[s for s in claim_level if s.startswith("CAS")],
            f"NM1*QC*1*{name}****MI*MEMBER01~",
            *[s for s in claim_level if not s.startswith("CAS")],
            *lines]


def svc(code: str, charge: str, paid: str, dos: str, cas: list[str] = (), lq: list[str] = (),
        allowed: str | None = None) -> list[str]:
    out = [f"SVC*HC:{code}*{charge}*{paid}**1~", f"DTM*472*{dos}~", *cas]
    if allowed is not None:
        out.append(f"AMT*B6*{allowed}~")
    out += [f"LQ*HE*{r}~" for r in lq]
    return out


def flat(*parts: list[str]) -> list[str]:
    return [s for p in parts for s in p]


FILES: dict[str, str] = {}

# 1. Denials, partial payment, a paid claim, patient responsibility, a claim not in the tracker, PLB.
FILES["era_denials.835"] = era(flat(
    clp("CLM-1001", "1", "200", "150", "20", "ICN1001", svc("99214", "200", "150", "20240301",
        ["CAS*CO*45*30~", "CAS*PR*3*20~"], allowed="170")),
    clp("CLM-1002", "4", "300", "0", "0", "ICN1002", svc("97110", "300", "0", "20240302",
        ["CAS*CO*50*300~"], ["N115"])),
    clp("CLM-1003", "4", "180", "0", "0", "ICN1003", svc("99213", "180", "0", "20240220",
        ["CAS*CO*29*180~"])),
    clp("CLM-1004", "4", "120", "0", "0", "ICN1004", svc("99212", "120", "0", "20240221",
        ["CAS*OA*18*120~"])),
    clp("CLM-1005", "4", "250", "0", "0", "ICN1005", svc("99215", "250", "0", "20240222",
        ["CAS*CO*16*250~"], ["MA130"])),
    clp("CLM-1006", "1", "400", "180", "120", "ICN1006", svc("99204", "400", "180", "20240223",
        ["CAS*CO*45*100~", "CAS*PR*1*50*1*2*40*1*3*30~"])),
    clp("CLM-1007", "1", "500", "250", "50", "ICN1007", flat(
        svc("20610", "300", "150", "20240224", ["CAS*CO*45*100~", "CAS*PR*2*50~"]),
        svc("20611", "200", "100", "20240224", ["CAS*CO*97*100~"], ["M15"]))),
    clp("CLM-9999", "1", "90", "72", "0", "ICN9999", svc("99211", "90", "72", "20240225",
        ["CAS*CO*45*18~"])),
), paid="752.00", plb=["PLB*1234567893*20241231*WO:ICN0777*25.50*L6*-1.25~"])

# 2. Original payment, then (same file) its reversal and a correction.
FILES["era_reversal_same_file.835"] = era(flat(
    clp("CLM-2001", "1", "200", "160", "0", "ICN2001", svc("99214", "200", "160", "20240301",
        ["CAS*CO*45*40~"])),
    clp("CLM-2001", "22", "-200", "-160", "0", "ICN2001", svc("99214", "-200", "-160", "20240301",
        ["CAS*CO*45*-40~"])),
    clp("CLM-2001", "1", "200", "140", "20", "ICN2001B", svc("99214", "200", "140", "20240301",
        ["CAS*CO*45*40~", "CAS*PR*3*20~"])),
), paid="140.00", check="EFT2001", date="20240320")

# 3a/3b. Original in one file, reversal + correction in a later one.
FILES["era_original.835"] = era(flat(
    clp("CLM-3001", "1", "300", "240", "0", "ICN3001", svc("99215", "300", "240", "20240201",
        ["CAS*CO*45*60~"])),
), paid="240.00", check="EFT3001", date="20240301")
FILES["era_reversal_correction.835"] = era(flat(
    clp("CLM-3001", "22", "-300", "-240", "0", "ICN3001", svc("99215", "-300", "-240", "20240201",
        ["CAS*CO*45*-60~"])),
    clp("CLM-3001", "1", "300", "200", "40", "ICN3001C", svc("99215", "300", "200", "20240201",
        ["CAS*CO*45*60~", "CAS*PR*2*40~"])),
), paid="-40.00", check="EFT3002", date="20240410")
FILES["era_reversal_only.835"] = era(flat(
    clp("CLM-3001", "22", "-300", "-240", "0", "ICN3001", svc("99215", "-300", "-240", "20240201",
        ["CAS*CO*45*-60~"])),
), paid="0", check="EFT3003", date="20240405")

# 4. Secondary claim (CLP02 2) and a claim processed as primary and forwarded (CLP02 19).
FILES["era_cob.835"] = era(flat(
    clp("CLM-4001", "2", "157", "1.51", "20", "ICN4001", svc("99214", "157", "1.51", "20240301",
        ["CAS*PR*3*20~", "CAS*OA*23*135.49~"])),
    clp("CLM-4002", "19", "250", "160", "40", "ICN4002", svc("99214", "250", "160", "20240302",
        ["CAS*CO*45*50~", "CAS*PR*2*40~"]),
        ["NM1*TT*2*MEDIGAP SUPPLEMENT CO*****PI*MGAP1~", "MOA***MA18~"]),
    clp("CLM-4003", "2", "100", "30", "0", "ICN4003", svc("99213", "100", "30", "20240303",
        ["CAS*OA*23*70~"])),
), paid="191.51", check="EFT4001")

# 277CA (005010X214): acknowledgments.
def ca_claim(hl: int, parent: int, pcn: str, stc: str, icn: str | None = None) -> list[str]:
    return [f"HL*{hl}*{parent}*PT~", "NM1*QC*1*DOE*JANE****MI*MEMBER01~", f"TRN*2*{pcn}~", stc,
            *([f"REF*1K*{icn}~"] if icn else []), "DTP*472*D8*20240301~"]


ca_body = [
    "BHT*0085*08*BATCH0001*20240310*1200*TH~",
    "HL*1**20*1~", "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01~", "TRN*1*BATCH0001~",
    "DTP*050*D8*20240310~", "DTP*009*D8*20240310~",
    "HL*2*1*21*1~", "NM1*41*2*SMALL FAMILY PRACTICE*****46*SUB01~", "TRN*2*FILE0001~",
    "STC*A1:19*20240310*WQ*1000~", "QTY*90*5~", "QTY*AA*1~", "AMT*YU*800~", "AMT*YY*200~",
    "HL*3*2*19*1~", "NM1*85*2*SMALL FAMILY PRACTICE*****XX*1234567893~", "TRN*1*0~",
    "STC*A1:19:85**WQ*1000~", "QTY*QA*4~", "QTY*QC*1~", "AMT*YU*800~", "AMT*YY*200~",
    *ca_claim(4, 3, "CLM-5001", "STC*A2:20:PR*20240310*WQ*200~", "PAYER5001"),
    *ca_claim(5, 3, "CLM-5002", "STC*A7:562:85*20240310*U*200~"),
    *ca_claim(6, 3, "CLM-5003", "STC*A1:19:PR*20240310*WQ*200~"),
    *ca_claim(7, 3, "CLM-5004", "STC*A2:20:PR*20240310*WQ*200~", "PAYER5004"),
    *ca_claim(8, 3, "CLM-5999", "STC*A2:20:PR*20240310*WQ*200~"),
]
FILES["ack_277ca.277"] = envelope("HN", "005010X214", "277", ca_body, st_version=True)


# 277 (005010X212): claim status responses.
def st_claim(hl: int, pcn: str, stc: str, icn: str = "", trace: str = "") -> list[str]:
    return [f"HL*{hl}*3*22*0~", "NM1*IL*1*DOE*JANE****MI*MEMBER01~", f"TRN*2*{trace or 'TRACE-' + pcn}~", stc,
            *([f"REF*1K*{icn}~"] if icn else []), f"REF*EJ*{pcn}~", "DTP*472*D8*20240301~"]


claims_277 = [
    ("CLM-6001", "STC*P1:20*20240320**200*0~"),
    ("CLM-6002", "STC*P3:21:QC*20240320**300*0~"),
    ("CLM-6003", "STC*R4:294*20240320**150*0~"),
    ("CLM-6004", "STC*F1:65*20240320**200*160*20240318**20240319*EFT6004~"),
    ("CLM-6005", "STC*F2:88*20240320**250*0*20240318~"),
    ("CLM-6006", "STC*F4:65*20240320**100*0*20240318~"),
    ("CLM-6007", "STC*A4:35*20240320~"),
    ("CLM-6008", "STC*F1:65*20240320**200*150*20240318~"),
    ("CLM-6009", "STC*P1:20*20240320**200*0~"),
    ("CLM-6010", "STC*A2:20*20240320~"),
]
st_body = [
    "BHT*0010*08*STATUS0001*20240320*1200*DG~",
    "HL*1**20*1~", "NM1*PR*2*ACME HEALTH PLAN*****PI*ACME01~",
    "HL*2*1*21*1~", "NM1*41*2*SMALL FAMILY PRACTICE*****46*SUB01~",
    "HL*3*2*19*1~", "NM1*1P*2*SMALL FAMILY PRACTICE*****XX*1234567893~",
]
for i, (pcn, stc) in enumerate(claims_277):
    st_body += st_claim(4 + i, pcn, stc, icn=f"ICN{pcn[-4:]}")
FILES["status_277.277"] = envelope("HN", "005010X212", "277", st_body, st_version=True)

# Malformed on purpose.
good = FILES["era_denials.835"]
FILES["malformed_truncated.835"] = good[: good.index("CLP*CLM-1003") + 20]
FILES["malformed_bad_amount.835"] = good.replace("CLP*CLM-1002*4*300*", "CLP*CLM-1002*4*3O0*")
FILES["malformed_missing_clp01.835"] = good.replace("CLP*CLM-1004*", "CLP**")
FILES["malformed_bad_se_count.835"] = good.replace(f"SE*{good.count(chr(126)) - 4}*0001", "SE*7*0001")
FILES["malformed_not_x12.835"] = "Claim ID,Paid\nCLM-1001,150\n"
FILES["malformed_bad_stc.277"] = FILES["status_277.277"].replace("STC*P1:20*20240320**200*0~", "STC*P1:20*20241340**200*0~", 1)

if __name__ == "__main__":
    for name, text in FILES.items():
        (HERE / name).write_text(text, encoding="ascii", newline="")
        print("wrote", name)
