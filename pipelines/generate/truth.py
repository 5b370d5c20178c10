"""The synthetic world's truth, computed from what the simulation made happen (ChainLife, payments).

Nothing here reads the generated files or the warehouse: each figure is summed from the simulated events
and money movements, with the definitions docs/metrics.md gives the warehouse's KPIs.  The one rule both
sides read from a shared place is the denial write-off window (dbt var `ar_denial_open_days`).

A month is simulated in its own process: `month_truth` reduces one month's lives and payments to additive
partial sums plus the few per-chain facts whose status depends on the whole world's last date; `Truth`
merges them and writes the files.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from pipelines.generate.codes import BASE_RATE
from pipelines.generate.patients import patient_due

AGING_BUCKETS = ((30, "0-30"), (60, "31-60"), (90, "61-90"), (120, "91-120"))
CASH_KINDS = ("payment", "refund")


@cache
def denial_open_days() -> int:
    """The write-off rule's window, read from the dbt project (var ar_denial_open_days)."""
    from pipelines.settings import dbt_project_var

    return int(dbt_project_var("ar_denial_open_days"))


@cache
def _payer_policy() -> dict:
    """The seed the warehouse's work queues read (dbt_project/seeds/payer_policy.csv): (scope, key) -> row."""
    from pipelines.settings import dbt_project_seed

    return {(r["scope"], r["key"]): r for r in dbt_project_seed("payer_policy")}


def appeal_window_days(payer_id: str) -> int:
    """The payer's appeal window as the warehouse reads it: its payer row, else its financial class's, else
    the default (int_payer_policy)."""
    from pipelines.generate.world import PAYERS, SUPPLEMENT

    policy = _payer_policy()
    fc = next((p.financial_class for p in [*PAYERS, SUPPLEMENT] if p.payer_id == payer_id), None)
    row = (
        policy.get(("payer", payer_id))
        or policy.get(("financial_class", fc))
        or policy[("default", "default")]
    )
    return int(row["appeal_window_days"])


def aging_bucket(age_days: int) -> str:
    for limit, name in AGING_BUCKETS:
        if age_days <= limit:
            return name
    return ">120"


def month(d: date) -> str:
    return f"{d:%Y-%m}"


def expected_allowed(life) -> int:
    """The claim's lines at contract: lesser of charge and rate x units (payer factor x base, whole cents)."""
    payer = life.claim.payer
    return sum(min(ln.charge, round(BASE_RATE[ln.code] * payer.rate_factor * 100) * ln.units)
               for ln in life.claim.lines)  # fmt: skip


def _decisions(life) -> list[tuple]:
    return [e for e in life.primary_events if e[2] == "decision"]


def _answers(life) -> list[tuple]:
    """The primary payer's decisions and reversals (duplicate denials decide nothing)."""
    return [e for e in life.primary_events if e[2] != "duplicate"]


def ar_components(life, as_of: date) -> tuple[int, int, int, int]:
    """(insurance, secondary, patient, credit) balance in cents at `as_of` (end of the world's last day)."""
    subs = [s for s in life.primary_submissions if s[0] <= as_of]
    if not subs or subs[-1][1] == "8":
        return 0, 0, 0, 0
    answers = [e for e in _answers(life) if e[0] <= as_of]
    if not answers or answers[-1][2] == "reversal":
        return life.claim.total, 0, 0, 0
    last = answers[-1]
    insurance = 0
    if last[3] > 0 and (subs[-1][0] > last[0] or (as_of - last[0]).days < denial_open_days()):
        insurance = last[3]
    due = patient_due(life)
    if due is None:  # a second payer is pending on the patient's share
        return insurance, last[4], 0, 0
    return insurance, 0, max(due[1], 0), max(-due[1], 0)


FRONT_END_REJECTED = ("rejected_999", "rejected_277ca")


def front_end(t: dict, life, payer: str, decisions: list) -> None:
    """The chain's first claim to its primary payer, by the month it was sent: its front-end verdict (999,
    then the payer's 277CA) and whether the first answer -- that verdict or the first decision -- was a pass
    with no denial (first-pass yield)."""
    key = (payer, month(life.primary_submissions[0][0]))
    verdict = life.first_front_end
    t["fe_submitted"][key] += 1
    if verdict is not None:
        t["fe_with_verdict"][key] += 1
        t[f"fe_{verdict}"][key] += 1
    rejected = verdict in FRONT_END_REJECTED
    if rejected or decisions:
        t["fe_first_answer"][key] += 1
    if not rejected and decisions and not decisions[0][7]:
        t["fe_first_pass_paid"][key] += 1


def month_truth(lives: list, payments: list, end: date) -> dict:
    """One month's additive partial sums (keys: (payer_id, month) unless said) and the per-chain facts whose
    reading depends on the whole world's last date (denial status and write-offs)."""
    as_of = end - timedelta(days=1)
    t: dict = defaultdict(lambda: defaultdict(int))
    denials, write_offs, last_dates = [], [], [date.min]
    for life in lives:
        claim = life.claim
        payer = claim.payer.payer_id
        dos_month = month(claim.dos)
        decisions = _decisions(life)
        answers = _answers(life)
        last_dates.append(life.primary_submissions[-1][0])
        if decisions:
            last_dates.append(decisions[-1][0])
        for d, cents, kind in life.patient:
            t["patient_cash" if kind in CASH_KINDS else kind][(payer, month(d))] += cents
        for e in life.primary_events:
            t["insurance_cash"][(payer, month(e[0]))] += e[5]
        for e in life.secondary_events:
            t["insurance_cash"][(payer, month(e[0]))] += e[3]
        front_end(t, life, payer, decisions)
        parts = ar_components(life, as_of)
        if any(parts):
            bucket = aging_bucket(max((as_of - claim.dos).days, 0))
            for name, v in zip(
                ("ar_insurance", "ar_secondary", "ar_patient", "ar_credit"), parts, strict=True
            ):
                t[name][(payer, bucket)] += v
        if life.voided:
            continue
        if life.duplicate_denials:
            t["duplicates"][(payer, month(min(life.duplicate_denials)))] += 1
        reworked = bool(decisions) and life.primary_submissions[-1][0] > decisions[-1][0]
        if decisions:
            key = (payer, month(decisions[0][0]))
            t["adjudicated"][key] += 1
            t["denied"][key] += int(decisions[0][7])
            if decisions[0][7]:
                last = decisions[-1]
                if not last[7]:
                    paid = sum(e[5] for e in life.primary_events)
                    denials.append(
                        (payer, "overturned" if paid > 0 else "pending", None, reworked, claim.claim_id, 0)
                    )
                else:
                    denials.append((payer, None, last[0], reworked, claim.claim_id, last[3]))
        if answers and answers[-1][2] == "decision" and answers[-1][3] > 0 and not reworked:
            write_offs.append((payer, answers[-1][0], answers[-1][3]))
        t["charges"][(payer, dos_month)] += claim.total
        t["expected_allowed"][(payer, dos_month)] += expected_allowed(life)
        t["claims"][(payer, dos_month)] += 1
        later_paid = sum(e[3] for e in life.secondary_events)
        share = decisions[-1][4] if decisions else 0
        t["patient_responsibility"][(payer, dos_month)] += max(share - later_paid, 0)
        t["pos_collected"][(payer, dos_month)] += sum(
            c for d, c, kind in life.patient if kind == "payment" and d <= claim.dos
        )
        # cohort cash: everything paid on the claim so far, by its month of service
        t["cohort_cash"][(payer, dos_month)] += (
            sum(e[5] for e in life.primary_events)
            + later_paid
            + sum(c for _, c, kind in life.patient if kind in CASH_KINDS)
        )
    for p in payments:
        key = (p.payer.payer_id, month(p.date))
        t["payments"][key] += 1
        t["deposits"][key] += p.amount
        t["claim_cash"][key] += p.claim_cash
        t["interest"][key] -= p.plb_total("L6")
        t["forward_balance"][key] -= p.plb_total("FB")
        t["recoupments"][key] -= p.plb_total() - p.plb_total("L6", "FB")
    return {"sums": {k: dict(v) for k, v in t.items()}, "denials": denials, "write_offs": write_offs,
            "last_date": max(last_dates)}  # fmt: skip


class Truth:
    """Merge the months' partial sums and per-chain facts; write the truth files."""

    def __init__(self):
        self.sums: dict = defaultdict(lambda: defaultdict(int))
        self.denials: list = []
        self.write_offs: list = []
        self.last_date = date.min

    def add(self, part: dict) -> None:
        for name, cells in part["sums"].items():
            for k, v in cells.items():
                self.sums[name][k] += v
        self.denials.extend(part["denials"])
        self.write_offs.extend(part["write_offs"])
        self.last_date = max(self.last_date, part["last_date"])

    def write(self, folder: Path, end: date) -> None:
        """Finish the readings that need the world's last date and write the truth files.

        The denial write-off rule is read at the last primary decision or primary submission in the data
        (as fct_denials does): written off when no rework followed the current denial and the window has
        passed."""
        s = self.sums
        as_of = end - timedelta(days=1)
        n = denial_open_days()
        status: dict = defaultdict(int)
        open_denials = []
        for payer, fixed, last, reworked, claim_id, liable in self.denials:
            st = fixed or ("written_off" if not reworked and (self.last_date - last).days >= n else "pending")
            status[(payer, st)] += 1
            if st == "pending" and liable > 0:  # the denials work queue: provider-liable, still open
                deadline = last + timedelta(days=appeal_window_days(payer))
                open_denials.append((claim_id, payer, last.isoformat(), deadline.isoformat(), liable))
        for payer, decided, cents in self.write_offs:
            when = decided + timedelta(days=n)
            if when <= self.last_date:
                s["denial_write_offs"][(payer, month(when))] += cents

        def money(c: int) -> str:
            sign = "-" if c < 0 else ""
            return f"{sign}{abs(c) // 100}.{abs(c) % 100:02d}"

        with open(folder / "denial_rate_monthly.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["payer_id", "month", "adjudicated_claims", "initially_denied_claims",
                        "initial_denial_rate", "duplicate_denied_claims"])  # fmt: skip
            for key in sorted(set(s["adjudicated"]) | set(s["duplicates"])):
                adj, den = s["adjudicated"].get(key, 0), s["denied"].get(key, 0)
                w.writerow([*key, adj, den, f"{den / adj:.6f}" if adj else "", s["duplicates"].get(key, 0)])
        fe_cols = ["fe_submitted", "fe_with_verdict", "fe_accepted", "fe_rejected_999", "fe_rejected_277ca",
                   "fe_first_answer", "fe_first_pass_paid"]  # fmt: skip
        with open(folder / "front_end_monthly.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["payer_id", "month", "claims_submitted", "claims_with_verdict", "claims_accepted_first_pass",
                        "claims_rejected_999", "claims_rejected_277ca", "claims_with_first_answer",
                        "claims_first_pass_paid"])  # fmt: skip
            for key in sorted(s["fe_submitted"]):
                w.writerow([*key, *(s[c].get(key, 0) for c in fe_cols)])
        with open(folder / "open_denials.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["claim_id", "payer_id", "denial_date", "appeal_deadline", "denied_amount"])
            w.writerows((*row[:4], money(row[4])) for row in sorted(open_denials))
        with open(folder / "denials.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["payer_id", "denial_status", "claims"])
            w.writerows([*k, v] for k, v in sorted(status.items()))
        ar_cols = ("ar_insurance", "ar_secondary", "ar_patient", "ar_credit")
        with open(folder / "ar_aging.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["as_of_date", "payer_id", "aging_bucket", "open_balance", "secondary_balance",
                        "patient_balance", "credit_balance"])  # fmt: skip
            for key in sorted(set().union(*(s[c] for c in ar_cols))):
                w.writerow([as_of.isoformat(), *key, *(money(s[c].get(key, 0)) for c in ar_cols)])
        deposit_cols = ["payments", "deposits", "claim_cash", "interest", "forward_balance", "recoupments"]
        with open(folder / "deposits_monthly.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["payer_id", "month", *deposit_cols])
            for key in sorted(s["payments"]):
                w.writerow([*key, s["payments"][key], *(money(s[c].get(key, 0)) for c in deposit_cols[1:])])
        money_cols = ["gross_charges", "expected_allowed", "insurance_cash", "recoupments", "patient_cash",
                      "bad_debt", "charity", "small_balance", "pos_collected", "patient_responsibility",
                      "cohort_cash", "denial_write_offs"]  # fmt: skip
        source = {"gross_charges": "charges"}
        keys = sorted(set().union(*(s[source.get(c, c)] for c in money_cols)))
        with open(folder / "collections_monthly.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["payer_id", "month", "claims_billed", *money_cols])
            for key in keys:
                w.writerow([*key, s["claims"].get(key, 0),
                            *(money(s[source.get(c, c)].get(key, 0)) for c in money_cols)])  # fmt: skip
