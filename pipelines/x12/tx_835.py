"""835 (005010X221A1) health care claim payment/advice -> payments, claims, lines, adjustments, remarks, PLB.

Loop structure: header (BPR, TRN, DTM*405), 1000A payer N1*PR, 1000B payee N1*PE, then per LX
(2000 header number) the 2100 claim loop (CLP, CAS, NM1, MIA/MOA, DTM, AMT, REF) and its 2110 service
lines (SVC, DTM, CAS, REF, AMT, LQ).  PLB follows the last claim.  CAS carries up to six
(reason, amount, quantity) triplets after the group code; we unpivot them to one row each.
"""

from __future__ import annotations

from decimal import Decimal

from pipelines.x12.codes import CAS_GROUP_CODES, CLP_STATUS_CODES
from pipelines.x12.context import Segment, TxContext, element

SEGMENTS_835 = frozenset(
    {
        "BPR", "TRN", "CUR", "REF", "DTM", "N1", "N2", "N3", "N4", "PER", "RDM", "LX", "TS3", "TS2",
        "CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB",
    }
)  # fmt: skip

MIA_REMARK_ELEMENTS = (5, 20, 21, 22, 23)
MOA_REMARK_ELEMENTS = (3, 4, 5, 6, 7)


def _dec(v: str | None) -> Decimal:
    return Decimal(v) if v else Decimal(0)


def _split_procedure(ctx: TxContext, composite: str | None) -> dict:
    parts = ctx.components(composite)
    parts += [None] * (6 - len(parts))
    return {
        "procedure_qualifier": parts[0] or None,
        "procedure_code": parts[1] or None,
        "modifier_1": parts[2] or None,
        "modifier_2": parts[3] or None,
        "modifier_3": parts[4] or None,
        "modifier_4": parts[5] or None,
    }


def parse_835(segments: list[Segment], ctx: TxContext) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {
        "remit_payments": [],
        "remit_claims": [],
        "remit_lines": [],
        "remit_adjustments": [],
        "remit_remarks": [],
        "remit_provider_adjustments": [],
    }
    pay: dict = {}
    n1 = None
    claim: dict | None = None
    line: dict | None = None
    claim_adj = Decimal(0)
    line_adj = Decimal(0)
    sum_paid = Decimal(0)
    sum_plb = Decimal(0)
    bpr_index = None
    line_count = 0

    def close_line():
        nonlocal line, line_adj
        if line is not None:
            charge, paid = line.get("charge_amount"), line.get("paid_amount")
            if charge is not None and paid is not None and _dec(charge) - line_adj != _dec(paid):
                ctx.error(
                    "BAL_LINE",
                    f"service line {line['line_number']} does not balance: SVC02 - line adjustments != SVC03",
                    line["seg_index"],
                    "SVC",
                )
            out["remit_lines"].append(line)
        line = None
        line_adj = Decimal(0)

    def close_claim():
        nonlocal claim, claim_adj
        close_line()
        if claim is not None:
            charge, paid = claim.get("charge_amount"), claim.get("paid_amount")
            if charge is not None and paid is not None and _dec(charge) - claim_adj != _dec(paid):
                ctx.error(
                    "BAL_CLAIM",
                    "claim does not balance: CLP03 - adjustments != CLP04",
                    claim["seg_index"],
                    "CLP",
                )
            out["remit_claims"].append(claim)
        claim = None
        claim_adj = Decimal(0)

    for idx, seg in segments:
        sid = seg[0]
        if sid == "BPR":
            bpr_index = idx
            pay.update(
                transaction_handling=element(seg, 1),
                total_paid=ctx.amount(idx, seg, 2, required=True),
                credit_debit=element(seg, 3),
                payment_method=element(seg, 4),
                payment_date=ctx.date8(idx, sid, element(seg, 16), "16"),
            )
        elif sid == "TRN" and claim is None:
            pay.update(trace_number=element(seg, 2), payer_tax_id=element(seg, 3))
        elif sid == "N1":
            n1 = element(seg, 1)
            if n1 == "PR":
                pay["payer_name"] = element(seg, 2)
                pay.setdefault("payer_id", element(seg, 4))
            elif n1 == "PE":
                pay["payee_name"] = element(seg, 2)
                if element(seg, 3) == "XX":
                    pay["payee_npi"] = element(seg, 4)
        elif sid == "LX":
            close_claim()
        elif sid == "CLP":
            close_claim()
            line_count = 0
            status = element(seg, 2)
            if status not in CLP_STATUS_CODES:
                ctx.error("ELEM_BAD_CODE", "CLP02 claim status is not a valid code", idx, sid, "02")
            if element(seg, 1) is None:
                ctx.error("REQ_MISSING_ELEMENT", "CLP01 patient control number is missing", idx, sid, "01")
            claim = {
                **ctx.lineage(idx),
                "remit_claim_key": f"{ctx.file_id}:{idx}",
                "claim_id": element(seg, 1),
                "status_code": status,
                "charge_amount": ctx.amount(idx, seg, 3, required=True),
                "paid_amount": ctx.amount(idx, seg, 4, required=True),
                "patient_responsibility_amount": ctx.amount(idx, seg, 5),
                "filing_indicator": element(seg, 6),
                "payer_claim_control_number": element(seg, 7),
                "facility_type_code": element(seg, 8),
                "frequency_code": element(seg, 9),
                "drg_code": element(seg, 11),
            }
            sum_paid += _dec(claim["paid_amount"])
        elif sid in ("CAS", "SVC") and claim is None:
            ctx.error("REQ_MISSING_SEGMENT", f"{sid} outside a claim: CLP (loop 2100) is missing", idx, sid)
        elif sid == "CAS":
            group = element(seg, 1)
            if group not in CAS_GROUP_CODES:
                ctx.error(
                    "ELEM_BAD_CODE",
                    "CAS01 group code is not one of CO, PR, OA, PI (CR was removed in 5010)",
                    idx,
                    sid,
                    "01",
                )
            for t in range(2, 20, 3):
                reason = element(seg, t)
                if reason is None:
                    continue
                amt = ctx.amount(idx, seg, t + 1, required=True)
                qty = ctx.number(idx, seg, t + 2)
                out["remit_adjustments"].append(
                    {
                        **ctx.lineage(idx),
                        "remit_claim_key": claim["remit_claim_key"],
                        "claim_id": claim["claim_id"],
                        "line_number": line["line_number"] if line else None,
                        "adjustment_level": "line" if line else "claim",
                        "group_code": group,
                        "reason_code": reason,
                        "amount": amt,
                        "quantity": qty,
                    }
                )
                claim_adj += _dec(amt)
                if line is not None:
                    line_adj += _dec(amt)
        elif sid == "NM1" and claim is not None and line is None:
            q = element(seg, 1)
            if q == "QC":
                claim.update(
                    patient_last_name=element(seg, 3),
                    patient_first_name=element(seg, 4),
                    patient_member_id=element(seg, 9),
                )
            elif q == "IL":
                claim["insured_member_id"] = element(seg, 9)
            elif q == "82" and element(seg, 8) == "XX":
                claim["rendering_npi"] = element(seg, 9)
            elif q == "TT":  # crossover carrier: the payer this one forwarded the claim to (CLP02 19/20/21)
                claim.update(crossover_payer_id=element(seg, 9), crossover_payer_name=element(seg, 3))
        elif sid in ("MIA", "MOA") and claim is not None:
            for e in MIA_REMARK_ELEMENTS if sid == "MIA" else MOA_REMARK_ELEMENTS:
                code = element(seg, e)
                if code:
                    out["remit_remarks"].append(
                        {
                            **ctx.lineage(idx),
                            "remit_claim_key": claim["remit_claim_key"],
                            "claim_id": claim["claim_id"],
                            "line_number": None,
                            "remark_level": "claim",
                            "source_segment": sid,
                            "remark_code": code,
                        }
                    )
        elif sid == "DTM":
            q = element(seg, 1)
            d = ctx.date8(idx, sid, element(seg, 2), "02")
            if claim is None:
                if q == "405":
                    pay["production_date"] = d
            elif line is not None:
                if q in ("472", "150"):
                    line["service_date"] = d
            elif q == "232":
                claim["statement_from_date"] = d
            elif q == "233":
                claim["statement_to_date"] = d
            elif q == "050":
                claim["received_date"] = d
        elif sid == "SVC":
            close_line()
            line_count += 1
            orig = ctx.components(element(seg, 6))
            line = {
                **ctx.lineage(idx),
                "remit_claim_key": claim["remit_claim_key"],
                "claim_id": claim["claim_id"],
                "line_number": line_count,
                **_split_procedure(ctx, element(seg, 1)),
                "charge_amount": ctx.amount(idx, seg, 2, required=True),
                "paid_amount": ctx.amount(idx, seg, 3, required=True),
                "revenue_code": element(seg, 4),
                "units_paid": ctx.number(idx, seg, 5),
                "original_procedure_code": orig[1] if len(orig) > 1 and orig[1] else None,
                "original_units": ctx.number(idx, seg, 7),
            }
        elif sid == "REF":
            q = element(seg, 1)
            if claim is None:
                if q == "2U" and n1 == "PR":
                    pay["payer_id"] = element(seg, 2)
                elif q == "TJ" and n1 == "PE":
                    pay["payee_tax_id"] = element(seg, 2)
            elif line is not None and q == "6R":
                line["line_control_number"] = element(seg, 2)
        elif sid == "AMT" and line is not None and element(seg, 1) == "B6":
            line["allowed_amount"] = ctx.amount(idx, seg, 2)
        elif sid == "LQ" and line is not None and element(seg, 1) == "HE":
            out["remit_remarks"].append(
                {
                    **ctx.lineage(idx),
                    "remit_claim_key": claim["remit_claim_key"],
                    "claim_id": claim["claim_id"],
                    "line_number": line["line_number"],
                    "remark_level": "line",
                    "source_segment": "LQ",
                    "remark_code": element(seg, 2),
                }
            )
        elif sid == "PLB":
            close_claim()
            fiscal_period = ctx.date8(
                idx, sid, element(seg, 2), "02"
            )  # one finding per segment, not per pair
            for p in range(3, 15, 2):
                comp = element(seg, p)
                if comp is None:
                    continue
                parts = ctx.components(comp)
                amt = ctx.amount(idx, seg, p + 1, required=True)
                sum_plb += _dec(amt)
                out["remit_provider_adjustments"].append(
                    {
                        **ctx.lineage(idx),
                        "provider_id": element(seg, 1),
                        "fiscal_period_date": fiscal_period,
                        "reason_code": parts[0] or None,
                        "reference_id": parts[1] if len(parts) > 1 and parts[1] else None,
                        "amount": amt,
                    }
                )
    close_claim()

    if bpr_index is None:
        ctx.error("REQ_MISSING_SEGMENT", "835 has no BPR (financial information) segment", segment_id="BPR")
    elif pay.get("total_paid") is not None and _dec(pay["total_paid"]) != sum_paid - sum_plb:
        ctx.error(
            "BAL_TRANSACTION",
            "BPR02 != sum of CLP04 - sum of PLB",
            bpr_index,
            "BPR",
            "02",
        )
    header = {
        k: pay.get(k) for k in ("payment_date", "production_date", "payer_name", "payer_id", "payee_npi")
    }
    header["trace_number"] = pay.get("trace_number")
    for c in out["remit_claims"]:
        c.update(header)
    out["remit_payments"].append(
        {**ctx.lineage(bpr_index or 0), **pay, "claim_count": len(out["remit_claims"])}
    )
    return out
