"""Explicit schemas of every table the parsers publish.

Money is ``Decimal(18,2)`` (exact, as X12 amounts are), dates are ``Date``.  Parsers emit plain
strings; ``to_frame`` casts once per table, so a schema change is made here and nowhere else.
Every X12 row carries lineage: file id, ISA13, GS06, ST02 and the segment index it came from.
"""

from __future__ import annotations

import functools

import polars as pl

MONEY = pl.Decimal(18, 2)
_TYPES = {"str": pl.String, "money": MONEY, "date": pl.Date, "int": pl.Int64, "float": pl.Float64}

# st_index (the ST segment's position in the file) identifies a transaction set even when a sender reuses
# control numbers across interchanges of one file, as real batches do.
LINEAGE = [("file_id", "str"), ("isa13", "str"), ("gs06", "str"), ("st02", "str"), ("st_index", "int"),
           ("seg_index", "int")]  # fmt: skip

TABLES: dict[str, list[tuple[str, str]]] = {
    "x12_transactions": [
        *LINEAGE,
        ("transaction_type", "str"),
        ("version", "str"),
        ("sender_id", "str"),
        ("receiver_id", "str"),
        ("interchange_date", "date"),
        ("segment_count", "int"),
        ("claim_count", "int"),
        # FNV-1a 64 of the set's segments (ST through SE): with sender_id, isa13, gs06 and st02, it tells a
        # set already loaded from another file (pipelines.ingest.publish)
        ("content_hash", "str"),
    ],
    # ---------- 837P / 837I
    "claims": [
        *LINEAGE,
        ("claim_key", "str"),
        ("transaction_type", "str"),
        ("submission_date", "date"),
        ("batch_reference", "str"),
        ("submitter_name", "str"),
        ("receiver_name", "str"),
        ("billing_npi", "str"),
        ("billing_name", "str"),
        ("billing_tax_id", "str"),
        ("billing_taxonomy", "str"),
        ("billing_state", "str"),
        ("payer_responsibility", "str"),
        ("filing_indicator", "str"),
        ("subscriber_member_id", "str"),
        ("subscriber_last_name", "str"),
        ("subscriber_first_name", "str"),
        ("payer_name", "str"),
        ("payer_id", "str"),
        ("patient_last_name", "str"),
        ("patient_first_name", "str"),
        ("patient_birth_date", "date"),
        ("patient_gender", "str"),
        ("claim_id", "str"),
        ("total_charge", "money"),
        ("facility_code", "str"),
        ("facility_code_qualifier", "str"),
        ("frequency_code", "str"),
        ("original_reference", "str"),
        ("prior_authorization", "str"),
        ("statement_from_date", "date"),
        ("statement_to_date", "date"),
        ("admission_date", "date"),
        ("admission_type", "str"),
        ("admission_source", "str"),
        ("discharge_status", "str"),
        ("drg_code", "str"),
        ("principal_diagnosis", "str"),
        ("rendering_npi", "str"),
        ("rendering_last_name", "str"),
        ("rendering_first_name", "str"),
        ("rendering_taxonomy", "str"),
        ("referring_npi", "str"),
        ("attending_npi", "str"),
        ("operating_npi", "str"),
        ("facility_npi", "str"),
    ],
    "claim_diagnoses": [
        *LINEAGE,
        ("claim_key", "str"),
        ("claim_id", "str"),
        ("diagnosis_order", "int"),
        ("qualifier", "str"),
        ("diagnosis_code", "str"),
    ],
    "claim_lines": [
        *LINEAGE,
        ("claim_key", "str"),
        ("claim_id", "str"),
        ("line_number", "int"),
        ("procedure_qualifier", "str"),
        ("procedure_code", "str"),
        ("modifier_1", "str"),
        ("modifier_2", "str"),
        ("modifier_3", "str"),
        ("modifier_4", "str"),
        ("revenue_code", "str"),
        ("charge_amount", "money"),
        ("unit_basis", "str"),
        ("units", "float"),
        ("place_of_service", "str"),
        ("diagnosis_pointers", "str"),
        ("service_date", "date"),
        ("service_end_date", "date"),
        ("line_control_number", "str"),
        ("rendering_npi", "str"),
    ],
    # ---------- 835
    "remit_payments": [
        *LINEAGE,
        ("transaction_handling", "str"),
        ("total_paid", "money"),
        ("credit_debit", "str"),
        ("payment_method", "str"),
        ("payment_date", "date"),
        ("trace_number", "str"),
        ("payer_tax_id", "str"),
        ("production_date", "date"),
        ("payer_name", "str"),
        ("payer_id", "str"),
        ("payee_name", "str"),
        ("payee_npi", "str"),
        ("payee_tax_id", "str"),
        ("claim_count", "int"),
    ],
    "remit_claims": [
        *LINEAGE,
        ("remit_claim_key", "str"),
        ("claim_id", "str"),
        ("status_code", "str"),
        ("charge_amount", "money"),
        ("paid_amount", "money"),
        ("patient_responsibility_amount", "money"),
        ("filing_indicator", "str"),
        ("payer_claim_control_number", "str"),
        ("facility_type_code", "str"),
        ("frequency_code", "str"),
        ("drg_code", "str"),
        ("patient_last_name", "str"),
        ("patient_first_name", "str"),
        ("patient_member_id", "str"),
        ("insured_member_id", "str"),
        ("rendering_npi", "str"),
        ("crossover_payer_id", "str"),
        ("crossover_payer_name", "str"),
        ("statement_from_date", "date"),
        ("statement_to_date", "date"),
        ("received_date", "date"),
        ("payment_date", "date"),
        ("production_date", "date"),
        ("payer_name", "str"),
        ("payer_id", "str"),
        ("payee_npi", "str"),
        ("trace_number", "str"),
    ],
    "remit_lines": [
        *LINEAGE,
        ("remit_claim_key", "str"),
        ("claim_id", "str"),
        ("line_number", "int"),
        ("procedure_qualifier", "str"),
        ("procedure_code", "str"),
        ("modifier_1", "str"),
        ("modifier_2", "str"),
        ("modifier_3", "str"),
        ("modifier_4", "str"),
        ("charge_amount", "money"),
        ("paid_amount", "money"),
        ("revenue_code", "str"),
        ("units_paid", "float"),
        ("original_procedure_code", "str"),
        ("original_units", "float"),
        ("service_date", "date"),
        ("line_control_number", "str"),
        ("allowed_amount", "money"),
    ],
    "remit_adjustments": [
        *LINEAGE,
        ("remit_claim_key", "str"),
        ("claim_id", "str"),
        ("line_number", "int"),
        ("adjustment_level", "str"),
        ("group_code", "str"),
        ("reason_code", "str"),
        ("amount", "money"),
        ("quantity", "float"),
    ],
    "remit_remarks": [
        *LINEAGE,
        ("remit_claim_key", "str"),
        ("claim_id", "str"),
        ("line_number", "int"),
        ("remark_level", "str"),
        ("source_segment", "str"),
        ("remark_code", "str"),
    ],
    "remit_provider_adjustments": [
        *LINEAGE,
        ("provider_id", "str"),
        ("fiscal_period_date", "date"),
        ("reason_code", "str"),
        ("reference_id", "str"),
        ("amount", "money"),
    ],
    # ---------- 999 implementation acknowledgment (005010X231A1)
    # one row per AK2 (a transaction set the receiver answered), carrying its group's AK1/AK9; a group
    # answered without any AK2 gets one row with the set columns null
    "ack_set_responses": [
        *LINEAGE,
        ("functional_id", "str"),  # AK101: HC = 837 claims
        ("group_control", "str"),  # AK102: the GS06 of the group acknowledged
        ("group_version", "str"),  # AK103
        ("set_type", "str"),  # AK201
        ("set_control", "str"),  # AK202: the ST02 of the set acknowledged
        ("set_version", "str"),  # AK203
        ("set_status", "str"),  # IK501: A accepted, E accepted with errors, M/R/W/X rejected
        ("set_error_codes", "str"),  # IK502-IK506, comma-separated
        ("segment_errors", "int"),  # IK3 segments under the AK2
        ("group_status", "str"),  # AK901: A, E, P (partially accepted), M/R/W/X rejected
        ("group_sets_included", "int"),  # AK902
        ("group_sets_received", "int"),  # AK903
        ("group_sets_accepted", "int"),  # AK904
        ("group_error_codes", "str"),  # AK905-AK909, comma-separated
    ],
    # one row per IK4 (an element in error), or per IK3 when it names no element
    "ack_segment_errors": [
        *LINEAGE,
        ("group_control", "str"),
        ("set_control", "str"),
        ("segment_id", "str"),  # IK301
        ("segment_position", "int"),  # IK302: position in the acknowledged set (ST = 1)
        ("loop_id", "str"),  # IK303
        ("segment_error_code", "str"),  # IK304
        ("element_position", "int"),  # IK401-1
        ("component_position", "int"),  # IK401-2
        ("element_reference", "str"),  # IK402
        ("element_error_code", "str"),  # IK403
        ("claim_id", "str"),  # CTX*CLM01: the patient control number of the claim in error
    ],
    # ---------- 277CA claim acknowledgment (005010X214)
    # one row per status (STC01, STC10, STC11) of a claim (loop 2200D) or service line (2220D)
    "claim_acknowledgments": [
        *LINEAGE,
        ("ack_claim_key", "str"),  # <file id>:<segment index of the claim's TRN>
        ("ack_level", "str"),  # claim | line
        ("status_sequence", "int"),  # 1 = STC01, 2 = STC10, 3 = STC11
        ("bht_reference", "str"),
        ("bht_date", "date"),
        ("source_name", "str"),  # 2100A: the payer or clearinghouse that acknowledges
        ("source_id", "str"),
        ("receiver_id", "str"),  # 2100B: the submitter
        ("provider_id", "str"),  # 2100C: NM109 (the billing NPI when NM108 = XX)
        ("patient_last_name", "str"),
        ("patient_first_name", "str"),
        ("patient_member_id", "str"),
        ("claim_id", "str"),  # TRN02 of 2200D: the CLM01 the provider sent
        ("status_category", "str"),  # STC01-1: A1-A8 (A3/A6/A7/A8: rejected)
        ("status_code", "str"),  # STC01-2
        ("entity_code", "str"),  # STC01-3
        ("status_date", "date"),  # STC02
        ("action_code", "str"),  # STC03: WQ accepted, U rejected
        ("charge_amount", "money"),  # STC04
        ("payer_claim_control_number", "str"),  # REF*1K
        ("clearinghouse_trace", "str"),  # REF*D9
        ("bill_type", "str"),  # REF*BLT
        ("service_from_date", "date"),  # DTP*472
        ("service_to_date", "date"),
        ("line_procedure_code", "str"),  # SVC01-2
        ("line_charge", "money"),  # SVC02
        ("line_control_number", "str"),  # REF*FJ
    ],
    # ---------- validation
    "findings": [
        ("file_id", "str"),
        ("file_name", "str"),
        ("severity", "str"),
        ("code", "str"),
        ("message", "str"),
        ("seg_index", "int"),
        ("segment_id", "str"),
        ("element", "str"),
        ("isa13", "str"),
        ("gs06", "str"),
        ("st02", "str"),
    ],
}

X12_837_TABLES = ("claims", "claim_diagnoses", "claim_lines")
X12_835_TABLES = (
    "remit_payments",
    "remit_claims",
    "remit_lines",
    "remit_adjustments",
    "remit_remarks",
    "remit_provider_adjustments",
)
X12_ACK_TABLES = ("ack_set_responses", "ack_segment_errors", "claim_acknowledgments")


def polars_schema(table: str) -> pl.Schema:
    return pl.Schema({name: _TYPES[kind] for name, kind in TABLES[table]})


def to_frame(table: str, rows: list[dict]) -> pl.DataFrame:
    """Build a typed frame from parser rows (strings), casting money and dates in one vectorised pass."""
    cols = TABLES[table]
    data = {name: [r.get(name) for r in rows] for name, _ in cols}
    frame = pl.DataFrame(
        {
            name: pl.Series(name, data[name], dtype=pl.Int64 if kind == "int" else pl.String)
            for name, kind in cols
        }
    )
    casts = []
    for name, kind in cols:
        if kind == "money":
            casts.append(pl.col(name).cast(MONEY))
        elif kind == "date":
            casts.append(pl.col(name).str.to_date("%Y%m%d", strict=False))
        elif kind == "float":
            casts.append(pl.col(name).cast(pl.Float64))
    return frame.with_columns(casts) if casts else frame


@functools.cache
def empty_frame(table: str) -> pl.DataFrame:
    """A typed empty table (cached: polars frames are immutable, and most files fill few tables)."""
    return pl.DataFrame(schema=polars_schema(table))
