"""The payer's side of the money: which 835 payment carries which answers, and its provider-level adjustments.

One payment (an 835 transaction, BPR/TRN) per payer, billing organisation and day.  Its BPR02 is what reaches
the bank: Σ CLP04 − Σ PLB, where a PLB amount reduces the payment:
  * L6  interest on a claim paid late (a negative PLB amount: it adds to the payment);
  * WO  an overpayment the payer recovers (a duplicate it paid), taken from the next payment on or after the
        day it decided to;
  * FB  forward balance: when reversals leave a payment below zero, nothing is paid, the shortfall is carried
        (a negative FB) and taken back from the payer's next payments to the same organisation (positive FB)
        until it is recovered.
Everything dated on or after the world's end date has not happened; a balance still carried then is owed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Payment:
    date: date
    payer: object  # world.Payer
    org_index: int
    remits: list = field(default_factory=list)
    plb: list[tuple[str, str, int]] = field(default_factory=list)  # (reason, reference, cents reducing it)
    amount: int = 0  # BPR02, cents

    @property
    def claim_cash(self) -> int:
        return sum(r.paid for r in self.remits)

    def plb_total(self, *reasons: str) -> int:
        return sum(a for code, _, a in self.plb if not reasons or code in reasons)


def plan_payments(remits: list, recoupments: list[tuple]) -> list[Payment]:
    """Group answers into payments in date order and settle each one's PLB (module docstring)."""
    groups: dict[tuple, Payment] = {}
    for r in remits:
        key = (r.date, r.payer.payer_id, r.claim.provider.billing_index)
        if key not in groups:
            groups[key] = Payment(r.date, r.payer, r.claim.provider.billing_index)
        groups[key].remits.append(r)
    queued: dict[tuple, list[tuple]] = defaultdict(list)
    for not_before, payer, org, icn, cents in sorted(recoupments, key=lambda x: (x[0], x[3])):
        queued[(payer.payer_id, org)].append((not_before, icn, cents))
    carried: dict[tuple, list[list]] = defaultdict(list)  # (payer, org) -> [[reference, cents owed], ...]
    payments = []
    for key in sorted(groups):
        p = groups[key]
        who = key[1:]
        p.plb = [("L6", r.icn, -r.interest) for r in p.remits if r.interest]
        due = [q for q in queued[who] if q[0] <= p.date]
        queued[who] = [q for q in queued[who] if q[0] > p.date]
        p.plb += [("WO", icn, cents) for _, icn, cents in due]
        net = p.claim_cash - p.plb_total()
        for owed in carried[who]:
            if net <= 0:
                break
            take = min(owed[1], net)
            p.plb.append(("FB", owed[0], take))
            owed[1] -= take
            net -= take
        carried[who] = [o for o in carried[who] if o[1] > 0]
        if net < 0:
            ref = f"{p.payer.payer_id}{p.date:%y%m%d}{p.org_index:02d}"
            p.plb.append(("FB", ref, net))
            carried[who].append([ref, -net])
            net = 0
        p.amount = net
        payments.append(p)
    return payments
