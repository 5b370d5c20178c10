"""999 (005010X231A1) implementation acknowledgment -> set responses and segment errors.

A 999 answers the functional groups of a file we sent: AK1 names the group (its GS06), each AK2 a
transaction set (its ST02) with IK3/IK4 for the segments and elements in error and IK5 for the set's
verdict, AK9 the group's verdict and counts.  CTX*CLM01 names the claim an error sits in (the business
unit context of X231A1), which ties a rejection to one claim, not only to a set.
"""

from __future__ import annotations

from pipelines.x12.codes import GROUP_STATUS_CODES, SET_STATUS_CODES
from pipelines.x12.context import Segment, TxContext, element

SEGMENTS_999 = frozenset({"AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9"})


def _codes(seg: list[str], first: int, last: int) -> str | None:
    codes = [c for i in range(first, last + 1) if (c := element(seg, i)) is not None]
    return ",".join(codes) if codes else None


def _count(ctx: TxContext, idx: int, sid: str, ref: str, value: str | None) -> int | None:
    """A count or position (X12 N0, at most 18 digits here: it must fit a 64-bit column); anything else is an
    error naming the element."""
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        ctx.error("ELEM_BAD_NUMBER", "not a valid number", idx, sid, ref)
        return None
    return int(value)


def parse_999(segments: list[Segment], ctx: TxContext) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {"ack_set_responses": [], "ack_segment_errors": []}
    group: dict | None = None  # the open AK1 with its set rows, emitted at AK9
    aset: dict | None = None  # the open AK2
    errors: list[dict] | None = (
        None  # the open IK3's rows (one per IK4), emitted when the next IK3 or AK2 starts
    )
    ik3: dict = {}
    groups_seen = 0

    def close_error():
        nonlocal errors
        if errors is not None:
            out["ack_segment_errors"].extend(errors or [dict(ik3)])
        errors = None

    def close_set():
        nonlocal aset
        close_error()
        if aset is not None:
            if aset.pop("_ik5") is False:
                ctx.error("REQ_MISSING_SEGMENT", "transaction set response (AK2) has no IK5", aset["seg_index"],
                          "AK2")  # fmt: skip
            group["sets"].append(aset)
        aset = None

    def close_group(ak9_seen: bool):
        nonlocal group
        close_set()
        if group is not None:
            if not ak9_seen:
                ctx.error("REQ_MISSING_SEGMENT", "functional group response (AK1) has no AK9", group["row"]["seg_index"],
                          "AK1")  # fmt: skip
            rows = group["sets"] or [{**group["row"]}]
            for r in rows:
                out["ack_set_responses"].append({**group["row"], **r, **group["verdict"]})
        group = None

    for idx, seg in segments:
        sid = seg[0]
        if sid == "AK1":
            close_group(False)
            groups_seen += 1
            if element(seg, 2) is None:
                ctx.error("REQ_MISSING_ELEMENT", "AK102 group control number is missing", idx, sid, "02")
            row = {**ctx.lineage(idx), "functional_id": element(seg, 1), "group_control": element(seg, 2),
                   "group_version": element(seg, 3)}  # fmt: skip
            group = {"row": row, "sets": [], "verdict": {}}
        elif group is None:
            ctx.error(
                "REQ_MISSING_SEGMENT", f"{sid} outside a functional group response: AK1 is missing", idx, sid
            )
        elif sid == "AK2":
            close_set()
            if element(seg, 2) is None:
                ctx.error(
                    "REQ_MISSING_ELEMENT", "AK202 transaction set control number is missing", idx, sid, "02"
                )
            aset = {**ctx.lineage(idx), "set_type": element(seg, 1), "set_control": element(seg, 2),
                    "set_version": element(seg, 3), "segment_errors": 0, "_ik5": False}  # fmt: skip
        elif sid == "AK9":
            status = element(seg, 1)
            if status is None:
                ctx.error("REQ_MISSING_ELEMENT", "AK901 functional group acknowledgment code is missing", idx, sid,
                          "01")  # fmt: skip
            elif status not in GROUP_STATUS_CODES:
                ctx.error(
                    "ELEM_BAD_CODE", "AK901 functional group acknowledgment code is not valid", idx, sid, "01"
                )
            group["verdict"] = {
                "group_status": status,
                "group_sets_included": _count(ctx, idx, sid, "02", element(seg, 2)),
                "group_sets_received": _count(ctx, idx, sid, "03", element(seg, 3)),
                "group_sets_accepted": _count(ctx, idx, sid, "04", element(seg, 4)),
                "group_error_codes": _codes(seg, 5, 9),
            }
            close_group(True)
        elif aset is None:
            ctx.error(
                "REQ_MISSING_SEGMENT", f"{sid} outside a transaction set response: AK2 is missing", idx, sid
            )
        elif sid == "IK3":
            close_error()
            aset["segment_errors"] += 1
            ik3 = {**ctx.lineage(idx), "group_control": group["row"]["group_control"],
                   "set_control": aset["set_control"], "segment_id": element(seg, 1),
                   "segment_position": _count(ctx, idx, sid, "02", element(seg, 2)), "loop_id": element(seg, 3),
                   "segment_error_code": element(seg, 4)}  # fmt: skip
            errors = []
        elif sid == "IK4":
            if errors is None:
                ctx.error("REQ_MISSING_SEGMENT", "IK4 outside a segment error: IK3 is missing", idx, sid)
                continue
            position = ctx.components(element(seg, 1))
            errors.append(
                {
                    **ik3,
                    **ctx.lineage(idx),
                    "element_position": _count(ctx, idx, sid, "01-1", position[0] if position else None),
                    "component_position": _count(
                        ctx, idx, sid, "01-2", position[1] if len(position) > 1 else None
                    ),
                    "element_reference": element(seg, 2),
                    "element_error_code": element(seg, 3),
                }
            )
        elif sid == "CTX":
            context = ctx.components(element(seg, 1))
            if errors is not None and len(context) > 1 and context[0] == "CLM01" and context[1]:
                ik3["claim_id"] = context[1]
                for r in errors:
                    r["claim_id"] = context[1]
        elif sid == "IK5":
            close_error()
            status = element(seg, 1)
            if status is None:
                ctx.error(
                    "REQ_MISSING_ELEMENT",
                    "IK501 transaction set acknowledgment code is missing",
                    idx,
                    sid,
                    "01",
                )
            elif status not in SET_STATUS_CODES:
                ctx.error(
                    "ELEM_BAD_CODE", "IK501 transaction set acknowledgment code is not valid", idx, sid, "01"
                )
            aset.update(set_status=status, set_error_codes=_codes(seg, 2, 6), _ik5=True)
    close_group(False)
    if groups_seen == 0:
        ctx.error(
            "REQ_MISSING_SEGMENT", "999 has no AK1 (functional group response) segment", segment_id="AK1"
        )
    return out
