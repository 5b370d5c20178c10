"""Simulate one month of encounters and the whole life of their claims.

Money is integer cents throughout so every 835 balances exactly.  A claim's life: an 837 (frequency 1)
after a charge lag; the payer's first adjudication after a payer-specific turnaround (paid with CO-45,
CO-253 and PR-1/2/3, fully denied, or partially denied with CARC/RARC drawn from the payer's root-cause
mix); reworked denials resubmitted as frequency 7 with REF*F8 and paid when overturned (a partial
denial's first payment is reversed first); occasional reversal + correction in one 835; voids
(frequency 8) answered by a reversal; Medicare crossovers paid by a supplement as secondary.
Events after the world's end date have not happened yet (the claim stays in A/R).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
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
)
from pipelines.generate.world import Payer, Provider, World
from pipelines.integrity_rules import (
    DUPLICATE_EXACT,
    DUPLICATE_NEAR,
    EXCLUDED_PROVIDER,
    IMPOSSIBLE_DAY,
    MUE_EXCESS,
    NCCI_UNBUNDLING,
    SERVICE_AFTER_DEATH,
)

CHARGE_MULTIPLIER = 2.6
UNBILLED_RATE = 0.03
REVERSAL_RATE = 0.012
VOID_RATE = 0.004
FULL_DENIAL_AS_STATUS_4 = 0.4

# Injected anomaly rates per claim (scaled by --anomaly-scale).
ANOMALY_RATES = {
    NCCI_UNBUNDLING: 0.004,
    MUE_EXCESS: 0.003,
    DUPLICATE_EXACT: 0.003,
    DUPLICATE_NEAR: 0.002,
    SERVICE_AFTER_DEATH: 0.0015,
    IMPOSSIBLE_DAY: 0.0004,  # provider-days per claim
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

    def negated(self, when: date) -> RemitClaim:
        """The 5010 reversal: every amount negated, original group codes resent (CLP02 = 22)."""
        return RemitClaim(
            when, self.payer, self.claim, "22", -self.charge, -self.paid, -self.patient_resp, self.icn,
            [(g, r, -a) for g, r, a in self.claim_adjustments],
            [RemitLine(rl.line, -rl.charge, -rl.paid, [(g, r, -a) for g, r, a in rl.adjustments], None, None)
             for rl in self.lines],
        )  # fmt: skip


@dataclass
class MonthResult:
    encounters: list[tuple] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    remits: list[RemitClaim] = field(default_factory=list)
    anomalies: list[tuple] = field(default_factory=list)  # (rule, npi, claim_id, line_number, service_date)
    # ground truth per claim: (payer_id, first_adjudication_date, initially_denied, ar_balance, dos)
    chains: list[tuple] = field(default_factory=list)
    voided: set[str] = field(default_factory=set)  # claims the provider voided (frequency 8) by the end date
    duplicate_of: dict[str, str] = field(default_factory=dict)  # injected duplicate -> the claim it copies
    # physician minutes of each submitted professional claim: (npi, date of service, minutes)
    claim_minutes: dict[str, tuple[str, date, int]] = field(default_factory=dict)
    # lines repriced below contract: (claim_id, line_number, procedure_code, expected cents, allowed cents)
    underpaid: list[tuple] = field(default_factory=list)


AR_DENIAL_OPEN_DAYS = 120


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


def provider_liable_denied(r: RemitClaim) -> int:
    """Denial-category CAS dollars in groups CO/OA/PI (provider liable; PR denials go to the patient)."""
    adjs = r.claim_adjustments + [a for rl in r.lines for a in rl.adjustments]
    return sum(a for g, c, a in adjs if c in _DENIAL_CARCS and g != "PR")


class MonthSimulator:
    def __init__(self, world: World, month_start: date, month_end: date, seed: int, id_offset: int,
                 anomaly_scale: float, upcoders: set[str], modifier_abusers: set[str],
                 weekly_batches: bool = False):  # fmt: skip
        self.w = world
        self.rng = random.Random(seed)
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
        self.seen: set[tuple[str, int, date]] = set()

    # ------------------------------------------------------------------ helpers
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
        has_proc = len(codes) > 1
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
            status = "19" if self.w.patients[claim.patient_index].has_supplement else "1"
            return self._price(claim, payer, when, status), None, "none"
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

    # ------------------------------------------------------------------ one claim's life
    def _life(self, claim: Claim) -> bool:
        """Simulate a claim from its first submission; False if it is not even submitted by the end date."""
        end = self.w.end
        rng, out = self.rng, self.out
        if claim.submit_date >= end:
            return False
        out.submissions.append(Submission(claim.submit_date, claim))
        if claim.claim_type == "837P":
            minutes = sum(PHYSICIAN_MINUTES.get(ln.code, 0) * ln.units for ln in claim.lines)
            out.claim_minutes[claim.claim_id] = (claim.provider.npi, claim.dos, minutes)
        a1 = self._turnaround(claim.payer, claim.submit_date)
        if a1 >= end:
            out.chains.append((claim.payer.payer_id, None, False, claim.total, claim.dos, claim.claim_id))
            return True
        r1, cause, dtype = self._first_adjudication(claim, a1)
        if (a1 - claim.submit_date).days > 30 and r1.paid > 0:
            r1.interest = max(1, round(r1.paid * 0.005))
        out.remits.append(r1)
        denied = dtype != "none"
        balance = 0  # insurance A/R as of the end date (see truth.py for the definition)
        if denied:
            denied_amt = provider_liable_denied(r1)
            pending_rework = False
            if rng.random() < OVERTURN_RATE[cause]:
                s2 = self._batch_day(a1 + timedelta(days=rng.randint(7, 40)))
                if s2 < end:
                    out.submissions.append(Submission(s2, claim, "7", r1.icn))
                    a2 = self._turnaround(claim.payer, s2)
                    if a2 < end:
                        if r1.paid:
                            out.remits.append(r1.negated(a2))
                        out.remits.append(self._price(claim, claim.payer, a2, "1"))
                        denied_amt = 0
                    else:
                        pending_rework = True
            # A denial with no rework is written off (chain closed) 120 days after it.
            if denied_amt and (pending_rework or (end - a1).days <= AR_DENIAL_OPEN_DAYS):
                balance = denied_amt
        else:
            roll = rng.random()
            if roll < REVERSAL_RATE and r1.paid > 0:
                when = pay_day(claim.payer, a1 + timedelta(days=rng.randint(20, 60)))
                if when < end:
                    out.remits.append(r1.negated(when))
                    # the corrected payment comes back 5% under contract: the world's underpayments
                    corrected = self._price(claim, claim.payer, when, "1", factor=0.95)
                    out.remits.append(corrected)
                    for rl in corrected.lines:
                        if rl.allowed is not None:
                            expected = self._allowed(claim.payer, rl.line)
                            out.underpaid.append((claim.claim_id, rl.line.number, rl.line.code, expected,
                                                  rl.allowed))  # fmt: skip
            elif roll < REVERSAL_RATE + VOID_RATE and r1.paid > 0:
                sv = self._batch_day(a1 + timedelta(days=rng.randint(10, 30)))
                if sv < end:
                    out.submissions.append(Submission(sv, claim, "8", r1.icn))
                    out.voided.add(claim.claim_id)
                    av = self._turnaround(claim.payer, sv)
                    if av < end:
                        out.remits.append(r1.negated(av))
            if r1.status == "19":
                coins = sum(a for rl in r1.lines for g, c, a in rl.adjustments if (g, c) == ("PR", "2"))
                sup = self.w.supplement
                when = pay_day(sup, a1 + timedelta(days=rng.randint(10, 30)))
                if coins and when < end:
                    out.remits.append(RemitClaim(when, sup, claim, "2", claim.total, coins, 0, self._icn(sup, when),
                                                 [("OA", "23", claim.total - coins)], []))  # fmt: skip
        out.chains.append((claim.payer.payer_id, a1, denied, balance, claim.dos, claim.claim_id))
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
            if (prov.npi, pi, dos) in self.seen:
                continue
            self.seen.add((prov.npi, pi, dos))
            enc_id = f"E{self.next_id + 1:09d}-{e:05d}"
            lines = self._lines_for(prov, dos)
            bill = rng.random() >= UNBILLED_RATE
            claim = None
            if bill:
                billed += 1
                claim = self._make_claim(prov, pi, dos, lines, enc_id)
                self._anomalies(claim)
                if not self._life(claim):
                    claim = None  # not submitted by the end date: the encounter is still unbilled
            self._encounter_rows(enc_id, prov, pat, dos, lines, claim)
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
        dx = ";".join(f"{c[:3]}.{c[3:]}" if len(c) > 3 else c for c in (claim.diagnoses if claim else []))
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

    # ------------------------------------------------------------------ injected billing-integrity anomalies
    def _extra_claim(self, claim: Claim) -> bool:
        """Submit a claim an anomaly adds (duplicate, ghost, busy day); an excluded provider's is listed too."""
        if not self._life(claim):
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
                if dos < self.w.end and (claim.provider.npi, pi, dos) not in self.seen:
                    self.seen.add((claim.provider.npi, pi, dos))
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
                if (claim.provider.npi, pi, claim.dos) in self.seen:
                    continue
                self.seen.add((claim.provider.npi, pi, claim.dos))
                ln = Line(1, top, (), 1, round(BASE_RATE[top] * CHARGE_MULTIPLIER) * 100, (1,))
                c = self._make_claim(claim.provider, pi, claim.dos, [ln], f"E-busy-{claim.claim_id}")
                minutes += PHYSICIAN_MINUTES[top]
                self._extra_claim(c)  # truth for the day is settled at the end of the month (run)
