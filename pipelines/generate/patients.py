"""What patients pay, get back and have written off: the patient-payments extract of a practice system.

Drawn from its own random stream after the payers have answered, from each claim's life:
  * a copay taken at the front desk on the day of service (most visits to a plan with a copay), naming the
    encounter only: the claim does not exist yet;
  * once the payers are done (the primary decided and any second plan or crossover answered), what the
    patient still owes — the primary's patient share less what later payers paid, less the desk copay — is
    paid in full, paid in part, or not paid; what stays unpaid goes to bad debt after a collection cycle;
    charity patients have their share written off; balances under $5 are written off as small balances;
  * a copay the payers turned into a credit (a denial, a secondary that paid it) is refunded.
Each life's rows are kept on it (ChainLife.patient) for the truth; rows dated on or after the end date have
not happened.
"""

from __future__ import annotations

import random
import zlib
from datetime import timedelta

POS_COPAY_SHARE = 0.6
PAYS_IN_FULL = 0.65
PAYS_IN_PART = 0.15  # then the rest goes to bad debt; the remaining patients pay nothing
CHARITY_PATIENTS_PERCENT = 3
SMALL_BALANCE_CENTS = 500
BY_ENCOUNTER_SHARE = 0.1  # statement payments the practice applied to the visit, not the claim
METHODS = ("card", "card", "check", "cash", "ach")


def patient_due(life) -> tuple | None:
    """(date the payers were done, cents the patient still owes or, negative, is owed) from a claim's life,
    or None while a payer question is open (no primary decision, a reversal last, a second payer pending) or
    the claim was voided.  The same reading as the warehouse's patient A/R component."""
    if life.voided:
        return None
    events = [e for e in life.primary_events if e[2] != "duplicate"]
    if not events or events[-1][2] == "reversal":
        return None
    last = events[-1]
    share, crossed = last[4], last[6]
    decided = [e for e in life.secondary_events if e[2]]
    involved = crossed or life.secondary_billed is not None or life.secondary_events
    if share > 0 and involved and not decided:
        return None
    later_paid = sum(e[3] for e in life.secondary_events)
    ready = max([last[0], *(e[0] for e in life.secondary_events)])
    return ready, max(share - later_paid, 0) - sum(c for _, c, _ in life.patient)


class PatientStream:
    def __init__(self, world, seed: int, id_prefix: str):
        self.w = world
        self.rng = random.Random(seed * 7_919 + 1)
        self.prefix = id_prefix

    def run(self, out) -> None:
        for life in out.lives:
            self._life(life, out.patient_rows)

    def _row(self, life, rows: list, when, cents: int, kind: str, by_encounter: bool = False) -> None:
        if when >= self.w.end or cents == 0:
            return
        claim = life.claim
        patient_id = self.w.patients[claim.patient_index].patient_id
        ids = ("", claim.encounter_id) if by_encounter else (self.rng.choice(sorted(life.claim_ids)), "")
        method = self.rng.choice(METHODS) if kind in ("payment", "refund") else ""
        rows.append((f"PP{self.prefix}{len(rows):07d}", patient_id, when, cents, *ids, method, kind))
        life.patient.append((when, cents, kind))

    def _life(self, life, rows: list) -> None:
        rng, claim = self.rng, life.claim
        copay = round(claim.payer.copay * 100)
        if life.front_desk and copay and rng.random() < POS_COPAY_SHARE:
            self._row(life, rows, claim.dos, copay, "payment", by_encounter=True)
        settled = patient_due(life)
        if settled is None:
            return
        ready, due = settled
        by_encounter = life.front_desk and rng.random() < BY_ENCOUNTER_SHARE
        if due < 0:
            self._row(life, rows, ready + timedelta(days=rng.randint(14, 45)), due, "refund", by_encounter)
            return
        if due == 0:
            return
        patient_id = self.w.patients[claim.patient_index].patient_id
        if zlib.crc32(patient_id.encode()) % 100 < CHARITY_PATIENTS_PERCENT:
            self._row(life, rows, ready + timedelta(days=rng.randint(20, 40)), due, "charity")
            return
        if due < SMALL_BALANCE_CENTS:
            self._row(life, rows, ready + timedelta(days=60), due, "small_balance")
            return
        u = rng.random()
        paid = (
            due
            if u < PAYS_IN_FULL
            else round(due * rng.uniform(0.2, 0.9))
            if u < PAYS_IN_FULL + PAYS_IN_PART
            else 0
        )
        self._row(life, rows, ready + timedelta(days=rng.randint(5, 60)), paid, "payment", by_encounter)
        if due - paid:
            self._row(life, rows, ready + timedelta(days=rng.randint(120, 180)), due - paid, "bad_debt")
