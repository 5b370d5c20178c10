"""Entities of a synthetic revenue-cycle world: billing organisations, providers, patients, payers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from pipelines.generate.codes import ICD10_POOLS, SPECIALTIES, luhn_npi


@dataclass(frozen=True)
class Payer:
    payer_id: str
    name: str
    filing_indicator: str  # SBR09 on the 837
    clp06: str  # CLP06 on the 835 (its code list has no CI/BL)
    financial_class: str
    rate_factor: float  # contract: allowed = base rate x factor
    denial_band: tuple[float, float]  # configured initial denial rate band (claims)
    root_cause_mix: dict[str, float]
    days_to_pay_median: float
    timely_filing_days: int
    payment_method: str  # ACH or CHK
    coinsurance: float = 0.0
    copay: float = 0.0
    deductible_share: float = 0.0  # share of claims in Jan-Mar hitting the deductible
    pay_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # 0 = Monday


@dataclass
class Provider:
    npi: str
    last_name: str
    first_name: str
    specialty: str
    state: str
    billing_index: int
    volume_weight: float = 1.0
    em_shift: float = 0.0  # >0 for injected upcoders
    volume_outlier: bool = False
    excluded_on: date | None = None


@dataclass(frozen=True)
class BillingOrg:
    npi: str
    name: str
    tax_id: str
    address: str
    city: str
    state: str
    zip: str


@dataclass(slots=True)
class Patient:
    patient_id: str
    last_name: str
    first_name: str
    birth_date: date
    gender: str
    address: str
    city: str
    state: str
    zip: str
    payer_index: int
    member_id: str
    has_supplement: bool
    death_date: date | None = None
    # a second plan the practice bills itself after the primary (SBR01 S): an employer or spouse's
    # commercial plan; a Medigap supplement is crossed over by Medicare instead (has_supplement)
    secondary_payer_index: int | None = None


@dataclass
class World:
    start: date
    end: date
    profile: str
    billing_orgs: list[BillingOrg]
    providers: list[Provider]
    patients: list[Patient]
    payers: list[Payer]
    supplement: Payer
    provider_weights: list[float] = field(default_factory=list)


_COMMON_MIX = {
    "ELIGIBILITY_REGISTRATION": 0.24, "AUTHORIZATION_REFERRAL": 0.14, "MEDICAL_NECESSITY": 0.12,
    "CODING_BUNDLING": 0.14, "TIMELY_FILING": 0.03, "MISSING_INFO_BILLING_ERROR": 0.18,
    "NON_COVERED_BENEFIT": 0.09, "COORDINATION_OF_BENEFITS": 0.06,
}  # fmt: skip


def _mix(**overrides: float) -> dict[str, float]:
    m = {**_COMMON_MIX, **overrides}
    total = sum(m.values())
    return {k: v / total for k, v in m.items()}


PAYERS: list[Payer] = [
    Payer("MCR01", "MEDICARE PART B", "MB", "MB", "Medicare FFS", 1.00, (0.06, 0.10),
          _mix(MEDICAL_NECESSITY=0.22, AUTHORIZATION_REFERRAL=0.04), 14, 365, "ACH", coinsurance=0.20,
          deductible_share=0.25, pay_weekdays=(0, 2, 4)),
    Payer("MCD01", "STATE MEDICAID", "MC", "MC", "Medicaid", 0.72, (0.12, 0.18),
          _mix(ELIGIBILITY_REGISTRATION=0.34), 32, 180, "ACH", pay_weekdays=(2,)),
    Payer("MA001", "SENIOR ADVANTAGE HMO", "16", "16", "Medicare Advantage", 1.00, (0.13, 0.19),
          _mix(AUTHORIZATION_REFERRAL=0.28), 24, 90, "ACH", coinsurance=0.0, copay=20, pay_weekdays=(1,)),
    Payer("BCBS1", "BLUE CROSS OF THE VALLEY", "BL", "12", "Commercial", 1.30, (0.07, 0.11), _mix(), 18, 180,
          "ACH", copay=25, deductible_share=0.30, pay_weekdays=(1, 3)),
    Payer("AETN1", "AETNA HEALTH", "CI", "12", "Commercial", 1.25, (0.08, 0.12),
          _mix(AUTHORIZATION_REFERRAL=0.20), 21, 90, "ACH", copay=30, deductible_share=0.30, pay_weekdays=(3,)),
    Payer("UHC01", "UNITED HEALTH PLAN", "CI", "HM", "Commercial", 1.20, (0.10, 0.15),
          _mix(MISSING_INFO_BILLING_ERROR=0.26), 26, 90, "CHK", copay=25, deductible_share=0.30, pay_weekdays=(4,)),
    Payer("CIGN1", "CIGNA CARE", "CI", "12", "Commercial", 1.22, (0.08, 0.12), _mix(CODING_BUNDLING=0.22),
          20, 90, "ACH", copay=20, deductible_share=0.25, pay_weekdays=(2,)),
]  # fmt: skip
SUPPLEMENT = Payer("SUP01", "MEDIGAP SUPPLEMENT", "CI", "12", "Commercial", 1.0, (0.0, 0.0), _mix(), 21, 365,
                   "CHK", pay_weekdays=(4,))  # fmt: skip
SECONDARY_COVERAGE_SHARE = 0.12  # of patients with Medicare (without a supplement) or commercial primary
PAYER_SHARE = {"MCR01": 0.30, "MCD01": 0.12, "MA001": 0.10, "BCBS1": 0.16, "AETN1": 0.12, "UHC01": 0.11,
               "CIGN1": 0.09}  # fmt: skip

PROFILES = {
    # orgs, providers, specialty weights
    "clinic": (1, 8, {"family_medicine": 5, "internal_medicine": 2, "physical_therapy": 1}),
    "multispecialty": (3, 60, {"family_medicine": 14, "internal_medicine": 10, "cardiology": 8,
                               "orthopedic_surgery": 8, "dermatology": 6, "physical_therapy": 6,
                               "diagnostic_radiology": 4, "general_surgery": 4}),
    "health-system": (10, 300, {"family_medicine": 60, "internal_medicine": 45, "cardiology": 30,
                                "orthopedic_surgery": 30, "dermatology": 20, "physical_therapy": 25,
                                "diagnostic_radiology": 20, "general_surgery": 20, "emergency_medicine": 30,
                                "hospital_outpatient": 20}),
}  # fmt: skip
STATES = [("IL", "SPRINGFIELD", "62701"), ("IL", "PEORIA", "61602"), ("WI", "MADISON", "53703"),
          ("IN", "INDIANAPOLIS", "46204"), ("MO", "SAINT LOUIS", "63101")]  # fmt: skip


def _name_pools(seed: int) -> tuple[list[str], list[str], list[str], list[str]]:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    last = sorted({fake.last_name().upper() for _ in range(600)})
    first_f = sorted({fake.first_name_female().upper() for _ in range(300)})
    first_m = sorted({fake.first_name_male().upper() for _ in range(300)})
    streets = sorted({fake.street_address().upper().replace("*", " ") for _ in range(400)})
    return last, first_f, first_m, streets


def build_world(
    seed: int, n_claims: int, start: date, months: int, profile: str, min_providers: int = 1
) -> World:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
    rng = random.Random(seed)
    last, first_f, first_m, streets = _name_pools(seed)
    n_orgs, n_prov, spec_weights = PROFILES[profile]
    n_prov = max(n_prov, min_providers)
    end = _add_months(start, months)

    orgs = []
    for i in range(n_orgs):
        st, city, zp = STATES[i % len(STATES)]
        orgs.append(
            BillingOrg(
                npi=luhn_npi(f"1{rng.randrange(10**8):08d}"),
                name=f"{rng.choice(last)} {'MEDICAL GROUP' if i else 'HEALTH PARTNERS'}",
                tax_id=f"{rng.randrange(10, 99)}{rng.randrange(10**7):07d}",
                address=rng.choice(streets),
                city=city,
                state=st,
                zip=f"{zp}{rng.randrange(1000, 10000)}",  # 837I requires the billing provider's ZIP+4
            )
        )
    specs = list(spec_weights)
    weights = [spec_weights[s] for s in specs]
    providers = []
    seen = {o.npi for o in orgs}
    for i in range(n_prov):
        spec = specs[i] if i < len(specs) else rng.choices(specs, weights)[0]
        while True:
            npi = luhn_npi(f"{rng.choice('12')}{rng.randrange(10**8):08d}")
            if npi not in seen:
                seen.add(npi)
                break
        bi = i % n_orgs
        providers.append(
            Provider(
                npi=npi,
                last_name=rng.choice(last),
                first_name=rng.choice(first_f + first_m),
                specialty=spec,
                state=orgs[bi].state,
                billing_index=bi,
                volume_weight=rng.uniform(0.6, 1.4),
            )
        )

    n_patients = max(50, n_claims // 4)
    payer_ids = [p.payer_id for p in PAYERS]
    payer_w = [PAYER_SHARE[p] for p in payer_ids]
    patients = []
    for i in range(n_patients):
        gender = rng.choice("FM")
        pi = rng.choices(range(len(PAYERS)), payer_w)[0]
        payer = PAYERS[pi]
        senior = payer.payer_id in ("MCR01", "MA001")
        age = rng.randint(66, 95) if senior else rng.randint(1, 64)
        dob = date(start.year - age, rng.randint(1, 12), rng.randint(1, 28))
        st, city, zp = rng.choice(STATES)
        mid = f"{rng.randrange(10**9):09d}A" if senior else f"{payer.payer_id[:2]}{rng.randrange(10**9):09d}"
        death = None
        if senior and rng.random() < 0.02:
            death = start + timedelta(days=rng.randrange(30, max(31, (end - start).days - 30)))
        patients.append(
            Patient(
                patient_id=f"P{i + 1:07d}",
                last_name=rng.choice(last),
                first_name=rng.choice(first_f if gender == "F" else first_m),
                birth_date=dob,
                gender=gender,
                address=rng.choice(streets),
                city=city,
                state=st,
                zip=zp,
                payer_index=pi,
                member_id=mid,
                has_supplement=payer.payer_id == "MCR01" and rng.random() < 0.35,
                death_date=death,
            )
        )
    # secondary coverage from its own random stream, so adding it left the rest of every world as it was
    rng2 = random.Random(seed + 131)
    commercial = [i for i, p in enumerate(PAYERS) if p.financial_class == "Commercial"]
    for pat in patients:
        primary = PAYERS[pat.payer_index]
        if pat.has_supplement or primary.payer_id in ("MCD01", "MA001"):
            continue
        if rng2.random() < SECONDARY_COVERAGE_SHARE:
            pat.secondary_payer_index = rng2.choice([i for i in commercial if i != pat.payer_index])
    for code_pool in ICD10_POOLS.values():
        _check_icd10(code_pool)
    for s in specs:
        assert s in SPECIALTIES
    return World(start, end, profile, orgs, providers, patients, PAYERS, SUPPLEMENT)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1) if d.day == 1 else date(d.year + y, m + 1, min(d.day, 28))


_ICD_CHECKED: set[str] = set()


def _check_icd10(codes: list[str]) -> None:
    import simple_icd_10_cm as icd

    for c in codes:
        if c in _ICD_CHECKED:
            continue
        if not (icd.is_valid_item(c) and icd.is_leaf(c)):
            raise ValueError(f"ICD-10-CM code {c} is not a billable code")
        _ICD_CHECKED.add(c)
