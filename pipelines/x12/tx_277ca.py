"""277CA (005010X214) claim acknowledgment -> one row per claim and service-line status.

The payer (or clearinghouse) answers each claim it received before adjudicating it.  Hierarchy (HL03):
20 information source (2100A NM1: who answers), 21 information receiver (2100B: the submitter), 19
billing provider (2100C), PT patient — under which each claim (2200D) is a TRN (TRN02 = the CLM01 we sent)
followed by its STC statuses, REF*1K (the payer's claim control number), REF*D9, REF*BLT, DTP*472 and,
per service line (2220D), SVC, STC, REF*FJ, DTP*472.  STC01 is category:status:entity; STC10 and STC11
carry a second and third status in the same form.  STCs above the patient level (batch counts for the
receiver or provider) are not claim statuses and are not read.
"""

from __future__ import annotations

from pipelines.x12.context import Segment, TxContext, element

SEGMENTS_277 = frozenset({"BHT", "HL", "NM1", "TRN", "STC", "QTY", "AMT", "REF", "DTP", "SVC"})
# STC01-1 categories that turn a claim back before adjudication (the warehouse's macro ack_status_outcome)
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
STATUS_ELEMENTS = (1, 10, 11)  # STC01, STC10, STC11: one status each, same composite layout
_PATIENT = ("patient_last_name", "patient_first_name", "patient_member_id")
# a new HL forgets the names of its own level and those below it
_FORGET = {
    "20": ("source_name", "source_id", "receiver_id", "provider_id", *_PATIENT),
    "21": ("receiver_id", "provider_id", *_PATIENT),
    "19": ("provider_id", *_PATIENT),
    "PT": _PATIENT,
}


def parse_277ca(segments: list[Segment], ctx: TxContext) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"claim_acknowledgments": []}
    header: dict = {}
    level: str | None = None
    parties: dict = {}  # 2100A-D: the names and ids above the claim
    claim: dict | None = None
    line: dict | None = None
    bht_seen = False

    def close_line():
        nonlocal line
        if line is not None:
            claim["lines"].append(line)
        line = None

    def close_claim():
        nonlocal claim
        close_line()
        if claim is None:
            return
        if not claim["statuses"]:
            ctx.error("REQ_MISSING_SEGMENT", "claim acknowledgment (TRN, loop 2200D) has no STC status",
                      claim["fields"]["_trn"], "TRN")  # fmt: skip
        fields = {k: v for k, v in claim["fields"].items() if k != "_trn"}
        for status in claim["statuses"]:
            out["claim_acknowledgments"].append({**fields, **status, "ack_level": "claim"})
        for ln in claim["lines"]:
            for status in ln["statuses"]:
                out["claim_acknowledgments"].append({**fields, **ln["fields"], **status, "ack_level": "line"})
        claim = None

    def statuses(idx: int, seg: list[str]) -> list[dict]:
        first = ctx.components(element(seg, 1))
        if not first or not first[0]:
            ctx.error("REQ_MISSING_ELEMENT", "STC01 claim status is missing", idx, "STC", "01")
        common = {
            "status_date": ctx.date8(idx, "STC", element(seg, 2), "02"),
            "action_code": element(seg, 3),
            "charge_amount": ctx.amount(idx, seg, 4),
        }
        rows = []
        for seq, i in enumerate(STATUS_ELEMENTS, start=1):
            parts = ctx.components(element(seg, i))
            if not parts or not parts[0]:
                continue
            parts += [""] * (3 - len(parts))
            rows.append({**ctx.lineage(idx), **common, "status_sequence": seq, "status_category": parts[0],
                         "status_code": parts[1] or None, "entity_code": parts[2] or None})  # fmt: skip
        return rows

    for idx, seg in segments:
        sid = seg[0]
        if sid == "BHT":
            bht_seen = True
            header = {
                "bht_reference": element(seg, 3),
                "bht_date": ctx.date8(idx, sid, element(seg, 4), "04"),
            }
        elif sid == "HL":
            close_claim()
            level = element(seg, 3)
            for key in _FORGET.get(level, ()):
                parties.pop(key, None)
        elif sid == "NM1":
            if level == "20":
                parties.update(source_name=element(seg, 3), source_id=element(seg, 9))
            elif level == "21":
                parties["receiver_id"] = element(seg, 9)
            elif level == "19":
                parties["provider_id"] = element(seg, 9)
            elif level == "PT":
                parties.update(patient_last_name=element(seg, 3), patient_first_name=element(seg, 4),
                               patient_member_id=element(seg, 9))  # fmt: skip
        elif sid == "TRN" and level == "PT":
            close_claim()
            fields = {**header, **parties, "ack_claim_key": f"{ctx.file_id}:{idx}", "claim_id": element(seg, 2),
                      "_trn": idx}  # fmt: skip
            claim = {"fields": fields, "statuses": [], "lines": []}
        elif claim is None:
            if sid == "SVC":
                ctx.error("REQ_MISSING_SEGMENT", "SVC outside a claim: TRN (loop 2200D) is missing", idx, sid)
            # TRN, STC, QTY and AMT above the patient level answer the batch, not a claim
        elif sid == "STC":
            (line if line is not None else claim)["statuses"].extend(statuses(idx, seg))
        elif sid == "SVC":
            close_line()
            procedure = ctx.components(element(seg, 1))
            line = {"fields": {"line_procedure_code": procedure[1] if len(procedure) > 1 and procedure[1] else None,
                               "line_charge": ctx.amount(idx, seg, 2)}, "statuses": []}  # fmt: skip
        elif sid == "REF":
            qualifier, value = element(seg, 1), element(seg, 2)
            if line is not None:
                if qualifier == "FJ":
                    line["fields"]["line_control_number"] = value
            elif qualifier in ("1K", "D9", "BLT"):
                name = {"1K": "payer_claim_control_number", "D9": "clearinghouse_trace", "BLT": "bill_type"}
                claim["fields"][name[qualifier]] = value
        elif sid == "DTP" and element(seg, 1) == "472":
            start, end = ctx.period(idx, seg, 2, 3)
            target = line if line is not None else claim
            target["fields"].update(service_from_date=start, service_to_date=end)
    close_claim()
    if not bht_seen:
        ctx.error("REQ_MISSING_SEGMENT", "277CA has no BHT (beginning of hierarchical transaction) segment",
                  segment_id="BHT")  # fmt: skip
    return out
