"""Write 837P (005010X222A1), 837I (005010X223A2) and 835 (005010X221A1) files from simulated events.

The segments follow the implementation guides closely enough for pyx12 to validate them (tested);
delimiters are the common * : ^ ~ with a newline after each terminator.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from pipelines.generate.payments import Payment
from pipelines.generate.simulate import RemitClaim, Submission
from pipelines.generate.world import BillingOrg, Payer, World

SENDER = "REVCYCLEGEN"
RECEIVER = "CLEARINGHOUSE"


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    c = abs(cents)
    return f"{sign}{c // 100}.{c % 100:02d}"


def _isa(ctrl: int, d: date, sender: str, receiver: str) -> str:
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15.15}*ZZ*{receiver:<15.15}*{d:%y%m%d}*1200*^*00501*"
        f"{ctrl:09d}*0*P*:"
    )


def _envelope(ctrl: int, d: date, gs01: str, version: str, transactions: list[list[str]], sender: str,
              receiver: str) -> str:  # fmt: skip
    segs = [
        _isa(ctrl, d, sender, receiver),
        f"GS*{gs01}*{sender}*{receiver}*{d:%Y%m%d}*1200*{ctrl}*X*{version}",
    ]
    for tx in transactions:
        segs.extend(tx)
    segs += [f"GE*{len(transactions)}*{ctrl}", f"IEA*1*{ctrl:09d}"]
    return "~\n".join(segs) + "~\n"


def _close(st02: str, body: list[str], st01: str, st03: str | None) -> list[str]:
    st = f"ST*{st01}*{st02}" + (f"*{st03}" if st03 else "")
    return [st, *body, f"SE*{len(body) + 2}*{st02}"]


# ---------------------------------------------------------------------------------------------- 837
def write_837(path: Path, ctrl: int, d: date, payer: Payer, subs: list[Submission], world: World,
              claim_type: str) -> None:  # fmt: skip
    version = "005010X222A1" if claim_type == "837P" else "005010X223A2"
    body = [
        f"BHT*0019*00*{ctrl}*{d:%Y%m%d}*1200*CH",
        f"NM1*41*2*{SENDER}*****46*{SENDER}",
        "PER*IC*BILLING OFFICE*TE*2175550100",
        f"NM1*40*2*{RECEIVER}*****46*{RECEIVER}",
    ]
    hl = 0
    by_org: dict[int, list[Submission]] = {}
    for s in subs:
        by_org.setdefault(s.claim.provider.billing_index, []).append(s)
    for bi in sorted(by_org):
        org = world.billing_orgs[bi]
        hl += 1
        parent = hl
        body += [
            f"HL*{hl}**20*1",
            f"PRV*BI*PXC*{'282N00000X' if claim_type == '837I' else '193200000X'}",
            f"NM1*85*2*{org.name}*****XX*{org.npi}",
            f"N3*{org.address}",
            f"N4*{org.city}*{org.state}*{org.zip}",
            f"REF*EI*{org.tax_id}",
        ]
        for s in by_org[bi]:
            hl += 1
            body += _claim_837(s, world, payer, hl, parent, claim_type)
    _write(path, _envelope(ctrl, d, "HC", version, [_close(f"{ctrl % 10000:04d}", body, "837", version)], SENDER,
                           RECEIVER))  # fmt: skip


def _claim_837(s: Submission, world: World, payer: Payer, hl: int, parent: int, claim_type: str) -> list[str]:
    c = s.claim
    pat = world.patients[c.patient_index]
    prov = c.provider
    seg = [
        f"HL*{hl}*{parent}*22*0",
        f"SBR*{s.sequence}*18*******{payer.filing_indicator}",
        f"NM1*IL*1*{pat.last_name}*{pat.first_name}****MI*{pat.member_id}",
        f"N3*{pat.address}",
        f"N4*{pat.city}*{pat.state}*{pat.zip}",
        f"DMG*D8*{pat.birth_date:%Y%m%d}*{pat.gender}",
        f"NM1*PR*2*{payer.name}*****PI*{payer.payer_id}",
    ]
    total = money(c.total)
    if claim_type == "837P":
        seg.append(f"CLM*{s.clm01}*{total}***{c.pos}:B:{s.frequency}*Y*A*Y*Y")
    else:
        seg += [f"CLM*{s.clm01}*{total}***13:A:{s.frequency}**A*Y*Y"]
        seg.append(f"DTP*434*RD8*{c.dos:%Y%m%d}-{c.dos:%Y%m%d}")
        seg.append("CL1*1*7*01")
    if s.original_ref:
        seg.append(f"REF*F8*{s.original_ref}")
    if claim_type == "837P":
        seg.append("HI*" + "*".join(f"{'ABK' if i == 0 else 'ABF'}:{dx}" for i, dx in enumerate(c.diagnoses)))
    else:
        # 837I: the principal diagnosis has its own HI; other diagnoses follow in a separate HI
        seg.append(f"HI*ABK:{c.diagnoses[0]}")
        if len(c.diagnoses) > 1:
            seg.append("HI*" + "*".join(f"ABF:{dx}" for dx in c.diagnoses[1:]))
    if claim_type == "837P":
        seg += [
            f"NM1*82*1*{prov.last_name}*{prov.first_name}****XX*{prov.npi}",
            f"PRV*PE*PXC*{_taxonomy(prov.specialty)}",
        ]
    else:
        seg.append(f"NM1*71*1*{prov.last_name}*{prov.first_name}****XX*{prov.npi}")
    prior = s.prior
    if prior is not None:
        seg += _other_payer(prior, pat, claim_type)
    prior_lines = {rl.line.number: rl for rl in prior.lines} if prior is not None else {}
    for ln in c.lines:
        proc = ":".join(("HC", ln.code, *ln.modifiers))
        seg.append(f"LX*{ln.number}")
        if claim_type == "837P":
            seg.append(f"SV1*{proc}*{money(ln.charge)}*UN*{ln.units}***{':'.join(map(str, ln.dx_pointers))}")
        else:
            seg.append(f"SV2*{ln.revenue_code}*{proc}*{money(ln.charge)}*UN*{ln.units}")
        seg.append(f"DTP*472*D8*{c.dos:%Y%m%d}")
        seg.append(f"REF*6R*{c.claim_id}-{ln.number}")
        if ln.number in prior_lines:
            seg += _line_adjudication(prior_lines[ln.number], prior, claim_type)
    return seg


def _other_payer(prior: RemitClaim, pat, claim_type: str) -> list[str]:
    """Loops 2320/2330A/2330B of a secondary claim: the primary payer, what it paid and adjusted."""
    payer = prior.payer
    seg = [f"SBR*P*18*******{payer.filing_indicator}", *_cas(prior.claim_adjustments), f"AMT*D*{money(prior.paid)}",
           "OI***Y*P**Y" if claim_type == "837P" else "OI***Y***Y",
           f"NM1*IL*1*{pat.last_name}*{pat.first_name}****MI*{pat.member_id}",
           f"NM1*PR*2*{payer.name}*****PI*{payer.payer_id}"]  # fmt: skip
    if not prior.lines:  # adjudicated at claim level only: the date goes on the claim (2330B)
        seg.append(f"DTP*573*D8*{prior.date:%Y%m%d}")
    return seg


def _line_adjudication(rl, prior: RemitClaim, claim_type: str) -> list[str]:
    """Loop 2430: the primary payer's answer on one service line."""
    ln = rl.line
    proc = ":".join(("HC", ln.code, *ln.modifiers))
    svd = (f"SVD*{prior.payer.payer_id}*{money(rl.paid)}*{proc}**{ln.units}" if claim_type == "837P"
           else f"SVD*{prior.payer.payer_id}*{money(rl.paid)}*{proc}*{ln.revenue_code}*{ln.units}")  # fmt: skip
    return [svd, *_cas(rl.adjustments), f"DTP*573*D8*{prior.date:%Y%m%d}"]


def _taxonomy(specialty: str) -> str:
    from pipelines.generate.codes import SPECIALTIES

    return SPECIALTIES[specialty].taxonomy


# ---------------------------------------------------------------------------------------------- 835
def write_835(path: Path, ctrl: int, d: date, payer: Payer, payments: list[Payment], world: World) -> None:
    """One 835 file for a payer and day: a transaction (BPR/TRN) per payment, i.e. per billing organisation."""
    txs = []
    for k, p in enumerate(sorted(payments, key=lambda p: p.org_index)):
        org = world.billing_orgs[p.org_index]
        txs.append(_close(f"{k + 1:04d}", _remit_body(ctrl, k, d, payer, org, p, world), "835", None))
    _write(path, _envelope(ctrl, d, "HP", "005010X221A1", txs, payer.payer_id, SENDER))


def _remit_body(ctrl: int, k: int, d: date, payer: Payer, org: BillingOrg, payment: Payment,
                world: World) -> list[str]:  # fmt: skip
    remits = payment.remits
    plb = [(f"{code}:{ref}", amount) for code, ref, amount in payment.plb]
    total = payment.amount
    trace = f"{payer.payer_id[:3]}{ctrl:09d}{k:02d}"
    method = payer.payment_method if total > 0 else "NON"
    handling = "I" if total > 0 else "H"
    if method == "ACH":
        bpr = (f"BPR*{handling}*{money(total)}*C*ACH*CCP*01*011000015*DA*1234567*1{payer.payer_id[:4]}00000**01*"
               f"071000013*DA*7654321*{d:%Y%m%d}")  # fmt: skip
    else:
        bpr = f"BPR*{handling}*{money(total)}*C*{method}************{d:%Y%m%d}"
    body = [
        bpr,
        f"TRN*1*{trace}*1{payer.payer_id[:4]}00000",
        f"DTM*405*{d:%Y%m%d}",
        f"N1*PR*{payer.name}*XV*{payer.payer_id}",
        "N3*PO BOX 1000",
        "N4*CHICAGO*IL*60601",
        f"REF*2U*{payer.payer_id}",
        "PER*BL*EDI SUPPORT*TE*8005550199",
        f"N1*PE*{org.name}*XX*{org.npi}",
        f"REF*TJ*{org.tax_id}",
        "LX*1",
    ]
    for r in remits:
        body += _clp(r, world)
    # one PLB carries up to six (reason, amount) pairs; more pairs continue in another PLB
    for i in range(0, len(plb), 6):
        pairs = "*".join(f"{reason}*{money(amount)}" for reason, amount in plb[i : i + 6])
        body.append(f"PLB*{org.npi}*{d.year}1231*{pairs}")
    return body


def _clp(r: RemitClaim, world: World) -> list[str]:
    c = r.claim
    pat = world.patients[c.patient_index]
    fac = c.pos if c.claim_type == "837P" else "13"
    seg = [
        (
            f"CLP*{r.claim_id}*{r.status}*{money(r.charge)}*{money(r.paid)}*{money(r.patient_resp)}*"
            f"{r.payer.clp06}*{r.icn}*{fac}*1"
        )
    ]
    seg += _cas(r.claim_adjustments)
    seg.append(f"NM1*QC*1*{pat.last_name}*{pat.first_name}****MI*{pat.member_id}")
    if c.claim_type == "837P":
        seg.append(f"NM1*82*1*{c.provider.last_name}*{c.provider.first_name}****XX*{c.provider.npi}")
    if r.crossover is not None:  # the claim was forwarded to the patient's supplemental plan
        seg.append(f"NM1*TT*2*{r.crossover.name}*****PI*{r.crossover.payer_id}")
    seg.append(f"DTM*232*{c.dos:%Y%m%d}")
    for rl in r.lines:
        ln = rl.line
        proc = ":".join(("HC", ln.code, *ln.modifiers))
        units = ln.units if rl.charge >= 0 else -ln.units
        rev = ln.revenue_code or ""
        seg.append(f"SVC*{proc}*{money(rl.charge)}*{money(rl.paid)}*{rev}*{units}")
        seg.append(f"DTM*472*{c.dos:%Y%m%d}")
        seg += _cas(rl.adjustments)
        seg.append(f"REF*6R*{c.claim_id}-{ln.number}")
        if rl.allowed is not None:
            seg.append(f"AMT*B6*{money(rl.allowed)}")
        if rl.remark:
            seg.append(f"LQ*HE*{rl.remark}")
    return seg


def _cas(adjustments: Iterable[tuple[str, str, int]]) -> list[str]:
    """One CAS per group code with up to six (reason, amount) pairs, as the guide requires."""
    by_group: dict[str, list[tuple[str, int]]] = {}
    for g, reason, amount in adjustments:
        by_group.setdefault(g, []).append((reason, amount))
    out = []
    for g, pairs in by_group.items():
        for i in range(0, len(pairs), 6):
            out.append(f"CAS*{g}*" + "**".join(f"{r}*{money(a)}" for r, a in pairs[i : i + 6]))
    return out


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="latin-1")
    tmp.replace(path)
