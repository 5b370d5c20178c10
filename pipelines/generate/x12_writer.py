"""Write 837P (005010X222A1), 837I (005010X223A2), 835 (005010X221A1), 999 (005010X231A1) and 277CA
(005010X214) files from simulated events.

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
              claim_type: str) -> tuple[str, int]:  # fmt: skip
    """Write the file; returns its first claim's CLM01 and the position in the set (ST = 1) of that claim's
    subscriber name (NM1*IL): where a 999 that rejects the file points."""
    version = _version_837(claim_type)
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
    first_nm1 = next(i for i, seg in enumerate(body) if seg.startswith("NM1*IL*"))
    return subs_in_order(subs)[0].clm01, first_nm1 + 2


def subs_in_order(subs: list[Submission]) -> list[Submission]:
    """The submissions in the order write_837 writes them: by billing organisation, then as given."""
    return sorted(subs, key=lambda s: s.claim.provider.billing_index)


def _version_837(claim_type: str) -> str:
    return "005010X222A1" if claim_type == "837P" else "005010X223A2"


# ---------------------------------------------------------------------------------------------- 999
def write_999(path: Path, ctrl: int, d: date, answered_ctrl: int, claim_type: str, rejected: bool,
              first_claim: tuple[str, int]) -> None:  # fmt: skip
    """The clearinghouse's implementation acknowledgment of one 837 file (GS06 = answered_ctrl): accepted, or
    rejected with the segment in error (an invalid code in the first claim's subscriber name, say)."""
    version = _version_837(claim_type)
    st02 = f"{answered_ctrl % 10000:04d}"
    body = [f"AK1*HC*{answered_ctrl}*{version}", f"AK2*837*{st02}*{version}"]
    if rejected:
        clm01, position = first_claim
        body += [f"IK3*NM1*{position}*2010*8", f"CTX*CLM01:{clm01}", "IK4*8*66*7", "IK5*R*5", "AK9*R*1*1*0"]
    else:
        body += ["IK5*A", "AK9*A*1*1*1"]
    tx = _close("0001", body, "999", "005010X231A1")
    _write(path, _envelope(ctrl, d, "FA", "005010X231A1", [tx], RECEIVER, SENDER))


# ---------------------------------------------------------------------------------------------- 277CA
def write_277ca(path: Path, ctrl: int, d: date, payer: Payer, acks: list[tuple], world: World) -> None:
    """A payer's claim acknowledgment for one day: every claim it received, accepted into adjudication (A2)
    or rejected (A3/A6/A7 with the status and entity), grouped by billing provider; a rejected procedure
    code is reported on the service line (loop 2220D).  acks: (submission, (category, status, entity))."""
    accepted = [(s, st) for s, st in acks if st[0] in ("A1", "A2")]
    amount = sum(s.claim.total for s, _ in acks)
    ok_amount = sum(s.claim.total for s, _ in accepted)
    body = [
        f"BHT*0085*08*{ctrl}*{d:%Y%m%d}*1200*TH",
        "HL*1**20*1",
        f"NM1*PR*2*{payer.name}*****PI*{payer.payer_id}",
        f"TRN*1*{ctrl}",
        f"DTP*050*D8*{d:%Y%m%d}",
        f"DTP*009*D8*{d:%Y%m%d}",
        "HL*2*1*21*1",
        f"NM1*41*2*{SENDER}*****46*{SENDER}",
        f"TRN*2*{ctrl}",
        f"STC*A1:19:PR*{d:%Y%m%d}*WQ*{money(amount)}",
    ]
    # counts, then amounts: accepted (QTY*90, AMT*YU) and rejected (QTY*AA, AMT*YY)
    body += [f"QTY*90*{len(accepted)}"] if accepted else []
    body += [f"QTY*AA*{len(acks) - len(accepted)}"] if len(accepted) < len(acks) else []
    body += [f"AMT*YU*{money(ok_amount)}"] if accepted else []
    body += [f"AMT*YY*{money(amount - ok_amount)}"] if len(accepted) < len(acks) else []
    hl = 2
    by_org: dict[int, list[tuple]] = {}
    for sub, status in acks:
        by_org.setdefault(sub.claim.provider.billing_index, []).append((sub, status))
    for bi in sorted(by_org):
        org = world.billing_orgs[bi]
        hl += 1
        parent = hl
        org_total = sum(s.claim.total for s, _ in by_org[bi])
        body += [f"HL*{hl}*2*19*1", f"NM1*85*2*{org.name}*****XX*{org.npi}", f"TRN*1*{ctrl}{bi:04d}",
                 f"STC*A1:19:PR**WQ*{money(org_total)}"]  # fmt: skip
        for k, (sub, (category, code, entity)) in enumerate(by_org[bi]):
            c = sub.claim
            pat = world.patients[c.patient_index]
            hl += 1
            stc = ":".join(x for x in (category, code, entity) if x)
            rejected = category not in ("A1", "A2")
            body += [f"HL*{hl}*{parent}*PT", f"NM1*QC*1*{pat.last_name}*{pat.first_name}****MI*{pat.member_id}",
                     f"TRN*2*{sub.clm01}", f"STC*{stc}*{d:%Y%m%d}*{'U' if rejected else 'WQ'}*{money(c.total)}"]  # fmt: skip
            if not rejected:
                body.append(f"REF*1K*{payer.payer_id[:3]}{ctrl:09d}{bi:04d}{k:04d}")
            body.append(f"DTP*472*D8*{c.dos:%Y%m%d}")
            if rejected and code == "454":  # the line whose procedure code was refused
                ln = c.lines[0]
                body += [f"SVC*HC:{ln.code}*{money(ln.charge)}", f"STC*{category}:{code}*{d:%Y%m%d}*U",
                         f"REF*FJ*{c.claim_id}-{ln.number}", f"DTP*472*D8*{c.dos:%Y%m%d}"]  # fmt: skip
    tx = _close("0001", body, "277", "005010X214")
    _write(path, _envelope(ctrl, d, "HN", "005010X214", [tx], payer.payer_id, SENDER))


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
