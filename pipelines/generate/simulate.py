"""Simulate one month of encounters and the whole life of their claims.

Money is integer cents throughout so every 835 balances exactly.  A claim's life: an 837 (frequency 1)
after a charge lag; the payer's first adjudication after a payer-specific turnaround (paid with CO-45,
CO-253 and PR-1/2/3, fully denied, or partially denied with CARC/RARC drawn from the payer's root-cause
mix); reworked denials resubmitted as frequency 7 with REF*F8 — two in five under a new CLM01, as practice
systems often number a corrected claim — and paid when overturned (a partial denial's first payment is
reversed first); a slow answer makes the office re-send the original, which the payer denies as a duplicate
(CARC 18); reversals with their correction in the same 835 or a later one; voids (frequency 8) answered by a
reversal; Medicare crossovers paid by a supplement; patients with a second plan billed to it by the office
after the primary (SBR01 S, the primary's answer in loop 2320), which pays most of the patient's share — or
nothing, after a primary denial.  Events after the world's end date have not happened yet.

Each claim's life is also kept as a ChainLife: what happened, as the simulation made it happen.  The truth
files are computed from those records (pipelines/generate/truth.py), never from the files or the warehouse.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from pipelines.generate.codes import (
    BASE_RATE,
    DENIAL_CODES,
    EM_FAMILIES,
    EM_HIGH,
    ICD10_POOLS,
    MUE,
    NCCI_PTP,
    OVERTURN_RATE,
    PARTIAL_CAUSES,
    PHYSICIAN_MINUTES,
    REVENUE_CODE,
    SPECIALTIES,
    has_global_period,
)
from pipelines.generate.world import Payer, Provider, World
from pipelines.integrity_rules import (
    DUPLICATE_EXACT,
    DUPLICATE_NEAR,
    EXCLUDED_PROVIDER,
    IMPOSSIBLE_DAY,
    MODIFIER_25_NO_PROCEDURE,
    MUE_EXCESS,
    NCCI_UNBUNDLING,
    SERVICE_AFTER_DEATH,
)

CHARGE_MULTIPLIER = 2.6
UNBILLED_RATE = 0.03
REVERSAL_RATE = 0.012
VOID_RATE = 0.004
FULL_DENIAL_AS_STATUS_4 = 0.4
POST_PAYMENT_DENIAL_RATE = 0.004  # paid claims later reversed and denied on review (recouped)
NEW_ID_SHARE = 0.4  # corrected claims sent under a new CLM01 (REF*F8 = the original's payer claim number)
RESEND_AFTER_DAYS = 30  # no answer after this long: some offices re-send the original ...
RESEND_SHARE = 0.3  # ... this share of the time (the payer denies the copy, CARC 18)
SPLIT_REVERSAL_SHARE = 0.5  # reversals whose correction comes in a later 835
SECONDARY_PAYS_SHARE = 0.8  # second plans that pay the patient's share (less the copay)
SECONDARY_AFTER_DENIAL = 0.5  # offices that bill the second plan after a primary denial anyway
DAY_CAPACITY_MINUTES = 11 * 60  # a provider-day's schedule: below the 12-hour "improbable day" line
# The front end [design rates, docs/x12.md "Acknowledgments"]: the clearinghouse's 999 rejects a whole 837
# file now and then (the office fixes and re-sends it the next business day), and payers' 277CAs reject some
# first claims before adjudication -- mostly registration data -- which the office corrects and re-sends
# under the same claim id within days (the payer never had it, so it is billed as new, frequency 1).
FILE_REJECT_RATE = 0.01
CLAIM_REJECT_RATES = (0.02, 0.03, 0.04, 0.05)  # by payer, in turn: payers differ in their front-end edits
FRONT_END_REASONS = (  # STC01 category:status:entity of a rejection, with its share
    (("A7", "164", "IL"), 0.40),  # the subscriber's member id
    (("A7", "562", "85"), 0.15),  # the billing provider's NPI
    (("A6", "158", "QC"), 0.15),  # the patient's date of birth
    (("A7", "454", None), 0.15),  # a procedure code
    (("A3", "21", None), 0.15),  # missing or invalid information
)
ACCEPTED_STATUS = ("A2", "20", "PR")  # accepted into the payer's adjudication system
# Coding errors in encounters not billed yet: what the pre-bill scrubber must find (truth/coding_errors.csv).
# This share of unbilled encounters carries one error, of a kind the encounter allows [design rate].
CODING_ERROR_RATE = 0.3
CODING_ERRORS = ("ncci_ptp", "mue_units", "modifier_25_without_em", "dx_missing", "icd10_invalid",
                 "icd10_not_billable")  # fmt: skip
_EM_CODES = frozenset(c for codes in EM_FAMILIES.values() for c in codes)
RECOUP_DUPLICATE_SHARE = 0.5  # paid duplicate claims the payer recovers as an overpayment (PLB WO)

# Injected anomaly rates per claim (scaled by --anomaly-scale).
ANOMALY_RATES = {
    NCCI_UNBUNDLING: 0.004,
    MUE_EXCESS: 0.003,
    DUPLICATE_EXACT: 0.003,
    DUPLICATE_NEAR: 0.002,
    SERVICE_AFTER_DEATH: 0.0015,
    IMPOSSIBLE_DAY: 0.0008,  # provider-days per claim
    MODIFIER_25_NO_PROCEDURE: 0.002,  # of claims with an E/M and no procedure
}
_PTP_BY_COL1 = {c1: (c2, ind) for c1, c2, ind in NCCI_PTP}
_PTP_PAIRS = {(c1, c2): ind for c1, c2, ind in NCCI_PTP}


@dataclass(slots=True)
class Line:
    number: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: int  # cents
    dx_pointers: tuple[int, ...]
    revenue_code: str | None = None


@dataclass(slots=True)
class Claim:
    claim_id: str
    encounter_id: str
    claim_type: str  # 837P / 837I
    provider: Provider
    patient_index: int
    payer: Payer
    dos: date
    pos: str
    lines: list[Line]
    diagnoses: list[str]
    submit_date: date

    @property
    def total(self) -> int:
        return sum(ln.charge for ln in self.lines)


@dataclass(slots=True)
class Submission:
    date: date
    claim: Claim
    frequency: str = "1"
    original_ref: str | None = None
    claim_id: str | None = None  # CLM01 when it is not the claim's own: a corrected claim under a new id
    payer: Payer | None = None  # the payer billed (default: the claim's primary payer)
    sequence: str = "P"  # SBR01: P primary, S secondary
    prior: RemitClaim | None = None  # a secondary claim carries the primary's answer (loop 2320)

    @property
    def clm01(self) -> str:
        return self.claim_id or self.claim.claim_id

    @property
    def billed_payer(self) -> Payer:
        return self.payer or self.claim.payer


@dataclass(slots=True)
class RemitLine:
    line: Line
    charge: int
    paid: int
    adjustments: list[tuple[str, str, int]]
    remark: str | None
    allowed: int | None


@dataclass(slots=True)
class RemitClaim:
    date: date
    payer: Payer
    claim: Claim
    status: str
    charge: int
    paid: int
    patient_resp: int
    icn: str
    claim_adjustments: list[tuple[str, str, int]]
    lines: list[RemitLine]
    interest: int = 0  # L6 interest paid at provider level (PLB) for late payment
    clp01: str | None = None  # the claim id answered, when it is not the claim's own (a corrected claim's)
    crossover: Payer | None = None  # NM1*TT: the payer the primary forwarded the claim to

    @property
    def claim_id(self) -> str:
        return self.clp01 or self.claim.claim_id

    def negated(self, when: date) -> RemitClaim:
        """The 5010 reversal: every amount negated, original group codes resent (CLP02 = 22)."""
        return RemitClaim(
            when, self.payer, self.claim, "22", -self.charge, -self.paid, -self.patient_resp, self.icn,
            [(g, r, -a) for g, r, a in self.claim_adjustments],
            [RemitLine(rl.line, -rl.charge, -rl.paid, [(g, r, -a) for g, r, a in rl.adjustments], None, None)
             for rl in self.lines],
            clp01=self.clp01,
        )  # fmt: skip

    def patient_share(self) -> int:
        """Σ CAS PR (claim and line): what this answer assigns the patient."""
        adjs = self.claim_adjustments + [a for rl in self.lines for a in rl.adjustments]
        return sum(a for g, _, a in adjs if g == "PR")


@dataclass(slots=True)
class ChainLife:
    """One claim's life as the simulation made it: what the truth files are computed from."""

    claim: Claim
    # the claim as billed to its primary payer: (date, CLM05-3 frequency)
    primary_submissions: list[tuple[date, str]] = field(default_factory=list)
    # the primary payer's answers, in the order posted: (date, order, kind, provider-liable denied cents,
    # patient share cents, paid cents, crossed over, a denial); kind: decision | reversal | duplicate
    primary_events: list[tuple] = field(default_factory=list)
    claim_ids: set[str] = field(default_factory=set)  # every CLM01 the claim was billed to its payer under
    current_id: str = ""  # the CLM01 of its latest claim to the payer: what a finding on it names
    initial_denied: bool = False
    # what the front end said of the first claim to the primary payer: rejected_999 | rejected_277ca |
    # accepted | None (no verdict by the world's end, or no acknowledgments simulated)
    first_front_end: str | None = None
    crossed_over: bool = False
    front_desk: bool = (
        False  # an encounter the patient came in for (not an injected copy): copays at the desk
    )
    decisions: list[RemitClaim] = field(default_factory=list)  # the primary payer's decisions
    duplicate_denials: list[date] = field(default_factory=list)  # CARC 18 on re-sent copies
    secondary_billed: date | None = None  # the office's 837 to the second plan
    # the second plan's (or the crossover supplement's) answers: (date, order, is_decision, paid cents)
    secondary_events: list[tuple] = field(default_factory=list)
    # the patient's payments (refunds negative) and write-offs: (date, cents, adjustment type)
    patient: list[tuple] = field(default_factory=list)

    @property
    def voided(self) -> bool:
        return bool(self.primary_submissions) and self.primary_submissions[-1][1] == "8"


@dataclass
class MonthResult:
    encounters: list[tuple] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    remits: list[RemitClaim] = field(default_factory=list)
    anomalies: list[tuple] = field(default_factory=list)  # (rule, npi, claim_id, line_number, service_date)
    lives: list[ChainLife] = field(default_factory=list)  # every submitted claim's life, the truth's source
    voided: set[str] = field(default_factory=set)  # claims the provider voided (frequency 8) by the end date
    duplicate_of: dict[str, str] = field(default_factory=dict)  # injected duplicate -> the claim it copies
    # physician minutes of each submitted professional claim: (npi, date of service, minutes)
    claim_minutes: dict[str, tuple[str, date, int]] = field(default_factory=dict)
    # lines repriced below contract: (claim_id, line_number, procedure_code, expected cents, allowed cents)
    underpaid: list[tuple] = field(default_factory=list)
    # overpayments the payer takes back at provider level (PLB WO): (not before, payer, billing org, ICN, cents)
    recoupments: list[tuple] = field(default_factory=list)
    # patient-payments extract rows: (payment_id, patient_id, date, cents, claim_id, encounter_id, method, type)
    patient_rows: list[tuple] = field(default_factory=list)
    payments: list = field(default_factory=list)  # payments.Payment: the 835 transactions, with their PLB
    # 277CA answers: (day, the submission answered, (category, status, entity))
    claim_acks: list[tuple] = field(default_factory=list)
    # coding errors injected into unbilled encounters: (encounter_id, line_number, edit)
    coding_errors: list[tuple] = field(default_factory=list)


def business_day(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def pay_day(payer: Payer, d: date) -> date:
    """Payers pay on their own schedule (Medicare daily EFT, most plans one weekly check run)."""
    while d.weekday() not in payer.pay_weekdays:
        d += timedelta(days=1)
    return d


_DENIAL_CARCS = {carc for codes in DENIAL_CODES.values() for carc, _ in codes}


def is_denial(r: RemitClaim) -> bool:
    """A full or partial denial: any denial-category CAS (provider or patient liable, PR-204 included)."""
    return any(
        c in _DENIAL_CARCS and a > 0
        for _, c, a in r.claim_adjustments + [a for rl in r.lines for a in rl.adjustments]
    )


def provider_liable_denied(r: RemitClaim) -> int:
    """Denial-category CAS dollars in groups CO/OA/PI (provider liable; PR denials go to the patient)."""
    adjs = r.claim_adjustments + [a for rl in r.lines for a in rl.adjustments]
    return sum(a for g, c, a in adjs if c in _DENIAL_CARCS and g != "PR")


class MonthSimulator:
    def __init__(self, world: World, month_start: date, month_end: date, seed: int, id_offset: int,
                 anomaly_scale: float, upcoders: set[str], modifier_abusers: set[str],
                 weekly_batches: bool = False, acknowledgments: bool = False):  # fmt: skip
        self.w = world
        self.acknowledgments = acknowledgments
        # the front end draws from a stream of its own: without acknowledgments the world is unchanged
        self.rng3 = random.Random(seed * 17 + 3)
        # the coding of encounters not billed yet (their diagnoses), likewise on a stream of its own
        self.rng4 = random.Random(seed * 19 + 5)
        self.claim_reject_rate = {p.payer_id: CLAIM_REJECT_RATES[i % len(CLAIM_REJECT_RATES)]
                                  for i, p in enumerate(world.payers)}  # fmt: skip
        self.rng = random.Random(seed)
        # the billing-office and payer behaviours added later draw from their own stream, so the events the
        # first stream drives stay put
        self.rng2 = random.Random(seed * 31 + 7)
        self.seed = seed
        self.posted = 0  # order of posting, for answers on the same day
        self.m0, self.m1 = month_start, month_end
        self.next_id = id_offset
        self.icn_seq = 0
        self.scale = anomaly_scale
        self.upcoders = upcoders
        self.modifier_abusers = modifier_abusers
        self.out = MonthResult()
        self.payer_denial_rate = {p.payer_id: sum(p.denial_band) / 2 for p in world.payers}
        self.denial_phase = {p.payer_id: self.rng.random() for p in world.payers}
        self.weekly_batches = weekly_batches
        cum, acc = [], 0.0
        for p in world.providers:
            acc += p.volume_weight
            cum.append(acc)
        self.cum_weights = cum
        self.deceased = [i for i, p in enumerate(world.patients) if p.death_date]
        # (provider, patient, date of service) already billed this month: an encounter happens once, so the
        # only same-day repeats in the world are the injected duplicates and the truth stays exact.
        self.seen: set[tuple[str, int, date]] = set()  # _visit_key
        # typical physician minutes booked per provider-day (DAY_CAPACITY_MINUTES)
        self.day_minutes: dict[tuple[str, date], int] = {}

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _visit_key(prov: Provider, pi: int, dos: date) -> tuple[str, int, date]:
        """What makes a visit one claim: the rendering provider, patient and day -- for a facility (837I) the
        facility, whichever of its physicians saw the patient (same-day ED revisits are one claim)."""
        who = prov.npi if SPECIALTIES[prov.specialty].claim_type == "837P" else f"org{prov.billing_index}"
        return who, pi, dos

    @staticmethod
    def _physician_minutes(lines: list[Line]) -> int:
        """Typical physician minutes of the lines (the physician-time reference, per unit)."""
        return sum(PHYSICIAN_MINUTES.get(ln.code, 0) * ln.units for ln in lines)

    def _claim_id(self) -> str:
        self.next_id += 1
        return f"RC{self.next_id:09d}"

    def _icn(self, payer: Payer, d: date) -> str:
        self.icn_seq += 1
        return f"{payer.payer_id[:3]}{d:%y%j}{self.next_id:09d}{self.icn_seq:05d}"

    def _dos(self) -> date:
        days = (self.m1 - self.m0).days
        d = self.m0 + timedelta(days=self.rng.randrange(days))
        return d - timedelta(days=2) if d.weekday() == 6 and d - timedelta(days=2) >= self.m0 else d

    def _lines_for(self, prov: Provider, dos: date) -> list[Line]:
        spec = SPECIALTIES[prov.specialty]
        rng = self.rng
        codes: list[tuple[str, tuple[str, ...], int]] = []
        if spec.em_family:
            family = spec.em_family
            levels = list(spec.em_levels)
            if family == "office_est" and rng.random() < spec.new_share:
                family, levels = "office_new", list(spec.new_levels)
            fam_codes = EM_FAMILIES[family]
            if prov.npi in self.upcoders:
                # upcoders bill the top two levels for ~80% of visits
                hi = [i for i, c in enumerate(fam_codes) if c in EM_HIGH]
                levels = [
                    0.8 / len(hi) if i in hi else 0.2 / (len(fam_codes) - len(hi))
                    for i in range(len(fam_codes))
                ]
            codes.append((rng.choices(fam_codes, levels)[0], (), 1))
        for code, p, max_units in spec.procedures:
            if rng.random() < p:
                codes.append((code, (), rng.randint(1, max_units)))
        if not codes:
            code, _, max_units = spec.procedures[0]
            codes.append((code, (), 1))
        # Legitimate billing never leaves an NCCI pair unresolved: modifier 59 when allowed, else drop column 2.
        present = {c for c, _, _ in codes}
        kept = []
        for c, mods, u in codes:
            pair_ind = next((ind for c1 in present if (ind := _PTP_PAIRS.get((c1, c)))), None)
            if pair_ind == "0":
                continue
            if pair_ind == "1":
                mods = ("59",)
            kept.append((c, mods, u))
        codes = kept
        # 25 marks an E/M as separate from a same-day procedure with a global package; labs and X-rays need none
        has_proc = any(has_global_period(c) for c, _, _ in codes)
        if spec.em_family and has_proc:
            rate = 0.95 if prov.npi in self.modifier_abusers else 0.30
            if rng.random() < rate:
                c, mods, u = codes[0]
                codes[0] = (c, ("25", *mods), u)
        lines = []
        for i, (c, mods, u) in enumerate(codes, 1):
            charge = round(BASE_RATE[c] * CHARGE_MULTIPLIER) * 100 * u
            lines.append(Line(i, c, mods, u, charge, (1,), REVENUE_CODE.get(c, "0510") if spec.claim_type == "837I"
                              else None))  # fmt: skip
        return lines

    # ------------------------------------------------------------------ adjudication
    def _allowed(self, payer: Payer, ln: Line, factor: float = 1.0) -> int:
        return min(ln.charge, round(BASE_RATE[ln.code] * payer.rate_factor * factor * 100) * ln.units)

    def _price(self, claim: Claim, payer: Payer, when: date, status: str, factor: float = 1.0,
               denied_lines: dict[int, tuple[str, str, str | None]] | None = None) -> RemitClaim:  # fmt: skip
        """Price every line; denied_lines maps line number -> (group, carc, rarc)."""
        rng = self.rng
        denied_lines = denied_lines or {}
        rls, paid_total, pr_total = [], 0, 0
        deductible_left = 0
        if payer.deductible_share and when.month <= 3 and rng.random() < payer.deductible_share:
            deductible_left = rng.choice((5000, 10000, 20000))
        copay_left = round(payer.copay * 100)
        for ln in claim.lines:
            if ln.number in denied_lines:
                grp, carc, rarc = denied_lines[ln.number]
                rls.append(RemitLine(ln, ln.charge, 0, [(grp, carc, ln.charge)], rarc, None))
                if grp == "PR":
                    pr_total += ln.charge
                continue
            allowed = self._allowed(payer, ln, factor)
            adj = []
            if ln.charge > allowed:
                adj.append(("CO", "45", ln.charge - allowed))
            remaining = allowed
            if deductible_left and remaining:
                d = min(deductible_left, remaining)
                adj.append(("PR", "1", d))
                deductible_left -= d
                remaining -= d
            if payer.coinsurance and remaining:
                c = round(remaining * payer.coinsurance)
                if c:
                    adj.append(("PR", "2", c))
                    remaining -= c
            if copay_left and remaining and ln.code in BASE_RATE and ln.number == 1:
                c = min(copay_left, remaining)
                adj.append(("PR", "3", c))
                copay_left -= c
                remaining -= c
            if payer.payer_id == "MCR01" and remaining:
                seq = round(remaining * 0.02)  # sequestration
                if seq:
                    adj.append(("CO", "253", seq))
                    remaining -= seq
            pr = sum(a for g, _, a in adj if g == "PR")
            pr_total += pr
            paid_total += remaining
            rls.append(RemitLine(ln, ln.charge, remaining, adj, None, allowed))
        return RemitClaim(when, payer, claim, status, claim.total, paid_total, pr_total, self._icn(payer, when), [],
                          rls)  # fmt: skip

    def _first_adjudication(self, claim: Claim, when: date) -> tuple[RemitClaim, str | None, str]:
        """Return (remit, root cause if denied, denial type)."""
        rng, payer = self.rng, claim.payer
        # Systematic sampling with a random phase: each payer's denial rate lands on its configured value
        # (within 1/n) instead of wandering by binomial noise; claims arrive in random order anyway.
        self.denial_phase[payer.payer_id] += self.payer_denial_rate[payer.payer_id]
        if self.denial_phase[payer.payer_id] < 1.0:
            return self._price(claim, payer, when, "1"), None, "none"
        self.denial_phase[payer.payer_id] -= 1.0
        cause = rng.choices(list(payer.root_cause_mix), list(payer.root_cause_mix.values()))[0]
        carc, rarc = rng.choice(DENIAL_CODES[cause])
        grp = "PR" if carc == "204" else "CO"
        if cause in PARTIAL_CAUSES and len(claim.lines) > 1 and rng.random() < 0.7:
            target = claim.lines[-1].number
            return (
                self._price(claim, payer, when, "1", denied_lines={target: (grp, carc, rarc)}),
                cause,
                "partial",
            )
        if rng.random() < FULL_DENIAL_AS_STATUS_4:
            rc = RemitClaim(when, payer, claim, "4", claim.total, 0, claim.total if grp == "PR" else 0,
                            self._icn(payer, when), [(grp, carc, claim.total)], [])  # fmt: skip
            return rc, cause, "full"
        denied = {ln.number: (grp, carc, rarc) for ln in claim.lines}
        return self._price(claim, payer, when, "1", denied_lines=denied), cause, "full"

    def _turnaround(self, payer: Payer, after: date) -> date:
        days = max(3, round(self.rng.lognormvariate(0, 0.35) * payer.days_to_pay_median))
        return pay_day(payer, after + timedelta(days=days))

    def _batch_day(self, d: date) -> date:
        """837 batches go out every business day, or every Monday with weekly batching."""
        if self.weekly_batches:
            d += timedelta(days=(7 - d.weekday()) % 7)
        return business_day(d)

    def file_rejected(self, d: date, payer_id: str, claim_type: str) -> bool:
        """Whether the 999 rejects this month's 837 file of that day, payer and claim type (the writer's file):
        a pure function of the file, so the simulation and the writer agree without sharing state."""
        if not self.acknowledgments:
            return False
        key = f"{self.seed}|{d:%Y%m%d}|{payer_id}|{claim_type}".encode()
        return zlib.crc32(key) / 2**32 < FILE_REJECT_RATE

    # ------------------------------------------------------------------ one claim's life
    def _record(self, life: ChainLife, sub: Submission) -> None:
        self.out.submissions.append(sub)
        if sub.sequence == "P":
            life.primary_submissions.append((sub.date, sub.frequency))
            life.claim_ids.add(sub.clm01)
            life.current_id = sub.clm01
        else:
            life.secondary_billed = life.secondary_billed or sub.date

    def _submit(self, life: ChainLife, sub: Submission, screened: bool = False) -> date | None:
        """Send a claim through the front end: the day the payer took it into adjudication, or None when it
        has not by the world's end.  A file the 999 rejects is re-sent the next business day; a `screened`
        claim (the first original to the primary payer) may be rejected by the payer's 277CA, corrected and
        re-sent under its id.  Every copy sent is an 837 submission."""
        end, first = self.w.end, not life.primary_submissions and sub.sequence == "P"
        while True:
            self._record(life, sub)
            if not self.acknowledgments:
                return sub.date
            if self.file_rejected(sub.date, sub.billed_payer.payer_id, sub.claim.claim_type):
                life.first_front_end = "rejected_999" if first else life.first_front_end
            else:
                ack_day = business_day(sub.date + timedelta(days=1))
                if ack_day >= end:
                    return None  # the payer's answer, whatever it is, comes after the world ends
                rejected = screened and self.rng3.random() < self.claim_reject_rate[sub.billed_payer.payer_id]
                reasons, weights = zip(*FRONT_END_REASONS, strict=True)
                status = self.rng3.choices(reasons, weights)[0] if rejected else ACCEPTED_STATUS
                self.out.claim_acks.append((ack_day, sub, status))
                if first:
                    life.first_front_end = "rejected_277ca" if rejected else "accepted"
                if not rejected:
                    return sub.date
                screened = False
                sub = replace(sub, date=self._batch_day(ack_day + timedelta(days=self.rng3.randint(1, 7))))
                first = False
                if sub.date >= end:
                    return None
                continue
            first = False
            sub = replace(sub, date=self._batch_day(sub.date + timedelta(days=1)))
            if sub.date >= end:
                return None

    def _post(self, life: ChainLife, r: RemitClaim, kind: str) -> None:
        """Post an 835 answer; kind: decision | reversal | duplicate (primary) or secondary."""
        self.out.remits.append(r)
        self.posted += 1
        if kind == "secondary":
            life.secondary_events.append((r.date, self.posted, r.status != "22", r.paid))
            return
        decision = kind == "decision"
        denied = provider_liable_denied(r) if decision else 0
        share = r.patient_share() if decision else 0
        paid = r.paid if kind != "duplicate" else 0
        life.primary_events.append((r.date, self.posted, kind, denied, share, paid, r.crossover is not None,
                                    decision and is_denial(r)))  # fmt: skip
        if kind == "duplicate":
            life.duplicate_denials.append(r.date)

    def _decide(self, life: ChainLife, r: RemitClaim) -> None:
        """Post a primary decision; a paid one is crossed over to a Medigap supplement (once), and the office
        bills a second plan after the primary has answered."""
        claim, rng = life.claim, self.rng2
        end = self.w.end
        pat = self.w.patients[claim.patient_index]
        share = r.patient_share()
        cross = pat.has_supplement and r.paid > 0 and share > 0 and not life.crossed_over
        if cross:
            r.status, r.crossover = "19", self.w.supplement
            life.crossed_over = True
        self._post(life, r, "decision")
        life.decisions.append(r)
        if cross:
            # the supplement pays the Medicare coinsurance; the deductible and any copay stay with the patient
            sup = self.w.supplement
            when = pay_day(sup, r.date + timedelta(days=rng.randint(10, 30)))
            coins = sum(a for rl in r.lines for g, c, a in rl.adjustments if (g, c) == ("PR", "2"))
            if when < end:
                self._post(life, RemitClaim(when, sup, claim, "2", claim.total, coins, 0, self._icn(sup, when),
                                            [("OA", "23", claim.total - coins)], [], clp01=r.clp01), "secondary")  # fmt: skip
            return
        if pat.secondary_payer_index is None or life.secondary_billed is not None or r.status == "22":
            return
        denied = provider_liable_denied(r) > 0
        if (not denied and share <= 0) or (denied and rng.random() >= SECONDARY_AFTER_DENIAL):
            return
        sec = self.w.payers[pat.secondary_payer_index]
        sb = self._batch_day(r.date + timedelta(days=rng.randint(3, 15)))
        if sb >= end:
            return
        sb = self._submit(
            life, Submission(sb, claim, "1", None, claim_id=r.clp01, payer=sec, sequence="S", prior=r)
        )
        if sb is None:
            return
        when = self._turnaround(sec, sb)
        if when >= end:
            return
        # a second plan pays what the primary left to the patient, less the copay (most of the time): never
        # anything after a primary denial (the patient's own plan decides what is covered)
        pays = (
            0
            if denied or rng.random() >= SECONDARY_PAYS_SHARE
            else share - sum(a for rl in r.lines for g, c, a in rl.adjustments if (g, c) == ("PR", "3"))
        )
        pays = max(pays, 0)
        self._post(life, RemitClaim(when, sec, claim, "2", claim.total, pays, 0, self._icn(sec, when),
                                    [("OA", "23", claim.total - pays)], [], clp01=r.clp01), "secondary")  # fmt: skip

    def _reverse(self, life: ChainLife, r: RemitClaim, when: date) -> None:
        self._post(life, r.negated(when), "reversal")

    def _life(self, claim: Claim, resend: bool = True) -> bool:
        """Simulate a claim from its first submission; False if it is not even submitted by the end date.
        resend=False for the injected extra claims: each is one anomaly, never two."""
        end = self.w.end
        rng, rng2, out = self.rng, self.rng2, self.out
        if claim.submit_date >= end:
            return False
        life = ChainLife(claim)
        out.lives.append(life)
        sent = self._submit(life, Submission(claim.submit_date, claim), screened=True)
        if claim.claim_type == "837P":
            minutes = self._physician_minutes(claim.lines)
            out.claim_minutes[claim.claim_id] = (claim.provider.npi, claim.dos, minutes)
        if sent is None:
            return True
        a1 = self._turnaround(claim.payer, sent)
        # a slow payer: the office re-sends the original, which the payer denies as a duplicate (CARC 18).  A
        # follow-up of an unanswered claim, not a compliance finding: nothing goes into the anomaly truth.
        again = self._batch_day(sent + timedelta(days=RESEND_AFTER_DAYS))
        if resend and again < min(a1, end) and rng2.random() < RESEND_SHARE:
            again = self._submit(life, Submission(again, claim)) or end
            dup_day = max(self._turnaround(claim.payer, again), pay_day(claim.payer, a1 + timedelta(days=1)))
            if dup_day < end:
                self._post(life, RemitClaim(dup_day, claim.payer, claim, "4", claim.total, 0, 0,
                                            self._icn(claim.payer, dup_day), [("CO", "18", claim.total)], []),
                           "duplicate")  # fmt: skip
        if a1 >= end:
            return True
        r1, cause, dtype = self._first_adjudication(claim, a1)
        if (a1 - claim.submit_date).days > 30 and r1.paid > 0:
            r1.interest = max(1, round(r1.paid * 0.005))
        life.initial_denied = dtype != "none"
        self._decide(life, r1)
        if life.initial_denied:
            if rng.random() < OVERTURN_RATE[cause]:
                s2 = self._batch_day(a1 + timedelta(days=rng.randint(7, 40)))
                if s2 < end:
                    # practice systems often number a corrected claim anew; REF*F8 carries the payer's ICN
                    new_id = self._claim_id() if rng2.random() < NEW_ID_SHARE else None
                    s2 = self._submit(life, Submission(s2, claim, "7", r1.icn, claim_id=new_id))
                    a2 = self._turnaround(claim.payer, s2) if s2 is not None else end
                    if a2 < end:
                        if r1.paid:
                            self._reverse(life, r1, a2)
                        r2 = self._price(claim, claim.payer, a2, "1")
                        r2.clp01 = new_id
                        self._decide(life, r2)
            return True
        roll = rng.random()
        if roll < REVERSAL_RATE and r1.paid > 0:
            when = pay_day(claim.payer, a1 + timedelta(days=rng.randint(20, 60)))
            if when < end:
                self._reverse(life, r1, when)
                # the correction comes back 5% under contract (the world's underpayments), in the same 835 or,
                # half the time, a later one: the reversal alone can leave that day's 835 owing money
                again = when
                if rng2.random() < SPLIT_REVERSAL_SHARE:
                    again = pay_day(claim.payer, when + timedelta(days=rng2.randint(5, 20)))
                if again < end:
                    corrected = self._price(claim, claim.payer, again, "1", factor=0.95)
                    self._decide(life, corrected)
                    for rl in corrected.lines:
                        if rl.allowed is not None:
                            expected = self._allowed(claim.payer, rl.line)
                            out.underpaid.append((claim.claim_id, rl.line.number, rl.line.code, expected,
                                                  rl.allowed))  # fmt: skip
        elif roll < REVERSAL_RATE + VOID_RATE and r1.paid > 0:
            sv = self._batch_day(a1 + timedelta(days=rng.randint(10, 30)))
            if sv < end:
                sv = self._submit(life, Submission(sv, claim, "8", r1.icn))
                out.voided.add(claim.claim_id)
                av = self._turnaround(claim.payer, sv) if sv is not None else end
                if av < end:
                    self._reverse(life, r1, av)
        elif roll < REVERSAL_RATE + VOID_RATE + POST_PAYMENT_DENIAL_RATE and r1.paid > 0:
            # a post-payment review: the payment is reversed and the claim re-adjudicated as denied; the money
            # comes back out of the payer's next payments (PLB forward balance)
            when = pay_day(claim.payer, a1 + timedelta(days=rng2.randint(45, 120)))
            if when < end:
                self._reverse(life, r1, when)
                carc, _rarc = rng2.choice(DENIAL_CODES["MEDICAL_NECESSITY"])
                self._decide(life, RemitClaim(when, claim.payer, claim, "4", claim.total, 0, 0,
                                              self._icn(claim.payer, when), [("CO", carc, claim.total)], []))  # fmt: skip
        return True

    # ------------------------------------------------------------------ the month
    def run(self, n_claims: int) -> MonthResult:
        rng, w, out = self.rng, self.w, self.out
        billed = e = 0
        while billed < n_claims:
            e += 1
            prov = rng.choices(w.providers, cum_weights=self.cum_weights)[0]
            pi = rng.randrange(len(w.patients))
            pat = w.patients[pi]
            dos = self._dos()
            if pat.death_date and dos > pat.death_date:
                continue  # the living only, unless an anomaly says otherwise
            visit = self._visit_key(prov, pi, dos)
            if visit in self.seen:
                continue
            lines = self._lines_for(prov, dos)
            # a physician's day has room for so many visits: past ~12 hours of typical physician time the
            # schedule is full and the patient is seen another day (only injected busy days go beyond)
            minutes = self.day_minutes.get((prov.npi, dos), 0) + self._physician_minutes(lines)
            if minutes > DAY_CAPACITY_MINUTES:
                continue
            self.day_minutes[(prov.npi, dos)] = minutes
            self.seen.add(visit)
            enc_id = f"E{self.next_id + 1:09d}-{e:05d}"
            bill = rng.random() >= UNBILLED_RATE
            claim = None
            if bill:
                billed += 1
                # the claim's own copy of the lines: injected anomalies change the claim as billed, and an
                # encounter whose claim never went out keeps its lines as coded
                claim = self._make_claim(prov, pi, dos, [replace(ln) for ln in lines], enc_id)
                self._anomalies(claim)
                if self._life(claim):
                    out.lives[-1].front_desk = True
                else:
                    claim = None  # not submitted by the end date: the encounter is still unbilled
            self._encounter_rows(enc_id, prov, pat, dos, claim.lines if claim else lines, claim)
        # A voided claim is no longer billed: nothing on it is a finding, and a copy of it is no duplicate.
        out.anomalies = [
            a for a in out.anomalies
            if a[2] not in out.voided and out.duplicate_of.get(a[2]) not in out.voided
        ]  # fmt: skip
        # Impossible days are whatever provider-days end up above 24 h of billed physician time (voided
        # claims and duplicate copies do not count): injected busy days, minus visits not yet billed.
        day_minutes: dict[tuple[str, date], int] = {}
        for claim_id, (npi, dos, minutes) in out.claim_minutes.items():
            if claim_id not in out.voided and claim_id not in out.duplicate_of:
                day_minutes[(npi, dos)] = day_minutes.get((npi, dos), 0) + minutes
        out.anomalies += [
            (IMPOSSIBLE_DAY, npi, None, None, dos)
            for (npi, dos), m in sorted(day_minutes.items())
            if m > 24 * 60
        ]
        # a finding names the claim as billed now: a correction under a new CLM01 carries the lead
        current = {life.claim.claim_id: life.current_id for life in out.lives}
        out.anomalies = [
            (rule, npi, current.get(c, c) if c else c, ln, d) for rule, npi, c, ln, d in out.anomalies
        ]
        from pipelines.generate.patients import PatientStream
        from pipelines.generate.payments import plan_payments

        # payment ids are unique per run: a month split into spans of days names each span by its first day
        PatientStream(self.w, self.seed, f"{self.m0:%y%m}" if self.m0.day == 1 else f"{self.m0:%y%m%d}").run(
            out
        )
        out.payments = plan_payments(out.remits, out.recoupments)
        return out

    def _make_claim(self, prov: Provider, pi: int, dos: date, lines: list[Line], enc_id: str) -> Claim:
        pat = self.w.patients[pi]
        spec = SPECIALTIES[prov.specialty]
        pool = ICD10_POOLS[spec.dx_pool]
        dx = self.rng.sample(pool, k=min(len(pool), self.rng.randint(1, 3)))
        lag = min(30, max(0, round(self.rng.gammavariate(2.0, 1.6))))
        return Claim(self._claim_id(), enc_id, spec.claim_type, prov, pi, self.w.payers[pat.payer_index], dos,
                     spec.pos, lines, dx, self._batch_day(dos + timedelta(days=lag)))  # fmt: skip

    def _encounter_rows(self, enc_id, prov, pat, dos, lines, claim) -> None:
        org = self.w.billing_orgs[prov.billing_index]
        payer = self.w.payers[pat.payer_index]
        if claim is not None:
            codes = claim.diagnoses
        else:  # coded, not billed yet: the coder's diagnoses, from the specialty's pool as a claim's would be
            pool = ICD10_POOLS[SPECIALTIES[prov.specialty].dx_pool]
            codes = self.rng4.sample(pool, k=min(len(pool), self.rng4.randint(1, 3)))
            if self.rng4.random() < CODING_ERROR_RATE:
                lines, codes = self._coding_error(enc_id, lines, codes)
        dx = ";".join(f"{c[:3]}.{c[3:]}" if len(c) > 3 else c for c in codes)
        for ln in lines:
            self.out.encounters.append(
                (
                    enc_id,
                    ln.number,
                    pat.patient_id,
                    dos.isoformat(),
                    prov.npi,
                    org.npi,
                    f"LOC-{org.state}-{org.zip}",
                    payer.payer_id,
                    SPECIALTIES[prov.specialty].pos,
                    ln.code,
                    ",".join(ln.modifiers),
                    ln.units,
                    f"{ln.charge / 100:.2f}",
                    dx,
                    claim.claim_id if claim else "",
                )
            )

    def _coding_error(self, enc_id: str, lines: list[Line], codes: list[str]) -> tuple[list[Line], list[str]]:
        """One coding error of a kind this encounter allows, recorded in the truth with the line it is on (a
        diagnosis error on the first line: the diagnoses belong to the encounter)."""
        import simple_icd_10_cm as icd

        rng, first = self.rng4, lines[0].number
        present = {ln.code for ln in lines}
        # a column-1 code whose column-2 code is not on the encounter yet: the added line breaks that edit alone
        col1 = [ln for ln in lines if ln.code in _PTP_BY_COL1 and _PTP_BY_COL1[ln.code][1] in ("0", "1")
                and _PTP_BY_COL1[ln.code][0] not in present]  # fmt: skip
        mue = [ln for ln in lines if ln.code in MUE]
        non_em = [ln for ln in lines if ln.code not in _EM_CODES and "25" not in ln.modifiers]
        categories = [
            c[:3] for c in codes if len(c) > 3 and icd.is_valid_item(c[:3]) and not icd.is_leaf(c[:3])
        ]
        allowed = [k for k, ok in (("ncci_ptp", col1), ("mue_units", mue), ("modifier_25_without_em", non_em),
                                   ("dx_missing", True), ("icd10_invalid", True),
                                   ("icd10_not_billable", categories)) if ok]  # fmt: skip
        kind = rng.choice(allowed)
        errors = self.out.coding_errors
        if kind == "ncci_ptp":  # the column-2 code added beside its column-1 code, no modifier
            ln = rng.choice(col1)
            code = _PTP_BY_COL1[ln.code][0]
            new = Line(max(x.number for x in lines) + 1, code, (), 1,
                       round(BASE_RATE.get(code, 40.0) * CHARGE_MULTIPLIER * 100), (1,))  # fmt: skip
            errors.append((enc_id, new.number, kind))
            return [*lines, new], codes
        if kind == "mue_units":
            ln = rng.choice(mue)
            errors.append((enc_id, ln.number, kind))
            return [replace(x, units=MUE[x.code][0] + 1) if x is ln else x for x in lines], codes
        if kind == "modifier_25_without_em":
            ln = rng.choice(non_em)
            errors.append((enc_id, ln.number, kind))
            return [replace(x, modifiers=(*x.modifiers, "25")) if x is ln else x for x in lines], codes
        if kind == "dx_missing":
            errors.extend((enc_id, ln.number, kind) for ln in lines)
            return lines, []
        errors.append((enc_id, first, kind))
        if kind == "icd10_not_billable":  # the category where a code below it belongs
            return lines, [rng.choice(categories), *codes[1:]]
        invalid = next(c[:3] + suffix for c in codes for suffix in ("X9X", "ZZ9", "9Z9")
                       if not icd.is_valid_item(c[:3] + suffix))  # fmt: skip
        return lines, [invalid, *codes[1:]]

    # ------------------------------------------------------------------ injected billing-integrity anomalies
    def _extra_claim(self, claim: Claim) -> bool:
        """Submit a claim an anomaly adds (duplicate, ghost, busy day); an excluded provider's is listed too."""
        if not self._life(claim, resend=False):
            return False
        p = claim.provider
        if p.excluded_on and claim.dos >= p.excluded_on:
            self.out.anomalies.append((EXCLUDED_PROVIDER, p.npi, claim.claim_id, None, claim.dos))
        return True

    @staticmethod
    def _conflicts(code: str, codes: set[str]) -> bool:
        """Would adding `code` create an NCCI pair or a repeat with what the claim already has?"""
        return code in codes or any((code, c) in _PTP_PAIRS or (c, code) in _PTP_PAIRS for c in codes)

    def _anomalies(self, claim: Claim) -> None:
        rng, s, out = self.rng, self.scale, self.out
        npi = claim.provider.npi
        submitted = claim.submit_date < self.w.end  # truth only lists what reaches the payer by the end date
        if submitted and claim.provider.excluded_on and claim.dos >= claim.provider.excluded_on:
            out.anomalies.append((EXCLUDED_PROVIDER, npi, claim.claim_id, None, claim.dos))
        # Injected lines never collide with codes already billed, so each one breaks exactly one rule.
        if rng.random() < ANOMALY_RATES[NCCI_UNBUNDLING] * s:
            present = {ln.code for ln in claim.lines}
            pairs = [(c1, c2) for c1, (c2, _ind) in _PTP_BY_COL1.items()
                     if not self._conflicts(c1, present) and not self._conflicts(c2, present)]  # fmt: skip
            if pairs:
                c1, c2 = rng.choice(pairs)
                n = len(claim.lines)
                claim.lines.append(
                    Line(n + 1, c1, (), 1, round(BASE_RATE[c1] * CHARGE_MULTIPLIER) * 100, (1,))
                )
                claim.lines.append(
                    Line(n + 2, c2, (), 1, round(BASE_RATE[c2] * CHARGE_MULTIPLIER) * 100, (1,))
                )
                if submitted:
                    out.anomalies.append((NCCI_UNBUNDLING, npi, claim.claim_id, n + 2, claim.dos))
        present = {ln.code for ln in claim.lines}
        mue_codes = [c for c in sorted(MUE) if not self._conflicts(c, present)]
        if rng.random() < ANOMALY_RATES[MUE_EXCESS] * s and mue_codes:
            code = rng.choice(mue_codes)
            mue = MUE[code][0]
            units = mue + rng.randint(1, 3)
            n = len(claim.lines)
            claim.lines.append(Line(n + 1, code, (), units, round(BASE_RATE[code] * CHARGE_MULTIPLIER) * 100 * units,
                                    (1,)))  # fmt: skip
            if submitted:
                out.anomalies.append((MUE_EXCESS, npi, claim.claim_id, n + 1, claim.dos))
        if rng.random() < ANOMALY_RATES[MODIFIER_25_NO_PROCEDURE] * s:
            fam = SPECIALTIES[claim.provider.specialty].em_family
            em_codes = set(EM_FAMILIES[fam]) if fam else set()
            em_lines = [ln for ln in claim.lines if ln.code in em_codes and "25" not in ln.modifiers]
            if em_lines and not any(has_global_period(ln.code) for ln in claim.lines):
                ln = em_lines[0]
                ln.modifiers = ("25", *ln.modifiers)
                if submitted:
                    out.anomalies.append(
                        (MODIFIER_25_NO_PROCEDURE, npi, claim.claim_id, ln.number, claim.dos)
                    )
        for rule in (DUPLICATE_EXACT, DUPLICATE_NEAR):
            if rng.random() < ANOMALY_RATES[rule] * s:
                lines = [Line(ln.number, ln.code, ln.modifiers, ln.units, ln.charge, ln.dx_pointers, ln.revenue_code)
                         for ln in claim.lines]  # fmt: skip
                if rule == DUPLICATE_NEAR:  # one line's charge differs; the others are still exact copies
                    lines[0].charge += rng.choice((-1, 1)) * rng.randint(1, 20) * 100
                dup = Claim(self._claim_id(), claim.encounter_id, claim.claim_type, claim.provider,
                            claim.patient_index, claim.payer, claim.dos, claim.pos, lines, list(claim.diagnoses),
                            self._batch_day(claim.submit_date + timedelta(days=rng.randint(3, 20))))  # fmt: skip
                if self._extra_claim(dup):
                    out.duplicate_of[dup.claim_id] = claim.claim_id
                    paid = [r for r in out.lives[-1].decisions if r.paid > 0]
                    if paid and self.rng2.random() < RECOUP_DUPLICATE_SHARE:
                        r = paid[0]
                        out.recoupments.append((r.date + timedelta(days=self.rng2.randint(30, 90)), r.payer,
                                                claim.provider.billing_index, r.icn, r.paid))  # fmt: skip
                    for ln in lines:
                        kind = (
                            DUPLICATE_NEAR if rule == DUPLICATE_NEAR and ln.number == 1 else DUPLICATE_EXACT
                        )
                        out.anomalies.append((kind, npi, dup.claim_id, ln.number, dup.dos))
        if rng.random() < ANOMALY_RATES[SERVICE_AFTER_DEATH] * s:
            dead = [i for i in self.deceased if self.w.patients[i].death_date < self.m1]
            if dead:
                pi = rng.choice(dead)
                dos = self.w.patients[pi].death_date + timedelta(days=rng.randint(1, 45))
                if dos < self.w.end and self._visit_key(claim.provider, pi, dos) not in self.seen:
                    self.seen.add(self._visit_key(claim.provider, pi, dos))
                    ghost = self._make_claim(claim.provider, pi, dos, self._lines_for(claim.provider, dos),
                                             f"E-ghost-{claim.claim_id}")  # fmt: skip
                    if self._extra_claim(ghost):
                        out.anomalies.append((SERVICE_AFTER_DEATH, npi, ghost.claim_id, None, dos))
        spec = SPECIALTIES[claim.provider.specialty]
        # professional claims only: facility (837I) lines carry no physician time of their own
        if rng.random() < ANOMALY_RATES[IMPOSSIBLE_DAY] * s and spec.em_family and spec.claim_type == "837P":
            # one provider-day with > 24 h of physician time: 30 long established-patient visits
            fam = EM_FAMILIES[SPECIALTIES[claim.provider.specialty].em_family]
            top = fam[-1]
            minutes = 0
            while minutes <= 24 * 60 + 60:
                pi = rng.randrange(len(self.w.patients))
                if self.w.patients[pi].death_date and self.w.patients[pi].death_date < claim.dos:
                    continue
                if self._visit_key(claim.provider, pi, claim.dos) in self.seen:
                    continue
                self.seen.add(self._visit_key(claim.provider, pi, claim.dos))
                ln = Line(1, top, (), 1, round(BASE_RATE[top] * CHARGE_MULTIPLIER) * 100, (1,))
                c = self._make_claim(claim.provider, pi, claim.dos, [ln], f"E-busy-{claim.claim_id}")
                minutes += PHYSICIAN_MINUTES[top]
                self._extra_claim(c)  # truth for the day is settled at the end of the month (run)
