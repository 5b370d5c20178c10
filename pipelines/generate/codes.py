"""Code lists the synthetic world draws from: code numbers and our own labels only.

CPT descriptions are the AMA's and CARC/RARC descriptions are X12's: neither is shipped.  Relative
values below are invented round numbers of a plausible size, not CMS figures.  ICD-10-CM codes are
checked against the public-domain simple-icd-10-cm package (billable leaf codes only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------- E/M families (docs/integrity.md)
EM_FAMILIES: dict[str, list[str]] = {
    "office_new": ["99202", "99203", "99204", "99205"],
    "office_est": ["99211", "99212", "99213", "99214", "99215"],
    "ed": ["99281", "99282", "99283", "99284", "99285"],
    "hosp_initial": ["99221", "99222", "99223"],
    "hosp_subsequent": ["99231", "99232", "99233"],
}
EM_HIGH = {"99204", "99205", "99214", "99215", "99284", "99285", "99223", "99233"}

# ---------------------------------------------------------------- synthetic allowed base ($, per unit)
BASE_RATE: dict[str, float] = {
    "99202": 72, "99203": 110, "99204": 165, "99205": 215,
    "99211": 24, "99212": 56, "99213": 90, "99214": 128, "99215": 180,
    "99281": 22, "99282": 45, "99283": 75, "99284": 130, "99285": 190,
    "99221": 105, "99222": 140, "99223": 205, "99231": 42, "99232": 78, "99233": 112,
    "36415": 3, "81002": 4, "80053": 11, "80048": 9, "85025": 8, "80061": 13, "83036": 10,
    "96372": 14, "90471": 17, "90686": 19,
    "93000": 17, "93010": 8, "93306": 210, "93308": 95, "93015": 75,
    "20610": 62, "20605": 48, "29881": 520, "29880": 545, "73562": 35,
    "11102": 98, "17000": 58, "17003": 6, "11042": 118, "97597": 80,
    "12001": 95, "71046": 30, "72148": 215, "74177": 290, "70450": 110,
    "97161": 98, "97110": 30, "97140": 28, "97530": 35, "97116": 30,
    "49505": 540, "47562": 690, "44970": 610,
}  # fmt: skip

# ---------------------------------------------------------------- physician time, minutes per unit (synthetic)
PHYSICIAN_MINUTES: dict[str, int] = {
    "99202": 25, "99203": 35, "99204": 50, "99205": 65,
    "99211": 7, "99212": 15, "99213": 25, "99214": 40, "99215": 55,
    "99281": 10, "99282": 15, "99283": 25, "99284": 40, "99285": 60,
    "99221": 45, "99222": 60, "99223": 80, "99231": 20, "99232": 30, "99233": 45,
    "93306": 35, "29881": 90, "29880": 95, "11042": 30, "49505": 120, "47562": 150, "44970": 130,
    "72148": 20, "74177": 25, "70450": 15, "20610": 15, "11102": 15, "97110": 15, "97140": 15,
    "97530": 15, "97116": 15, "97161": 30,
}  # fmt: skip

# ---------------------------------------------------------------- synthetic NCCI PTP / MUE (CMS layouts in reference.py)
# (column 1, column 2, modifier indicator)
NCCI_PTP: list[tuple[str, str, str]] = [
    ("80053", "80048", "0"),
    ("93306", "93308", "0"),
    ("20610", "20605", "1"),
    ("29881", "29880", "1"),
    ("11042", "97597", "1"),
    ("97140", "97530", "1"),
    ("93000", "93010", "0"),
    ("17000", "11102", "1"),
]
# HCPCS -> (MUE value, MAI) ; MAI 1 = line edit, 2 = date of service (policy), 3 = date of service (clinical)
MUE: dict[str, tuple[int, str]] = {
    "36415": (2, "2"), "81002": (2, "3"), "80053": (1, "2"), "85025": (1, "3"), "96372": (4, "3"),
    "93000": (1, "2"), "93306": (1, "2"), "20610": (2, "1"), "11102": (1, "2"), "17003": (13, "2"),
    "97110": (6, "3"), "97140": (4, "3"), "97530": (6, "3"), "71046": (2, "3"), "99213": (1, "2"),
    "99214": (1, "2"), "99215": (1, "2"),
}  # fmt: skip


def has_global_period(code: str) -> bool:
    """A procedure with a global surgical package (CPT Surgery section, less venipuncture): an E/M the same
    day needs modifier 25 to be paid separately.  Labs, imaging and tests do not."""
    return code.isdigit() and "10004" <= code <= "69990" and code not in ("36415", "36416")


NCCI_MODIFIERS = frozenset({"59", "XE", "XS", "XP", "XU", "25", "58", "78", "79", "91", "LT", "RT", "E1", "E2",
                            "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD",
                            "RC", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"})  # fmt: skip

# ---------------------------------------------------------------- ICD-10-CM pools (billable codes, no dots)
ICD10_POOLS: dict[str, list[str]] = {
    "primary": ["I10", "E119", "J069", "E785", "M5450", "R1010", "N390", "K219", "J45909", "Z0000", "E039",
                "F419", "J029", "R051", "M25561", "Z23"],
    "cardio": ["I2510", "I480", "I10", "R0789", "I5022", "R002"],
    "ortho": ["M1711", "M25561", "M25511", "S83241A", "M1611", "M75101"],
    "derm": ["L570", "L821", "C44311", "L309", "D225"],
    "ed": ["S0990XA", "R0789", "J189", "R1010", "S61411A", "R55"],
    "rehab": ["M5450", "M25561", "M6281", "Z98890"],
    "imaging": ["R0789", "M5450", "R1010", "R519"],
    "surgery": ["K4090", "K8020", "K3580"],
}  # fmt: skip


@dataclass(frozen=True)
class Specialty:
    name: str
    taxonomy: str
    pos: str
    dx_pool: str
    em_family: str | None  # established / main E/M family; None for procedure-only specialties
    em_levels: tuple[float, ...] = ()  # probabilities over EM_FAMILIES[em_family]
    new_share: float = 0.0  # share of office visits billed as new-patient E/M
    new_levels: tuple[float, ...] = (0.05, 0.40, 0.42, 0.13)
    procedures: tuple[tuple[str, float, int], ...] = field(
        default_factory=tuple
    )  # (code, probability, max units)
    claim_type: str = "837P"


SPECIALTIES: dict[str, Specialty] = {
    s.name: s
    for s in [
        Specialty("family_medicine", "207Q00000X", "11", "primary", "office_est", (0.02, 0.12, 0.50, 0.31, 0.05),
                  0.15, procedures=(("36415", 0.30, 1), ("81002", 0.10, 1), ("96372", 0.08, 1), ("90471", 0.08, 1),
                                    ("85025", 0.10, 1), ("80053", 0.08, 1))),
        Specialty("internal_medicine", "207R00000X", "11", "primary", "office_est", (0.01, 0.08, 0.45, 0.38, 0.08),
                  0.12, procedures=(("36415", 0.35, 1), ("80061", 0.15, 1), ("83036", 0.12, 1), ("93000", 0.08, 1))),
        Specialty("cardiology", "207RC0000X", "11", "cardio", "office_est", (0.0, 0.05, 0.35, 0.45, 0.15),
                  0.20, procedures=(("93000", 0.45, 1), ("93306", 0.20, 1), ("93015", 0.08, 1))),
        Specialty("orthopedic_surgery", "207X00000X", "11", "ortho", "office_est", (0.0, 0.10, 0.50, 0.33, 0.07),
                  0.25, procedures=(("20610", 0.25, 1), ("73562", 0.30, 1), ("29881", 0.04, 1))),
        Specialty("dermatology", "207N00000X", "11", "derm", "office_est", (0.01, 0.20, 0.52, 0.24, 0.03),
                  0.20, procedures=(("11102", 0.30, 1), ("17000", 0.25, 1), ("17003", 0.15, 6))),
        Specialty("emergency_medicine", "207P00000X", "23", "ed", "ed", (0.02, 0.08, 0.30, 0.38, 0.22),
                  procedures=(("12001", 0.10, 1), ("71046", 0.25, 1), ("93010", 0.15, 1))),
        Specialty("physical_therapy", "225100000X", "11", "rehab", None,
                  procedures=(("97161", 0.15, 1), ("97110", 0.90, 4), ("97140", 0.60, 3), ("97530", 0.40, 3),
                              ("97116", 0.15, 2))),
        Specialty("diagnostic_radiology", "2085R0202X", "22", "imaging", None,
                  procedures=(("71046", 0.55, 1), ("72148", 0.20, 1), ("74177", 0.15, 1), ("70450", 0.10, 1))),
        Specialty("general_surgery", "208600000X", "11", "surgery", "office_est", (0.0, 0.10, 0.50, 0.33, 0.07),
                  0.35, procedures=(("49505", 0.05, 1), ("47562", 0.04, 1), ("44970", 0.03, 1))),
        Specialty("hospital_outpatient", "282N00000X", "22", "ed", "ed", (0.03, 0.10, 0.32, 0.35, 0.20),
                  procedures=(("80053", 0.35, 1), ("85025", 0.35, 1), ("71046", 0.30, 1), ("93000", 0.20, 1)),
                  claim_type="837I"),
    ]
}  # fmt: skip

# Revenue codes for institutional lines (NUBC numbers only).
REVENUE_CODE = {"99281": "0450", "99282": "0450", "99283": "0450", "99284": "0450", "99285": "0450",
                "80053": "0301", "85025": "0305", "71046": "0324", "93000": "0730"}  # fmt: skip

# ---------------------------------------------------------------- denials: CARC (+ RARC) per root cause
DENIAL_CODES: dict[str, list[tuple[str, str | None]]] = {
    "ELIGIBILITY_REGISTRATION": [("27", None), ("31", None), ("26", None)],
    "AUTHORIZATION_REFERRAL": [("197", "N54"), ("198", None)],
    "MEDICAL_NECESSITY": [("50", "N115"), ("167", None)],
    "CODING_BUNDLING": [("97", "M80"), ("4", None), ("11", None)],
    "TIMELY_FILING": [("29", None)],
    "MISSING_INFO_BILLING_ERROR": [("16", "MA130"), ("16", "N290"), ("252", "M127")],
    "NON_COVERED_BENEFIT": [("96", "N130"), ("204", None)],
    "COORDINATION_OF_BENEFITS": [("22", "MA04"), ("109", None)],
}
# Share of denials later overturned through rework (corrected claim / appeal), by root cause
# (docs/metrics.md: registration/eligibility ~75%, billing/coding/information ~90%, medical necessity low).
OVERTURN_RATE = {
    "ELIGIBILITY_REGISTRATION": 0.75, "AUTHORIZATION_REFERRAL": 0.45, "MEDICAL_NECESSITY": 0.30,
    "CODING_BUNDLING": 0.85, "TIMELY_FILING": 0.05, "MISSING_INFO_BILLING_ERROR": 0.90,
    "NON_COVERED_BENEFIT": 0.10, "COORDINATION_OF_BENEFITS": 0.70,
}  # fmt: skip
# Line-level (partial) denials only make sense for some causes.
PARTIAL_CAUSES = ("CODING_BUNDLING", "MEDICAL_NECESSITY", "NON_COVERED_BENEFIT")


def luhn_npi(base9: str) -> str:
    """Complete a 9-digit NPI body with its check digit (Luhn over the '80840' card prefix)."""
    total = 0
    for i, ch in enumerate(reversed("80840" + base9)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return base9 + str((10 - total % 10) % 10)


def npi_is_valid(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and luhn_npi(npi[:9]) == npi
