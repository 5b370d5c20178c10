"""837P (005010X222A1/A2) and 837I (005010X223A2/A3) claims -> claims, diagnoses, service lines.

The HL hierarchy drives context: HL*..*20 billing provider (2000A), HL*..*22 subscriber (2000B),
HL*..*23 patient (2000C).  A CLM opens loop 2300; NM1s after it are claim-level providers (2310x)
until an SBR opens the other-subscriber loop 2320/2330 (whose NM1*IL/PR describe *another* payer
and must not overwrite the claim's payer); LX opens the service line loop 2400, where NM1*82 is a
line-level rendering provider (2420A).  When the patient is the subscriber (SBR02=18) there is no
HL*23 and the subscriber's name and DMG are the patient's.
"""

from __future__ import annotations

from decimal import Decimal

from pipelines.x12.codes import FREQUENCY_CODES
from pipelines.x12.context import Segment, TxContext, element

SEGMENTS_837 = frozenset(
    {
        "BHT", "NM1", "N2", "N3", "N4", "PER", "REF", "HL", "PRV", "CUR", "SBR", "PAT", "DMG", "CLM",
        "DTP", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CR3", "CR4", "CR5", "CR6", "CR7", "CR8",
        "CRC", "HI", "HCP", "CL1", "LX", "SV1", "SV2", "SV5", "QTY", "MEA", "PS1", "HSD", "LIN", "CTP",
        "OI", "MIA", "MOA", "LQ", "FRM", "SVD", "CAS", "TOO",
    }
)  # fmt: skip

_PRINCIPAL_DX = {"ABK", "BK"}
_OTHER_DX = {"ABF", "BF", "ABJ", "BJ", "APR", "PR", "ABN", "BN"}
_CLAIM_PROVIDER_ROLES = {"82": "rendering_npi", "DN": "referring_npi", "71": "attending_npi",
                         "72": "operating_npi", "77": "facility_npi"}  # fmt: skip


def parse_837(segments: list[Segment], ctx: TxContext, transaction_type: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"claims": [], "claim_diagnoses": [], "claim_lines": []}
    header: dict = {"transaction_type": transaction_type}
    billing: dict = {}
    in_2010aa = False  # the last NM1 was the billing provider's (its N4 is the practice address)
    subscriber: dict = {}
    patient: dict = {}
    claim: dict | None = None
    line: dict | None = None
    in_other_subscriber = False
    dx_order = 0
    bht_seen = False
    hl_level = None

    claim_lines: list[dict] = []  # lines of the open claim only: closing a claim is O(its lines)

    def close_claim():
        nonlocal claim, line
        if claim is not None:
            if line is not None:
                claim_lines.append(line)
            line_total = sum(Decimal(r.get("charge_amount") or 0) for r in claim_lines)
            if (
                claim_lines
                and claim["total_charge"] is not None
                and line_total != Decimal(claim["total_charge"])
            ):
                ctx.warn(
                    "BAL_837_CLAIM",
                    "CLM02 != sum of the line charges",
                    claim["seg_index"],
                    "CLM",
                    "02",
                )
            out["claim_lines"].extend(claim_lines)
            out["claims"].append({**header, **billing, **subscriber, **patient, **claim})
        claim_lines.clear()
        claim = None
        line = None

    for idx, seg in segments:
        sid = seg[0]
        if sid == "BHT":
            bht_seen = True
            header["batch_reference"] = element(seg, 3)
            header["submission_date"] = ctx.date8(idx, sid, element(seg, 4), "04")
        elif sid == "HL":
            close_claim()
            hl_level = element(seg, 3)
            in_other_subscriber = False
            if hl_level == "20":
                billing = {}
                subscriber = {}
                patient = {}
            elif hl_level == "22":
                subscriber = {}
                patient = {}
            elif hl_level == "23":
                patient = {}
        elif sid == "N4" and claim is None and in_2010aa:
            billing["billing_state"] = element(seg, 2)  # 2010AA: the practice state (peer groups by state)
        elif sid == "PRV" and hl_level == "20" and claim is None:
            billing["billing_taxonomy"] = element(seg, 3)
        elif sid == "PRV" and claim is not None and line is None and element(seg, 1) == "PE":
            # 2310B: the rendering NPI's specialty, its peer group for the integrity rules
            claim["rendering_taxonomy"] = element(seg, 3)
        elif sid == "SBR":
            if claim is None:
                subscriber["payer_responsibility"] = element(seg, 1)
                subscriber["filing_indicator"] = element(seg, 9)
            else:
                in_other_subscriber = True  # 2320: other payer's data, not this claim's payer
        elif sid == "NM1":
            q = element(seg, 1)
            npi = element(seg, 9) if element(seg, 8) == "XX" else None
            in_2010aa = q == "85" and claim is None
            if claim is None:
                if q == "41":
                    header["submitter_name"] = element(seg, 3)
                elif q == "40":
                    header["receiver_name"] = element(seg, 3)
                elif q == "85":
                    billing.update(billing_name=element(seg, 3), billing_npi=npi)
                elif q == "IL":
                    subscriber.update(
                        subscriber_last_name=element(seg, 3),
                        subscriber_first_name=element(seg, 4),
                        subscriber_member_id=element(seg, 9),
                    )
                elif q == "PR":
                    subscriber.update(payer_name=element(seg, 3), payer_id=element(seg, 9))
                elif q == "QC":
                    patient.update(patient_last_name=element(seg, 3), patient_first_name=element(seg, 4))
            elif line is not None:
                if q == "82":
                    line["rendering_npi"] = npi
            elif not in_other_subscriber and q in _CLAIM_PROVIDER_ROLES:
                claim[_CLAIM_PROVIDER_ROLES[q]] = npi
                if q == "82":  # names: the LEIE fallback match when OIG has no NPI for a person
                    claim["rendering_last_name"] = element(seg, 3)
                    claim["rendering_first_name"] = element(seg, 4)
        elif sid == "REF":
            q = element(seg, 1)
            if claim is None:
                if q == "EI" and hl_level == "20":
                    billing["billing_tax_id"] = element(seg, 2)
            elif line is not None:
                if q == "6R":
                    line["line_control_number"] = element(seg, 2)
            elif not in_other_subscriber:
                if q == "F8":
                    claim["original_reference"] = element(seg, 2)
                elif q == "G1":
                    claim["prior_authorization"] = element(seg, 2)
        elif sid == "DMG" and claim is None:
            dob = ctx.date8(idx, sid, element(seg, 2), "02")
            target = patient if hl_level == "23" else subscriber
            target.update(patient_birth_date=dob, patient_gender=element(seg, 3))
        elif sid == "CLM":
            close_claim()
            dx_order = 0
            in_other_subscriber = False
            if not patient.get("patient_last_name"):
                patient["patient_last_name"] = subscriber.get("subscriber_last_name")
                patient["patient_first_name"] = subscriber.get("subscriber_first_name")
            clm05 = ctx.components(element(seg, 5))
            clm05 += [None] * (3 - len(clm05))
            freq = clm05[2] or None
            if freq is not None and freq not in FREQUENCY_CODES:
                ctx.error("ELEM_BAD_CODE", "CLM05-3 frequency code is not valid", idx, sid, "05-3")
            if element(seg, 1) is None:
                ctx.error("REQ_MISSING_ELEMENT", "CLM01 patient control number is missing", idx, sid, "01")
            claim = {
                **ctx.lineage(idx),
                "claim_key": f"{ctx.file_id}:{idx}",
                "claim_id": element(seg, 1),
                "total_charge": ctx.amount(idx, seg, 2, required=True),
                "facility_code": clm05[0] or None,
                "facility_code_qualifier": clm05[1] or None,
                "frequency_code": freq,
            }
        elif sid == "DTP" and claim is not None and not in_other_subscriber:
            q = element(seg, 1)
            start, end = ctx.period(idx, seg, 2, 3)
            if line is not None:
                if q == "472":
                    line["service_date"], line["service_end_date"] = start, end
            elif q == "434":
                claim["statement_from_date"], claim["statement_to_date"] = start, end
            elif q == "435":
                claim["admission_date"] = start
        elif sid == "CL1" and claim is not None:
            claim.update(
                admission_type=element(seg, 1),
                admission_source=element(seg, 2),
                discharge_status=element(seg, 3),
            )
        elif sid == "HI" and claim is not None and line is None:
            for comp in seg[1:]:
                parts = ctx.components(comp)
                if len(parts) < 2 or not parts[1]:
                    continue
                qual, code = parts[0], parts[1]
                if qual == "DR":
                    claim["drg_code"] = code
                elif qual in _PRINCIPAL_DX or qual in _OTHER_DX:
                    dx_order += 1
                    if qual in _PRINCIPAL_DX:
                        claim["principal_diagnosis"] = code
                    out["claim_diagnoses"].append(
                        {
                            **ctx.lineage(idx),
                            "claim_key": claim["claim_key"],
                            "claim_id": claim["claim_id"],
                            "diagnosis_order": dx_order,
                            "qualifier": qual,
                            "diagnosis_code": code,
                        }
                    )
        elif sid == "LX" and claim is not None:
            if line is not None:
                claim_lines.append(line)
            in_other_subscriber = False
            lx = element(seg, 1)
            line = {
                **ctx.lineage(idx),
                "claim_key": claim["claim_key"],
                "claim_id": claim["claim_id"],
                "line_number": int(lx) if lx and lx.isdigit() else None,
            }
        elif sid in ("SV1", "SV2") and line is None:
            ctx.error(
                "REQ_MISSING_SEGMENT", f"{sid} outside a service line: LX (loop 2400) is missing", idx, sid
            )
        elif sid in ("SV1", "SV2"):
            if sid == "SV1":
                proc, charge_i, basis_i, units_i = element(seg, 1), 2, 3, 4
                line["place_of_service"] = element(seg, 5)
                line["diagnosis_pointers"] = ",".join(ctx.components(element(seg, 7))) or None
            else:
                line["revenue_code"] = element(seg, 1)
                proc, charge_i, basis_i, units_i = element(seg, 2), 3, 4, 5
            parts = ctx.components(proc) + [None] * 6
            line.update(
                procedure_qualifier=parts[0] or None,
                procedure_code=parts[1] or None,
                modifier_1=parts[2] or None,
                modifier_2=parts[3] or None,
                modifier_3=parts[4] or None,
                modifier_4=parts[5] or None,
                charge_amount=ctx.amount(idx, seg, charge_i, required=True),
                unit_basis=element(seg, basis_i),
                units=ctx.number(idx, seg, units_i),
            )
    close_claim()
    if not bht_seen:
        ctx.error(
            "REQ_MISSING_SEGMENT", "837 has no BHT (beginning of hierarchical transaction)", segment_id="BHT"
        )
    return out
