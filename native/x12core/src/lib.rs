//! revcycle X12 core: a streaming 835 / 837P / 837I / 999 / 277CA parser and validator with no dependencies
//! beyond std.
//!
//! The rules are the ones of the Python reference engine (pipelines/x12/parser.py and tx_*.py): the same tables,
//! the same findings, the same 999-style rejection of a transaction set with errors.  Python loads this
//! library with ctypes and wraps its column buffers as Arrow arrays without copying (pipelines/x12/native.py).
//! Tests run both engines on every sample, the malformed corpus and mutated files and demand equal output.
//!
//! Memory: the input is read in 1 MiB blocks and each segment is handled as soon as its terminator is
//! seen, so only the output columns grow with the file.

use std::ffi::{c_char, CStr};
use std::io::Read;

// ------------------------------------------------------------------------------------------ schema

#[derive(Clone, Copy, PartialEq, Debug)]
#[repr(u8)]
pub enum Kind {
    Str = 0,
    Int = 1,
    Money = 2,
    Date = 3,
    Float = 4,
}
use Kind::*;

type Schema = &'static [(&'static str, Kind)];

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn find(s: Schema, name: &str) -> usize {
    let mut i = 0;
    while i < s.len() {
        if str_eq(s[i].0, name) {
            return i;
        }
        i += 1;
    }
    panic!("unknown column")
}

/// Column index resolved at compile time: a typo is a build error, not a silent null.
macro_rules! c {
    ($s:ident, $n:literal) => {{
        const I: usize = find($s, $n);
        I
    }};
}

const X12_TRANSACTIONS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("transaction_type", Str), ("version", Str), ("sender_id", Str), ("receiver_id", Str),
    ("interchange_date", Date), ("segment_count", Int), ("claim_count", Int), ("content_hash", Str),
];
const CLAIMS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("claim_key", Str), ("transaction_type", Str), ("submission_date", Date), ("batch_reference", Str),
    ("submitter_name", Str), ("receiver_name", Str), ("billing_npi", Str), ("billing_name", Str),
    ("billing_tax_id", Str), ("billing_taxonomy", Str), ("billing_state", Str), ("payer_responsibility", Str),
    ("filing_indicator", Str), ("subscriber_member_id", Str), ("subscriber_last_name", Str),
    ("subscriber_first_name", Str), ("payer_name", Str), ("payer_id", Str), ("patient_last_name", Str),
    ("patient_first_name", Str), ("patient_birth_date", Date), ("patient_gender", Str), ("claim_id", Str),
    ("total_charge", Money), ("facility_code", Str), ("facility_code_qualifier", Str), ("frequency_code", Str),
    ("original_reference", Str), ("prior_authorization", Str), ("statement_from_date", Date),
    ("statement_to_date", Date), ("admission_date", Date), ("admission_type", Str), ("admission_source", Str),
    ("discharge_status", Str), ("drg_code", Str), ("principal_diagnosis", Str), ("rendering_npi", Str),
    ("rendering_last_name", Str), ("rendering_first_name", Str), ("rendering_taxonomy", Str),
    ("referring_npi", Str), ("attending_npi", Str), ("operating_npi", Str), ("facility_npi", Str),
];
const CLAIM_DIAGNOSES: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("claim_key", Str), ("claim_id", Str), ("diagnosis_order", Int), ("qualifier", Str), ("diagnosis_code", Str),
];
const CLAIM_LINES: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("claim_key", Str), ("claim_id", Str), ("line_number", Int), ("procedure_qualifier", Str),
    ("procedure_code", Str), ("modifier_1", Str), ("modifier_2", Str), ("modifier_3", Str), ("modifier_4", Str),
    ("revenue_code", Str), ("charge_amount", Money), ("unit_basis", Str), ("units", Float),
    ("place_of_service", Str), ("diagnosis_pointers", Str), ("service_date", Date), ("service_end_date", Date),
    ("line_control_number", Str), ("rendering_npi", Str),
];
const REMIT_PAYMENTS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("transaction_handling", Str), ("total_paid", Money), ("credit_debit", Str), ("payment_method", Str),
    ("payment_date", Date), ("trace_number", Str), ("payer_tax_id", Str), ("production_date", Date),
    ("payer_name", Str), ("payer_id", Str), ("payee_name", Str), ("payee_npi", Str), ("payee_tax_id", Str),
    ("claim_count", Int),
];
const REMIT_CLAIMS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("remit_claim_key", Str), ("claim_id", Str), ("status_code", Str), ("charge_amount", Money),
    ("paid_amount", Money), ("patient_responsibility_amount", Money), ("filing_indicator", Str),
    ("payer_claim_control_number", Str), ("facility_type_code", Str), ("frequency_code", Str), ("drg_code", Str),
    ("patient_last_name", Str), ("patient_first_name", Str), ("patient_member_id", Str),
    ("insured_member_id", Str), ("rendering_npi", Str), ("crossover_payer_id", Str), ("crossover_payer_name", Str),
    ("statement_from_date", Date),
    ("statement_to_date", Date), ("received_date", Date), ("payment_date", Date), ("production_date", Date),
    ("payer_name", Str), ("payer_id", Str), ("payee_npi", Str), ("trace_number", Str),
];
const REMIT_LINES: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("remit_claim_key", Str), ("claim_id", Str), ("line_number", Int), ("procedure_qualifier", Str),
    ("procedure_code", Str), ("modifier_1", Str), ("modifier_2", Str), ("modifier_3", Str), ("modifier_4", Str),
    ("charge_amount", Money), ("paid_amount", Money), ("revenue_code", Str), ("units_paid", Float),
    ("original_procedure_code", Str), ("original_units", Float), ("service_date", Date),
    ("line_control_number", Str), ("allowed_amount", Money),
];
const REMIT_ADJUSTMENTS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("remit_claim_key", Str), ("claim_id", Str), ("line_number", Int), ("adjustment_level", Str),
    ("group_code", Str), ("reason_code", Str), ("amount", Money), ("quantity", Float),
];
const REMIT_REMARKS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("remit_claim_key", Str), ("claim_id", Str), ("line_number", Int), ("remark_level", Str),
    ("source_segment", Str), ("remark_code", Str),
];
const REMIT_PROVIDER_ADJUSTMENTS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("provider_id", Str), ("fiscal_period_date", Date), ("reason_code", Str), ("reference_id", Str),
    ("amount", Money),
];
const ACK_SET_RESPONSES: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("functional_id", Str), ("group_control", Str), ("group_version", Str), ("set_type", Str), ("set_control", Str),
    ("set_version", Str), ("set_status", Str), ("set_error_codes", Str), ("segment_errors", Int),
    ("group_status", Str), ("group_sets_included", Int), ("group_sets_received", Int), ("group_sets_accepted", Int),
    ("group_error_codes", Str),
];
const ACK_SEGMENT_ERRORS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("group_control", Str), ("set_control", Str), ("segment_id", Str), ("segment_position", Int), ("loop_id", Str),
    ("segment_error_code", Str), ("element_position", Int), ("component_position", Int), ("element_reference", Str),
    ("element_error_code", Str), ("claim_id", Str),
];
const CLAIM_ACKNOWLEDGMENTS: Schema = &[
    ("file_id", Str), ("isa13", Str), ("gs06", Str), ("st02", Str), ("st_index", Int), ("seg_index", Int),
    ("ack_claim_key", Str), ("ack_level", Str), ("status_sequence", Int), ("bht_reference", Str), ("bht_date", Date),
    ("source_name", Str), ("source_id", Str), ("receiver_id", Str), ("provider_id", Str), ("patient_last_name", Str),
    ("patient_first_name", Str), ("patient_member_id", Str), ("claim_id", Str), ("status_category", Str),
    ("status_code", Str), ("entity_code", Str), ("status_date", Date), ("action_code", Str), ("charge_amount", Money),
    ("payer_claim_control_number", Str), ("clearinghouse_trace", Str), ("bill_type", Str),
    ("service_from_date", Date), ("service_to_date", Date), ("line_procedure_code", Str), ("line_charge", Money),
    ("line_control_number", Str),
];
// Internal tables read by the Python wrapper (not published).
const FINDINGS: Schema = &[
    ("severity", Str), ("code", Str), ("message", Str), ("seg_index", Int), ("segment_id", Str),
    ("element", Str), ("isa13", Str), ("gs06", Str), ("st02", Str),
];
const SUMMARIES: Schema = &[
    ("st02", Str), ("transaction_type", Str), ("accepted", Int), ("claims", Int), ("lines", Int),
    ("errors", Int), ("warnings", Int),
];

const TABLES: &[(&str, Schema)] = &[
    ("x12_transactions", X12_TRANSACTIONS), ("claims", CLAIMS), ("claim_diagnoses", CLAIM_DIAGNOSES),
    ("claim_lines", CLAIM_LINES), ("remit_payments", REMIT_PAYMENTS), ("remit_claims", REMIT_CLAIMS),
    ("remit_lines", REMIT_LINES), ("remit_adjustments", REMIT_ADJUSTMENTS), ("remit_remarks", REMIT_REMARKS),
    ("remit_provider_adjustments", REMIT_PROVIDER_ADJUSTMENTS), ("ack_set_responses", ACK_SET_RESPONSES),
    ("ack_segment_errors", ACK_SEGMENT_ERRORS), ("claim_acknowledgments", CLAIM_ACKNOWLEDGMENTS), ("_findings", FINDINGS),
    ("_summaries", SUMMARIES),
];
const T_TX: usize = 0;
const T_CLAIMS: usize = 1;
const T_DX: usize = 2;
const T_CLINES: usize = 3;
const T_PAY: usize = 4;
const T_RCLAIMS: usize = 5;
const T_RLINES: usize = 6;
const T_RADJ: usize = 7;
const T_RREM: usize = 8;
const T_PLB: usize = 9;
const T_ACKSET: usize = 10;
const T_ACKERR: usize = 11;
const T_CLAIMACK: usize = 12;
const T_FIND: usize = 13;
const T_SUM: usize = 14;
const N_DATA_TABLES: usize = 13;

// ------------------------------------------------------------------------------------------ columns

pub struct Col {
    kind: Kind,
    data: Vec<u8>,
    views: Vec<u128>,
    ints: Vec<i64>,
    money: Vec<i128>,
    dates: Vec<i32>,
    floats: Vec<f64>,
    bitmap: Vec<u8>,
    n: usize,
    last_long: (usize, usize),
    // Most columns of a file are all null (an 835 rarely sends SVC06 or REF*6R) or hold one value
    // (lineage of a one-ST file, a payer's qualifier): such a column stays a count and, for CONST, the one
    // value, until a row differs.  The wrapper hands it to polars as a scalar column, so a 423k-line remit
    // spends no 16-byte view per row on modifier_4 or st02.
    mode: u8,
    k_str: Vec<u8>,
    k_num: i128,
    k_float: f64,
}

const MATERIAL: u8 = 0;
const NULLS: u8 = 1;
const CONST: u8 = 2;

/// Latin-1 in, UTF-8 out: X12 allows the extended character set and Arrow strings must be UTF-8.
fn push_latin1(out: &mut Vec<u8>, s: &[u8]) {
    if s.is_ascii() {
        out.extend_from_slice(s);
    } else {
        for &b in s {
            if b < 0x80 {
                out.push(b);
            } else {
                out.push(0xC0 | (b >> 6));
                out.push(0x80 | (b & 0x3F));
            }
        }
    }
}

/// `utf8` equals `latin1` transcoded (push_latin1), without building the transcoded copy.
fn latin1_eq(utf8: &[u8], latin1: &[u8]) -> bool {
    if latin1.is_ascii() {
        return utf8 == latin1;
    }
    let mut i = 0;
    for &b in latin1 {
        let enc: &[u8] = if b < 0x80 { &[b][..] } else { &[0xC0 | (b >> 6), 0x80 | (b & 0x3F)][..] };
        if utf8.get(i..i + enc.len()) != Some(enc) {
            return false;
        }
        i += enc.len();
    }
    i == utf8.len()
}

impl Col {
    fn new(kind: Kind) -> Col {
        Col { kind, data: vec![], views: vec![], ints: vec![], money: vec![], dates: vec![],
              floats: vec![], bitmap: vec![], n: 0, last_long: (0, 0), mode: NULLS, k_str: vec![], k_num: 0,
              k_float: 0.0 }
    }
    fn len(&self) -> usize {
        self.n
    }
    /// Leave the lazy mode: write out the rows counted so far, then append as usual.
    fn materialize(&mut self) {
        let (mode, rows) = (self.mode, self.n);
        self.mode = MATERIAL;
        self.n = 0;
        let k = std::mem::take(&mut self.k_str);
        for _ in 0..rows {
            match (mode, self.kind) {
                (NULLS, _) => self.push_null(),
                (_, Str) => self.push_utf8(&k),
                (_, _) => self.push_num(self.k_num, self.k_float),
            }
        }
    }
    /// The lazy modes: true when the row was absorbed by the count.
    fn lazy_null(&mut self) -> bool {
        match self.mode {
            NULLS => {
                self.n += 1;
                true
            }
            CONST => {
                self.materialize();
                false
            }
            _ => false,
        }
    }
    fn lazy_str(&mut self, s: &[u8], latin1: bool) -> bool {
        match self.mode {
            MATERIAL => false,
            NULLS if self.n == 0 => {
                self.k_str.clear();
                if latin1 {
                    push_latin1(&mut self.k_str, s);
                } else {
                    self.k_str.extend_from_slice(s);
                }
                (self.mode, self.n) = (CONST, 1);
                true
            }
            CONST if if latin1 { latin1_eq(&self.k_str, s) } else { self.k_str == s } => {
                self.n += 1;
                true
            }
            _ => {
                self.materialize();
                false
            }
        }
    }
    fn lazy_num(&mut self, v: i128, f: f64) -> bool {
        if self.mode == MATERIAL {
            return false;
        }
        if self.mode == NULLS && self.n == 0 {
            (self.mode, self.k_num, self.k_float, self.n) = (CONST, v, f, 1);
            return true;
        }
        if self.mode == CONST && self.k_num == v && self.k_float.to_bits() == f.to_bits() {
            self.n += 1;
            return true;
        }
        self.materialize();
        false
    }
    fn bit(&mut self, set: bool) {
        if self.n % 8 == 0 {
            self.bitmap.push(0);
        }
        if set {
            self.bitmap[self.n >> 3] |= 1 << (self.n & 7);
        }
        self.n += 1;
    }
    fn push_null(&mut self) {
        if self.lazy_null() {
            return;
        }
        self.bit(false);
        match self.kind {
            Str => self.views.push(0),
            Int => self.ints.push(0),
            Money => self.money.push(0),
            Date => self.dates.push(0),
            Float => self.floats.push(0.0),
        }
    }
    /// Arrow string views (what polars stores natively, so it takes them without a copy): strings of up
    /// to 12 bytes live inside the 16-byte view, longer ones in the data buffer with a 4-byte prefix.
    fn push_view(&mut self, start: usize) {
        let len = self.data.len() - start;
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&(len as u32).to_le_bytes());
        if len <= 12 {
            b[4..4 + len].copy_from_slice(&self.data[start..]);
            self.data.truncate(start);
        } else {
            b[4..8].copy_from_slice(&self.data[start..start + 4]);
            // Lineage and claim keys repeat row after row (file id, the claim a line belongs to): point
            // at the previous copy instead of storing the bytes again.
            let mut at = start;
            let (ls, ll) = self.last_long;
            if ll == len && self.data[ls..ls + ll] == self.data[start..] {
                self.data.truncate(start);
                at = ls;
            } else {
                self.last_long = (start, len);
            }
            // buffer index 0; offsets are u32, so one column's long strings are limited to 4 GiB
            b[12..16].copy_from_slice(&(at as u32).to_le_bytes());
        }
        self.views.push(u128::from_le_bytes(b));
    }
    fn push_str(&mut self, s: &[u8]) {
        if self.lazy_str(s, true) {
            return;
        }
        self.bit(true);
        let start = self.data.len();
        push_latin1(&mut self.data, s);
        self.push_view(start);
    }
    /// Already UTF-8 (our own messages): no transcoding.
    fn push_utf8(&mut self, s: &[u8]) {
        if self.lazy_str(s, false) {
            return;
        }
        self.bit(true);
        let start = self.data.len();
        self.data.extend_from_slice(s);
        self.push_view(start);
    }
    fn push_opt_str(&mut self, s: Option<&[u8]>) {
        match s {
            Some(v) => self.push_str(v),
            None => self.push_null(),
        }
    }
    fn push_num(&mut self, v: i128, f: f64) {
        if self.lazy_num(v, f) {
            return;
        }
        self.bit(true);
        match self.kind {
            Int => self.ints.push(v as i64),
            Money => self.money.push(v),
            Date => self.dates.push(v as i32),
            Float => self.floats.push(f),
            Str => unreachable!(),
        }
    }
    fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        if self.mode != MATERIAL {
            self.n = n;
            if n == 0 {
                self.mode = NULLS;
            }
            return;
        }
        self.n = n;
        self.bitmap.truncate(n.div_ceil(8));
        if n % 8 != 0 {
            let last = self.bitmap.len() - 1;
            self.bitmap[last] &= (1u8 << (n % 8)) - 1;
        }
        match self.kind {
            // The long strings of a withdrawn transaction set stay in the data buffer, unreferenced:
            // cheaper than tracking where each column's data stood when the set began.
            Str => self.views.truncate(n),
            Int => self.ints.truncate(n),
            Money => self.money.truncate(n),
            Date => self.dates.truncate(n),
            Float => self.floats.truncate(n),
        }
    }
    /// Rows the buffers hold: all of them, one for a CONST column (its value), none for NULLS.
    fn stored(&self) -> usize {
        match self.mode {
            MATERIAL => self.n,
            CONST => 1,
            _ => 0,
        }
    }
    /// Append the next file's rows of this column (x12_parse_paths: many small files, one set of
    /// columns).  Called before finish(), while a lazy column still holds its count and value.
    fn append(&mut self, o: &Col) {
        match o.mode {
            NULLS => (0..o.n).for_each(|_| self.push_null()),
            CONST => match o.kind {
                Str => (0..o.n).for_each(|_| self.push_utf8(&o.k_str)),
                _ => (0..o.n).for_each(|_| self.push_num(o.k_num, o.k_float)),
            },
            _ => {
                if o.n == 0 {
                    return;
                }
                if self.mode != MATERIAL {
                    self.materialize();
                }
                // long strings point into the data buffer: the appended ones move by its current length
                let base = self.data.len() as u32;
                self.data.extend_from_slice(&o.data);
                for i in 0..o.n {
                    self.bit(o.bitmap[i >> 3] & (1 << (i & 7)) != 0);
                }
                match self.kind {
                    Str => self.views.extend(o.views.iter().map(|&v| {
                        let mut b = v.to_le_bytes();
                        if u32::from_le_bytes([b[0], b[1], b[2], b[3]]) > 12 {
                            let at = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) + base;
                            b[12..16].copy_from_slice(&at.to_le_bytes());
                        }
                        u128::from_le_bytes(b)
                    })),
                    Int => self.ints.extend_from_slice(&o.ints),
                    Money => self.money.extend_from_slice(&o.money),
                    Date => self.dates.extend_from_slice(&o.dates),
                    Float => self.floats.extend_from_slice(&o.floats),
                }
            }
        }
    }
    fn finish(&mut self) {
        if self.mode == CONST {
            // write the one value into the buffers (the wrapper reads it back as the scalar); `n` stays the
            // column's length
            let rows = self.n;
            self.n = 1;
            self.materialize();
            (self.mode, self.n) = (CONST, rows);
        }
        self.data.shrink_to_fit();
        self.views.shrink_to_fit();
    }
}

pub struct Table {
    cols: Vec<Col>,
}

impl Table {
    fn new(s: Schema) -> Table {
        Table { cols: s.iter().map(|(_, k)| Col::new(*k)).collect() }
    }
    fn len(&self) -> usize {
        self.cols[0].len()
    }
    fn truncate(&mut self, n: usize) {
        for c in &mut self.cols {
            c.truncate(n);
        }
    }
    /// Append a record; columns flagged in `skip` are filled later (835 header fields, known at SE).
    fn push(&mut self, r: &Rec, skip: &[usize]) {
        for (i, c) in self.cols.iter_mut().enumerate() {
            if skip.contains(&i) {
                continue;
            }
            match r.state[i] {
                VALUE => match c.kind {
                    Str => c.push_str(&r.s[i]),
                    Float => c.push_num(0, r.f[i]),
                    _ => c.push_num(r.n[i], 0.0),
                },
                _ => c.push_null(),
            }
        }
    }
}

// A record under construction.  Three states per field, because the Python dict merges the 837 builds
// distinguish "never set" from "set to nothing" (a patient DMG with a bad date hides the subscriber's).
const ABSENT: u8 = 0;
const NULL: u8 = 1;
const VALUE: u8 = 2;

#[derive(Clone)]
pub struct Rec {
    state: Vec<u8>,
    s: Vec<Vec<u8>>,
    n: Vec<i128>,
    f: Vec<f64>,
}

impl Rec {
    fn new(s: Schema) -> Rec {
        let k = s.len();
        Rec { state: vec![ABSENT; k], s: vec![Vec::new(); k], n: vec![0; k], f: vec![0.0; k] }
    }
    fn clear(&mut self) {
        for st in &mut self.state {
            *st = ABSENT;
        }
    }
    fn set_s(&mut self, i: usize, v: Option<&[u8]>) {
        match v {
            Some(x) => {
                self.s[i].clear();
                self.s[i].extend_from_slice(x);
                self.state[i] = VALUE;
            }
            None => self.state[i] = NULL,
        }
    }
    fn set_n(&mut self, i: usize, v: Option<i128>) {
        match v {
            Some(x) => {
                self.n[i] = x;
                self.state[i] = VALUE;
            }
            None => self.state[i] = NULL,
        }
    }
    fn set_f(&mut self, i: usize, v: Option<f64>) {
        match v {
            Some(x) => {
                self.f[i] = x;
                self.state[i] = VALUE;
            }
            None => self.state[i] = NULL,
        }
    }
    fn get_s(&self, i: usize) -> Option<&[u8]> {
        if self.state[i] == VALUE {
            Some(&self.s[i])
        } else {
            None
        }
    }
    fn get_n(&self, i: usize) -> Option<i128> {
        if self.state[i] == VALUE {
            Some(self.n[i])
        } else {
            None
        }
    }
    /// dict.update(other): every field other has (even set to nothing) replaces ours.
    fn overlay(&mut self, o: &Rec) {
        for i in 0..self.state.len() {
            if o.state[i] != ABSENT {
                self.state[i] = o.state[i];
                self.s[i].clear();
                self.s[i].extend_from_slice(&o.s[i]);
                self.n[i] = o.n[i];
                self.f[i] = o.f[i];
            }
        }
    }
}

// ------------------------------------------------------------------------------------------ values

fn el<'a>(seg: &[&'a [u8]], i: usize) -> Option<&'a [u8]> {
    match seg.get(i) {
        Some(v) if !v.is_empty() => Some(v),
        _ => None,
    }
}

fn eq(v: Option<&[u8]>, s: &str) -> bool {
    v == Some(s.as_bytes())
}

fn text(v: &[u8]) -> String {
    v.iter().map(|&b| b as char).collect()
}

/// Python repr() of an optional string, as the reference engine's messages show it.
fn repr(v: Option<&[u8]>) -> String {
    let Some(x) = v else { return "None".to_string() };
    let quote = if x.contains(&b'\'') && !x.contains(&b'"') { '"' } else { '\'' };
    let mut out = String::with_capacity(x.len() + 2);
    out.push(quote);
    for &b in x {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote as u8 => {
                out.push('\\');
                out.push(b as char);
            }
            _ if b < 0x20 || (0x7f..=0xa0).contains(&b) || b == 0xad => out.push_str(&format!("\\x{b:02x}")),
            _ => out.push(b as char),
        }
    }
    out.push(quote);
    out
}

/// X12 "R" money: optional sign, digits, at most one point and two decimals.  Returns cents.
fn parse_amount(v: &[u8]) -> Option<i128> {
    let (neg, body) = if v.first() == Some(&b'-') { (true, &v[1..]) } else { (false, v) };
    let (int_part, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], Some(&body[p + 1..])),
        None => (body, None),
    };
    if !int_part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    match frac {
        None => {
            if int_part.is_empty() {
                return None;
            }
        }
        Some(f) => {
            if !f.iter().all(u8::is_ascii_digit) || f.len() > 2 {
                return None;
            }
            if int_part.is_empty() && f.is_empty() {
                return None;
            }
        }
    }
    // Decimal(18, 2): 16 integer digits at most.
    let digits = int_part.iter().skip_while(|&&b| b == b'0').count();
    if digits > 16 {
        return None;
    }
    let mut cents: i128 = 0;
    for &b in int_part {
        cents = cents * 10 + (b - b'0') as i128;
    }
    cents *= 100;
    if let Some(f) = frac {
        if !f.is_empty() {
            cents += ((f[0] - b'0') as i128) * 10;
        }
        if f.len() == 2 {
            cents += (f[1] - b'0') as i128;
        }
    }
    Some(if neg { -cents } else { cents })
}

fn parse_number(v: &[u8]) -> Option<f64> {
    let body = if v.first() == Some(&b'-') { &v[1..] } else { v };
    let points = body.iter().filter(|&&b| b == b'.').count();
    if body.is_empty() || points > 1 || !body.iter().all(|&b| b.is_ascii_digit() || b == b'.') || body == b"." {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse::<f64>().ok()
}

fn fmt_cents(c: i128) -> String {
    let sign = if c < 0 { "-" } else { "" };
    let a = c.abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn parse_date8(v: &[u8]) -> Option<i32> {
    if v.len() != 8 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |a: usize, b: usize| v[a..b].iter().fold(0i64, |acc, &x| acc * 10 + (x - b'0') as i64);
    let (y, m, d) = (n(0, 4), n(4, 6), n(6, 8));
    if y < 1 || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(m - 1) as usize];
    if d > dim {
        return None;
    }
    Some(days_from_civil(y, m, d) as i32)
}

fn is_segment_id(s: &[u8]) -> bool {
    (2..=3).contains(&s.len()) && s[0].is_ascii_uppercase() && s[1..].iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn py_strip(s: &[u8]) -> &[u8] {
    let ws = |b: &u8| matches!(*b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f | 0x85 | 0xa0);
    let start = s.iter().position(|b| !ws(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !ws(b)).map(|p| p + 1).unwrap_or(start);
    &s[start..end.max(start)]
}

fn split_components(v: Option<&[u8]>, comp: u8) -> Vec<&[u8]> {
    match v {
        None => vec![],
        Some(x) => x.split(|&b| b == comp).collect(),
    }
}

fn nz<'a>(v: Option<&&'a [u8]>) -> Option<&'a [u8]> {
    match v {
        Some(x) if !x.is_empty() => Some(x),
        _ => None,
    }
}

// ------------------------------------------------------------------------------------------ codes

// The code lists a value is validated against are the dbt seeds that label them in the warehouse, compiled in:
// one file per list for this core, the Python engine (pipelines/x12/codes.py) and the marts.
fn seed_codes(csv: &'static str, filter: Option<(&str, bool)>) -> Vec<&'static str> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').map(str::trim).collect();
    // the filter column counted from the end: a label before it may hold a quoted comma
    let from_end = filter.and_then(|(name, _)| header.iter().position(|h| *h == name).map(|i| header.len() - i));
    lines
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            let code = *fields.first().filter(|c| !c.is_empty())?;
            match (filter, from_end) {
                (Some((_, want)), Some(k)) if fields.len() >= k => (fields[fields.len() - k] == "true") == want,
                (Some(_), _) => false,
                (None, _) => true,
            }
            .then_some(code)
        })
        .collect()
}

macro_rules! seed_list {
    ($name:ident, $file:literal, $filter:expr) => {
        fn $name() -> &'static [&'static str] {
            static CODES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
            CODES.get_or_init(|| seed_codes(include_str!(concat!("../../../dbt_project/seeds/", $file)), $filter))
        }
    };
}

seed_list!(clp_status_codes, "claim_status.csv", None); // CLP02
seed_list!(cas_group_codes, "cas_group.csv", None); // CAS01 (5010: no CR)
seed_list!(frequency_codes, "claim_frequency.csv", None); // CLM05-3 (NUBC)
seed_list!(group_status_codes, "ack_status.csv", None); // AK901
seed_list!(set_status_codes, "ack_status.csv", Some(("group_only", false))); // IK501: P is a group's only
const SEGMENTS_835: &[&str] = &["BPR", "TRN", "CUR", "REF", "DTM", "N1", "N2", "N3", "N4", "PER", "RDM", "LX", "TS3",
    "TS2", "CLP", "CAS", "NM1", "MIA", "MOA", "AMT", "QTY", "SVC", "LQ", "PLB"];
const SEGMENTS_837: &[&str] = &["BHT", "NM1", "N2", "N3", "N4", "PER", "REF", "HL", "PRV", "CUR", "SBR", "PAT", "DMG",
    "CLM", "DTP", "PWK", "CN1", "AMT", "K3", "NTE", "CR1", "CR2", "CR3", "CR4", "CR5", "CR6", "CR7", "CR8", "CRC", "HI",
    "HCP", "CL1", "LX", "SV1", "SV2", "SV5", "QTY", "MEA", "PS1", "HSD", "LIN", "CTP", "OI", "MIA", "MOA", "LQ", "FRM",
    "SVD", "CAS", "TOO"];
const SEGMENTS_999: &[&str] = &["AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9"];
const SEGMENTS_277: &[&str] = &["BHT", "HL", "NM1", "TRN", "STC", "QTY", "AMT", "REF", "DTP", "SVC"];
const MIA_REMARKS: &[usize] = &[5, 20, 21, 22, 23];
const MOA_REMARKS: &[usize] = &[3, 4, 5, 6, 7];
const PRINCIPAL_DX: &[&str] = &["ABK", "BK"];
const OTHER_DX: &[&str] = &["ABF", "BF", "ABJ", "BJ", "APR", "PR", "ABN", "BN"];

/// Segment ids are 2-3 characters of [A-Z0-9]: a dense index makes the vocabulary check one lookup.
fn sid_key(s: &[u8]) -> Option<usize> {
    let m = |b: u8| match b {
        b'A'..=b'Z' => Some((b - b'A') as usize + 1),
        b'0'..=b'9' => Some((b - b'0') as usize + 27),
        _ => None,
    };
    match s.len() {
        2 => Some((m(s[0])? * 37 + m(s[1])?) * 37),
        3 => Some((m(s[0])? * 37 + m(s[1])?) * 37 + m(s[2])?),
        _ => None,
    }
}

fn vocab_table(set: &[&str]) -> Vec<bool> {
    let mut t = vec![false; 37 * 37 * 37];
    for s in set {
        t[sid_key(s.as_bytes()).unwrap()] = true;
    }
    t
}

fn in_set(v: Option<&[u8]>, set: &[&str]) -> bool {
    match v {
        Some(x) => set.iter().any(|s| s.as_bytes() == x),
        None => false,
    }
}

// ------------------------------------------------------------------------------------------ parser

#[derive(Clone, Copy, PartialEq)]
enum TxType {
    P835,
    P837P,
    P837I,
    Infer837,
    P999,
    P277CA,
    Unsupported,
}

struct Tx835 {
    pay: Rec,
    pay_payer_id_set: bool,
    n1: Option<Vec<u8>>,
    claim: Option<Rec>,
    line: Option<Rec>,
    claim_adj: i128,
    line_adj: i128,
    sum_paid: i128,
    sum_plb: i128,
    bpr_index: Option<i64>,
    line_count: i64,
    claim_key: Vec<u8>,
    claim_id: Option<Vec<u8>>,
    claims_in_st: usize,
}

struct Tx837 {
    header: Rec,
    billing: Rec,
    subscriber: Rec,
    patient: Rec,
    claim: Option<Rec>,
    line: Option<Rec>,
    line_sum: i128,
    line_n: usize,
    row: Rec,
    claim_rec: Rec,
    in_2010aa: bool,
    in_other_subscriber: bool,
    dx_order: i64,
    bht_seen: bool,
    hl_level: Option<Vec<u8>>,
    claim_key: Vec<u8>,
    claim_id: Option<Vec<u8>>,
}

struct StState {
    idx: i64,
    st01: Option<Vec<u8>>,
    st02: Option<Vec<u8>>,
    st03: Option<Vec<u8>>,
    ttype: TxType,
    reason: Option<String>,
    nseg: usize,
    marks: [usize; N_DATA_TABLES],
    buffered: Vec<(i64, Vec<u8>)>,
    // an 837 is read by its content: the type the version names (None when it names no guide) until a
    // claim says otherwise (CLM05-2, SV1, SV2, CL1)
    guess: Option<TxType>,
    clm_hint: Option<TxType>, // the first CLM05-2 qualifier's type, used when no service line tells
    hash: u64,
    t835: Option<Box<Tx835>>,
    t837: Option<Box<Tx837>>,
    t999: Option<Box<Tx999>>,
    t277: Option<Box<Tx277>>,
    claims: usize,
    lines: usize,
}

pub struct Parser {
    file_id: Vec<u8>,
    el: u8,
    comp: u8,
    tables: Vec<Table>,
    isa13: Option<Vec<u8>>,
    isa12: Option<Vec<u8>>,
    gs06: Option<Vec<u8>>,
    gs08: Option<Vec<u8>>,
    gs_count: i64,
    st_in_gs: i64,
    interchange_date: Option<i32>,
    sender: Option<Vec<u8>>,
    receiver: Option<Vec<u8>>,
    st: Option<StState>,
    n_summaries: usize,
    st_errors: usize,
    st_warnings: usize,
    any_error: bool,
    // Reused per-segment buffers.
    vocab_835: Vec<bool>,
    vocab_837: Vec<bool>,
    vocab_999: Vec<bool>,
    vocab_277: Vec<bool>,
    cl_rec: Rec,
    rc_rec: Rec,
    rl_rec: Rec,
    adj_rec: Rec,
    rem_rec: Rec,
    plb_rec: Rec,
    dx_rec: Rec,
}

const ERROR: &str = "error";
const WARNING: &str = "warning";

impl Parser {
    fn new(file_id: &[u8]) -> Parser {
        Parser {
            file_id: file_id.to_vec(),
            el: b'*',
            comp: b':',
            tables: TABLES.iter().map(|(_, s)| Table::new(s)).collect(),
            isa13: None,
            isa12: None,
            gs06: None,
            gs08: None,
            gs_count: 0,
            st_in_gs: 0,
            interchange_date: None,
            sender: None,
            receiver: None,
            st: None,
            n_summaries: 0,
            st_errors: 0,
            st_warnings: 0,
            any_error: false,
            vocab_835: vocab_table(SEGMENTS_835),
            vocab_837: vocab_table(SEGMENTS_837),
            vocab_999: vocab_table(SEGMENTS_999),
            vocab_277: vocab_table(SEGMENTS_277),
            cl_rec: Rec::new(CLAIM_LINES),
            rc_rec: Rec::new(REMIT_CLAIMS),
            rl_rec: Rec::new(REMIT_LINES),
            adj_rec: Rec::new(REMIT_ADJUSTMENTS),
            rem_rec: Rec::new(REMIT_REMARKS),
            plb_rec: Rec::new(REMIT_PROVIDER_ADJUSTMENTS),
            dx_rec: Rec::new(CLAIM_DIAGNOSES),
        }
    }

    // ---------- findings
    #[allow(clippy::too_many_arguments)]
    fn finding(&mut self, sev: &str, code: &str, msg: &str, idx: Option<i64>, sid: Option<&[u8]>, elem: Option<&str>,
               in_st: bool) {
        let t = &mut self.tables[T_FIND];
        t.cols[0].push_str(sev.as_bytes());
        t.cols[1].push_str(code.as_bytes());
        t.cols[2].push_utf8(msg.as_bytes());
        match idx {
            Some(i) => t.cols[3].push_num(i as i128, 0.0),
            None => t.cols[3].push_null(),
        }
        // a segment id is shown only when it is one (a garbled segment's first element is data)
        t.cols[4].push_opt_str(sid.filter(|s| is_segment_id(s)));
        t.cols[5].push_opt_str(elem.map(|e| e.as_bytes()));
        if in_st {
            // Inside a transaction set the reference engine reports control numbers as "" when absent.
            let st02 = self.st.as_ref().and_then(|s| s.st02.clone());
            t.cols[6].push_str(self.isa13.as_deref().unwrap_or(b""));
            t.cols[7].push_str(self.gs06.as_deref().unwrap_or(b""));
            t.cols[8].push_str(st02.as_deref().unwrap_or(b""));
            if sev == ERROR {
                self.st_errors += 1;
            } else {
                self.st_warnings += 1;
            }
        } else {
            t.cols[6].push_opt_str(self.isa13.as_deref());
            t.cols[7].push_opt_str(self.gs06.as_deref());
            t.cols[8].push_null();
        }
        if sev == ERROR {
            self.any_error = true;
        }
    }
    fn err(&mut self, code: &str, msg: &str, idx: Option<i64>, sid: Option<&[u8]>, elem: Option<&str>) {
        self.finding(ERROR, code, msg, idx, sid, elem, true);
    }
    fn warn(&mut self, code: &str, msg: &str, idx: Option<i64>, sid: Option<&[u8]>, elem: Option<&str>) {
        self.finding(WARNING, code, msg, idx, sid, elem, true);
    }

    // ---------- typed element access with validation (TxContext in the reference engine)
    fn amount(&mut self, idx: i64, seg: &[&[u8]], i: usize, required: bool) -> Option<i128> {
        match el(seg, i) {
            None => {
                if required {
                    let e = format!("{i:02}");
                    self.err("REQ_MISSING_ELEMENT", "required amount is missing", Some(idx), Some(seg[0]), Some(&e));
                }
                None
            }
            Some(v) => match parse_amount(v) {
                Some(c) => Some(c),
                None => {
                    let e = format!("{i:02}");
                    self.err("ELEM_BAD_AMOUNT", "not a valid monetary amount", Some(idx), Some(seg[0]), Some(&e));
                    None
                }
            },
        }
    }
    fn number(&mut self, idx: i64, seg: &[&[u8]], i: usize) -> Option<f64> {
        let v = el(seg, i)?;
        match parse_number(v) {
            Some(f) => Some(f),
            None => {
                let e = format!("{i:02}");
                self.err("ELEM_BAD_NUMBER", "not a valid number", Some(idx), Some(seg[0]), Some(&e));
                None
            }
        }
    }
    fn date8(&mut self, idx: i64, sid: &[u8], v: Option<&[u8]>, elem: &str) -> Option<i32> {
        let v = v?;
        match parse_date8(v) {
            Some(d) => Some(d),
            None => {
                // A bad date loses one attribute, not the claim: null with a warning.
                self.warn("ELEM_BAD_DATE", "not a valid CCYYMMDD date (loaded as null)", Some(idx), Some(sid), Some(elem));
                None
            }
        }
    }
    /// DTP/DTM dates: D8 = one date, RD8 = "from-to".
    fn period(&mut self, idx: i64, seg: &[&[u8]], fmt_i: usize, val_i: usize) -> (Option<i32>, Option<i32>) {
        let fmt = el(seg, fmt_i);
        let v = match el(seg, val_i) {
            None => return (None, None),
            Some(v) => v,
        };
        let r = format!("{val_i:02}");
        if eq(fmt, "RD8") || (fmt.is_none() && v.contains(&b'-')) {
            let p = v.iter().position(|&b| b == b'-');
            let (a, b) = match p {
                Some(p) => (&v[..p], &v[p + 1..]),
                None => (v, &v[v.len()..]),
            };
            let b = if b.is_empty() { a } else { b };
            // an empty side of the range ("-20050325") is a bad date, reported like any other
            let da = self.date8(idx, seg[0], Some(a), &r);
            let db = self.date8(idx, seg[0], Some(b), &r);
            return (da, db);
        }
        let v = if eq(fmt, "DT") && v.len() == 12 { &v[..8] } else { v };
        let d = self.date8(idx, seg[0], Some(v), &r);
        (d, d)
    }

    /// "<file id>:<segment index>": the claim_key / remit_claim_key of a CLM or CLP.
    fn row_key(&self, idx: i64) -> Vec<u8> {
        let mut key = self.file_id.clone();
        key.push(b':');
        key.extend_from_slice(idx.to_string().as_bytes());
        key
    }

    fn lineage(&self, r: &mut Rec, seg_index: i64) {
        let st = self.st.as_ref().unwrap();
        r.set_s(0, Some(&self.file_id));
        r.set_s(1, Some(self.isa13.as_deref().unwrap_or(b"")));
        r.set_s(2, Some(self.gs06.as_deref().unwrap_or(b"")));
        r.set_s(3, Some(st.st02.as_deref().unwrap_or(b"")));
        r.set_n(4, Some(st.idx as i128));
        r.set_n(5, Some(seg_index as i128));
    }

    // ---------- envelope
    fn overlong_segment(&mut self, idx: i64) {
        let m = format!("segment longer than {MAX_SEGMENT} bytes (a missing segment terminator?): skipped");
        let in_st = self.st.is_some();
        if let Some(st) = self.st.as_mut() {
            st.nseg += 1;
        }
        self.finding(ERROR, "SEG_TOO_LONG", &m, Some(idx), None, None, in_st);
    }

    fn segment(&mut self, idx: i64, raw: &[u8]) {
        let el_sep = self.el;
        let mut stack: [&[u8]; 48] = [&[]; 48];
        let mut n = 0;
        let mut overflow: Vec<&[u8]> = Vec::new();
        for part in raw.split(|&b| b == el_sep) {
            if n < stack.len() {
                stack[n] = part;
            } else {
                if overflow.is_empty() {
                    overflow.extend_from_slice(&stack);
                }
                overflow.push(part);
            }
            n += 1;
        }
        let seg: &mut [&[u8]] = if overflow.is_empty() { &mut stack[..n] } else { &mut overflow[..] };
        let sid = py_strip(seg[0]);
        seg[0] = sid;
        let seg: &[&[u8]] = seg;
        // every envelope segment ends a transaction set still open (no SE: truncated)
        if matches!(sid, b"ISA" | b"IEA" | b"GS" | b"GE" | b"ST") && self.st.is_some() {
            self.close_st(None, None);
        }
        match sid {
            b"ISA" => {
                self.isa13 = el(&seg, 13).map(<[u8]>::to_vec);
                self.isa12 = el(&seg, 12).map(<[u8]>::to_vec);
                self.sender = el(&seg, 6).map(py_strip).filter(|s| !s.is_empty()).map(<[u8]>::to_vec);
                self.receiver = el(&seg, 8).map(py_strip).filter(|s| !s.is_empty()).map(<[u8]>::to_vec);
                let d = el(&seg, 9).map(py_strip).unwrap_or(b"");
                self.interchange_date = if d.len() == 6 && d.iter().all(u8::is_ascii_digit) {
                    let mut v = b"20".to_vec();
                    v.extend_from_slice(d);
                    parse_date8(&v)
                } else {
                    None
                };
                self.gs_count = 0;
            }
            b"IEA" => {
                let isa13 = self.isa13.clone();
                self.check_trailer(idx, seg, ("IEA", "groups", self.gs_count), ("ISA13", isa13.as_deref()));
                self.isa13 = None;
            }
            b"GS" => {
                self.gs_count += 1;
                self.gs06 = el(&seg, 6).map(<[u8]>::to_vec);
                self.gs08 = el(&seg, 8).map(<[u8]>::to_vec);
                self.st_in_gs = 0;
            }
            b"GE" => {
                let gs06 = self.gs06.clone();
                self.check_trailer(idx, seg, ("GE", "sets", self.st_in_gs), ("GS06", gs06.as_deref()));
            }
            b"ST" => {
                self.st_in_gs += 1;
                self.open_st(idx, &seg);
                self.hash_segment(raw);
            }
            b"SE" => {
                self.hash_segment(raw);
                if self.st.is_none() {
                    self.finding(ERROR, "ENV_SE_WITHOUT_ST", "SE without a matching ST", Some(idx), Some(sid), None,
                                 false);
                } else {
                    let se: Vec<Option<Vec<u8>>> = (0..3).map(|i| el(&seg, i).map(<[u8]>::to_vec)).collect();
                    self.close_st(Some(idx), Some(se));
                }
            }
            _ => {
                if self.st.is_some() {
                    self.hash_segment(raw);
                    self.body(idx, raw, seg);
                } else {
                    self.finding(ERROR, "ENV_SEGMENT_OUTSIDE_ST", "segment outside any transaction set", Some(idx), Some(sid),
                                 None, false);
                }
            }
        }
    }

    /// IEA / GE: element 01 counts what the envelope holds (a miscount is a warning), element 02 repeats
    /// the header's control number (a mismatch is an error).
    fn check_trailer(&mut self, idx: i64, seg: &[&[u8]], count: (&str, &str, i64), control: (&str, Option<&[u8]>)) {
        let (sid, noun, counted) = count;
        if el(seg, 1) != Some(counted.to_string().as_bytes()) {
            let m = format!("{sid}01 does not match the {counted} {noun} counted");
            self.finding(WARNING, &format!("ENV_{sid}_COUNT"), &m, Some(idx), Some(seg[0]), Some("01"), false);
        }
        let (name, expected) = control;
        if el(seg, 2) != expected {
            let m = format!("{sid}02 does not match {name}");
            self.finding(ERROR, &format!("ENV_{sid}_CONTROL"), &m, Some(idx), Some(seg[0]), Some("02"), false);
        }
    }

    fn open_st(&mut self, idx: i64, seg: &[&[u8]]) {
        let st01 = el(seg, 1).map(<[u8]>::to_vec);
        let st02 = el(seg, 2).map(<[u8]>::to_vec);
        let st03 = el(seg, 3).map(<[u8]>::to_vec);
        let (mut ttype, reason) =
            classify_version(self.isa12.as_deref(), self.gs08.as_deref(), st01.as_deref(), st03.as_deref());
        let guess = match ttype {
            TxType::P837P | TxType::P837I => Some(ttype),
            _ => None,
        };
        if matches!(ttype, TxType::P837P | TxType::P837I) {
            ttype = TxType::Infer837;
        }
        let mut marks = [0usize; N_DATA_TABLES];
        for (i, m) in marks.iter_mut().enumerate() {
            *m = self.tables[i].len();
        }
        self.st_errors = 0;
        self.st_warnings = 0;
        self.st = Some(StState {
            idx, st01, st02, st03, ttype, reason, nseg: 0, marks,
            buffered: vec![], guess, clm_hint: None, hash: FNV_OFFSET, t835: None, t837: None, t999: None, t277: None, claims: 0,
            lines: 0,
        });
        self.start_tx(ttype);
    }

    fn start_tx(&mut self, ttype: TxType) {
        let st = self.st.as_mut().unwrap();
        match ttype {
            TxType::P835 => {
                st.t835 = Some(Box::new(Tx835 {
                    pay: Rec::new(REMIT_PAYMENTS), pay_payer_id_set: false, n1: None, claim: None, line: None,
                    claim_adj: 0, line_adj: 0, sum_paid: 0, sum_plb: 0, bpr_index: None, line_count: 0,
                    claim_key: vec![], claim_id: None, claims_in_st: 0,
                }))
            }
            TxType::P837P | TxType::P837I => {
                let mut header = Rec::new(CLAIMS);
                header.set_s(c!(CLAIMS, "transaction_type"), Some(if ttype == TxType::P837P { b"837P" } else { b"837I" }));
                st.t837 = Some(Box::new(Tx837 {
                    header, billing: Rec::new(CLAIMS), subscriber: Rec::new(CLAIMS), patient: Rec::new(CLAIMS),
                    claim: None, line: None, line_sum: 0, line_n: 0, row: Rec::new(CLAIMS), claim_rec: Rec::new(CLAIMS), in_2010aa: false, in_other_subscriber: false,
                    dx_order: 0, bht_seen: false, hl_level: None, claim_key: vec![], claim_id: None,
                }))
            }
            TxType::P999 => st.t999 = Some(Box::default()),
            TxType::P277CA => st.t277 = Some(Box::new(Tx277::new())),
            _ => {}
        }
    }

    fn body(&mut self, idx: i64, raw: &[u8], seg: &[&[u8]]) {
        let comp = self.comp;
        let st = self.st.as_mut().unwrap();
        st.nseg += 1;
        match st.ttype {
            TxType::Unsupported => {}
            TxType::Infer837 => {
                st.buffered.push((idx, raw.to_vec()));
                if st.clm_hint.is_none() {
                    st.clm_hint = clm_type_837(seg, comp);
                }
                if let Some(found) = line_type_837(seg) {
                    self.decide_837(Some(found));
                }
            }
            t => self.tx_segment(t, idx, seg),
        }
    }

    fn hash_segment(&mut self, raw: &[u8]) {
        if let Some(st) = self.st.as_mut() {
            st.hash = fnv1a(st.hash, raw);
            st.hash = fnv1a(st.hash, b"\x1e");
        }
    }

    /// An 837's type, once its content shows it (or at SE when it never does): the content wins over the
    /// version's guide, with a warning naming the version when they disagree or it names no guide.
    fn decide_837(&mut self, content: Option<TxType>) {
        let (st_idx, guess) = {
            let st = self.st.as_ref().unwrap();
            (st.idx, st.guess)
        };
        let version = shown_version(self.st.as_ref().unwrap().st03.as_deref().or(self.gs08.as_deref()));
        let final_type = content.or(guess).unwrap_or(TxType::P837P);
        let name = |t: TxType| if t == TxType::P837I { "837I" } else { "837P" };
        match guess {
            None => {
                let m = format!("version {version} names no implementation guide; read as {} from its segments",
                                name(final_type));
                self.warn("TX_GUIDE_INFERRED", &m, Some(st_idx), Some(b"ST"), None);
            }
            Some(g) if g != final_type => {
                let (named, found) = if g == TxType::P837P { ("professional", "institutional") } else { ("institutional", "professional") };
                let m = format!("version {version} names the {named} guide ({}) but the claims are {found}: read as {} \
                                 from their content (CLM05-2, SV1, SV2, CL1)", name(g), name(final_type));
                self.warn("TX_GUIDE_MISMATCH", &m, Some(st_idx), Some(b"ST"), None);
            }
            _ => {}
        }
        self.st.as_mut().unwrap().ttype = final_type;
        self.start_tx(final_type);
        let buffered = std::mem::take(&mut self.st.as_mut().unwrap().buffered);
        let el_sep = self.el;
        for (i, raw) in &buffered {
            let mut seg: Vec<&[u8]> = raw.split(|&b| b == el_sep).collect();
            seg[0] = py_strip(seg[0]);
            self.tx_segment(final_type, *i, &seg);
        }
    }

    fn tx_segment(&mut self, t: TxType, idx: i64, seg: &[&[u8]]) {
        let sid = seg[0];
        if !is_segment_id(sid) {
            self.err("SEG_BAD_ID", "not a segment identifier", Some(idx), None, None);
            return;
        }
        let table = match t {
            TxType::P835 => &self.vocab_835,
            TxType::P999 => &self.vocab_999,
            TxType::P277CA => &self.vocab_277,
            _ => &self.vocab_837,
        };
        if !sid_key(sid).is_some_and(|k| table[k]) {
            let m = format!("segment {} is not part of the {} transaction set", text(sid), type_name(t));
            self.err("SEG_UNKNOWN", &m, Some(idx), Some(sid), None);
            return;
        }
        match t {
            TxType::P835 => self.seg_835(idx, seg),
            TxType::P999 => self.seg_999(idx, seg),
            TxType::P277CA => self.seg_277(idx, seg),
            _ => self.seg_837(idx, seg),
        }
    }

    fn close_st(&mut self, se_idx: Option<i64>, se: Option<Vec<Option<Vec<u8>>>>) {
        let (st_idx, nseg, st02) = {
            let st = self.st.as_ref().unwrap();
            (st.idx, st.nseg, st.st02.clone())
        };
        match &se {
            None => self.err("ENV_MISSING_SE", "transaction set has no SE trailer (file truncated?)", Some(st_idx),
                             Some(b"ST"), None),
            Some(se) => {
                let declared = se[1].as_deref();
                let actual = nseg + 2;
                if declared != Some(actual.to_string().as_bytes()) {
                    // A miscounted trailer is a sender defect we report but do not reject on.
                    let m = format!("SE01 does not match the {actual} segments counted");
                    self.warn("ENV_SE_COUNT", &m, se_idx, Some(b"SE"), Some("01"));
                }
                if se[2] != st02 {
                    self.err("ENV_SE_CONTROL", "SE02 does not match ST02", se_idx, Some(b"SE"), Some("02"));
                }
            }
        }
        let ttype = self.st.as_ref().unwrap().ttype;
        let mut final_type = ttype;
        if ttype == TxType::Unsupported {
            let reason = self.st.as_ref().unwrap().reason.clone().unwrap_or_default();
            self.err("TX_UNSUPPORTED", &reason, Some(st_idx), Some(b"ST"), None);
        } else if ttype == TxType::Infer837 {
            let hint = self.st.as_ref().unwrap().clm_hint;
            self.decide_837(hint);
            final_type = self.st.as_ref().unwrap().ttype;
        }
        match final_type {
            TxType::P835 => self.end_835(),
            TxType::P837P | TxType::P837I => self.end_837(),
            TxType::P999 => self.end_999(),
            TxType::P277CA => self.end_277(),
            _ => {}
        }
        let st = self.st.take().unwrap();
        let accepted = self.st_errors == 0;
        let type_name: Vec<u8> = match final_type {
            TxType::P835 | TxType::P837P | TxType::P837I | TxType::P999 | TxType::P277CA => {
                type_name(final_type).as_bytes().to_vec()
            }
            _ => st.st01.clone().unwrap_or_else(|| b"None".to_vec()),
        };
        if accepted {
            let t = &mut self.tables[T_TX];
            let c = &mut t.cols;
            c[0].push_str(&self.file_id);
            c[1].push_str(self.isa13.as_deref().unwrap_or(b""));
            c[2].push_str(self.gs06.as_deref().unwrap_or(b""));
            c[3].push_str(st.st02.as_deref().unwrap_or(b""));
            c[4].push_num(st.idx as i128, 0.0);
            c[5].push_num(st.idx as i128, 0.0);
            c[6].push_str(&type_name);
            c[7].push_opt_str(st.st03.as_deref().or(self.gs08.as_deref()));
            c[8].push_opt_str(self.sender.as_deref());
            c[9].push_opt_str(self.receiver.as_deref());
            match self.interchange_date {
                Some(d) => c[10].push_num(d as i128, 0.0),
                None => c[10].push_null(),
            }
            c[11].push_num((st.nseg + 2) as i128, 0.0);
            c[12].push_num(st.claims as i128, 0.0);
            c[13].push_str(format!("{:016x}", st.hash).as_bytes());
        } else {
            for (i, m) in st.marks.iter().enumerate() {
                self.tables[i].truncate(*m);
            }
        }
        let s = &mut self.tables[T_SUM].cols;
        s[0].push_opt_str(st.st02.as_deref());
        s[1].push_str(&type_name);
        s[2].push_num(accepted as i128, 0.0);
        s[3].push_num(st.claims as i128, 0.0);
        s[4].push_num(st.lines as i128, 0.0);
        s[5].push_num(self.st_errors as i128, 0.0);
        s[6].push_num(self.st_warnings as i128, 0.0);
        self.n_summaries += 1;
    }

    // ---------- 835
    fn close_line_835(&mut self) {
        let mut tx = self.st.as_mut().unwrap().t835.take().unwrap();
        if let Some(line) = tx.line.take() {
            let (charge, paid) = (line.get_n(c!(REMIT_LINES, "charge_amount")), line.get_n(c!(REMIT_LINES, "paid_amount")));
            if let (Some(ch), Some(pd)) = (charge, paid) {
                if ch - tx.line_adj != pd {
                    let m = format!("service line {} does not balance: SVC02 - line adjustments != SVC03",
                                    line.n[c!(REMIT_LINES, "line_number")]);
                    let si = line.n[5] as i64;
                    self.err("BAL_LINE", &m, Some(si), Some(b"SVC"), None);
                }
            }
            self.tables[T_RLINES].push(&line, &[]);
            self.st.as_mut().unwrap().lines += 1;
            self.rl_rec = line;
        }
        tx.line_adj = 0;
        self.st.as_mut().unwrap().t835 = Some(tx);
    }

    fn close_claim_835(&mut self) {
        self.close_line_835();
        let mut tx = self.st.as_mut().unwrap().t835.take().unwrap();
        if let Some(claim) = tx.claim.take() {
            let (charge, paid) = (claim.get_n(c!(REMIT_CLAIMS, "charge_amount")), claim.get_n(c!(REMIT_CLAIMS, "paid_amount")));
            if let (Some(ch), Some(pd)) = (charge, paid) {
                if ch - tx.claim_adj != pd {
                    self.err("BAL_CLAIM", "claim does not balance: CLP03 - adjustments != CLP04", Some(claim.n[5] as i64),
                             Some(b"CLP"), None);
                }
            }
            self.tables[T_RCLAIMS].push(&claim, REMIT_HEADER_COLS);
            tx.claims_in_st += 1;
            self.st.as_mut().unwrap().claims += 1;
            self.rc_rec = claim;
        }
        tx.claim_adj = 0;
        self.st.as_mut().unwrap().t835 = Some(tx);
    }

    fn seg_835(&mut self, idx: i64, seg: &[&[u8]]) {
        let sid = seg[0];
        let (in_claim, in_line) = {
            let tx = self.st.as_ref().unwrap().t835.as_ref().unwrap();
            (tx.claim.is_some(), tx.line.is_some())
        };
        macro_rules! tx {
            () => {
                self.st.as_mut().unwrap().t835.as_mut().unwrap()
            };
        }
        match sid {
            b"BPR" => {
                let total = self.amount(idx, seg, 2, true);
                let pdate = self.date8(idx, sid, el(seg, 16), "16");
                let tx = tx!();
                tx.bpr_index = Some(idx);
                let p = &mut tx.pay;
                p.set_s(c!(REMIT_PAYMENTS, "transaction_handling"), el(seg, 1));
                p.set_n(c!(REMIT_PAYMENTS, "total_paid"), total);
                p.set_s(c!(REMIT_PAYMENTS, "credit_debit"), el(seg, 3));
                p.set_s(c!(REMIT_PAYMENTS, "payment_method"), el(seg, 4));
                p.set_n(c!(REMIT_PAYMENTS, "payment_date"), pdate.map(i128::from));
            }
            b"TRN" if !in_claim => {
                let p = &mut tx!().pay;
                p.set_s(c!(REMIT_PAYMENTS, "trace_number"), el(seg, 2));
                p.set_s(c!(REMIT_PAYMENTS, "payer_tax_id"), el(seg, 3));
            }
            b"N1" => {
                let tx = tx!();
                tx.n1 = el(seg, 1).map(<[u8]>::to_vec);
                if eq(el(seg, 1), "PR") {
                    tx.pay.set_s(c!(REMIT_PAYMENTS, "payer_name"), el(seg, 2));
                    if !tx.pay_payer_id_set {
                        tx.pay.set_s(c!(REMIT_PAYMENTS, "payer_id"), el(seg, 4));
                        tx.pay_payer_id_set = true;
                    }
                } else if eq(el(seg, 1), "PE") {
                    tx.pay.set_s(c!(REMIT_PAYMENTS, "payee_name"), el(seg, 2));
                    if eq(el(seg, 3), "XX") {
                        tx.pay.set_s(c!(REMIT_PAYMENTS, "payee_npi"), el(seg, 4));
                    }
                }
            }
            b"LX" => self.close_claim_835(),
            b"CLP" => {
                self.close_claim_835();
                let status = el(seg, 2);
                if !in_set(status, clp_status_codes()) {
                    self.err("ELEM_BAD_CODE", "CLP02 claim status is not a valid code", Some(idx), Some(sid), Some("02"));
                }
                if el(seg, 1).is_none() {
                    self.err("REQ_MISSING_ELEMENT", "CLP01 patient control number is missing", Some(idx), Some(sid),
                             Some("01"));
                }
                let charge = self.amount(idx, seg, 3, true);
                let paid = self.amount(idx, seg, 4, true);
                let pr = self.amount(idx, seg, 5, false);
                let mut r = std::mem::replace(&mut self.rc_rec, Rec::new(&[]));
                r.clear();
                self.lineage(&mut r, idx);
                let key = self.row_key(idx);
                r.set_s(c!(REMIT_CLAIMS, "remit_claim_key"), Some(&key));
                r.set_s(c!(REMIT_CLAIMS, "claim_id"), el(seg, 1));
                r.set_s(c!(REMIT_CLAIMS, "status_code"), status);
                r.set_n(c!(REMIT_CLAIMS, "charge_amount"), charge);
                r.set_n(c!(REMIT_CLAIMS, "paid_amount"), paid);
                r.set_n(c!(REMIT_CLAIMS, "patient_responsibility_amount"), pr);
                r.set_s(c!(REMIT_CLAIMS, "filing_indicator"), el(seg, 6));
                r.set_s(c!(REMIT_CLAIMS, "payer_claim_control_number"), el(seg, 7));
                r.set_s(c!(REMIT_CLAIMS, "facility_type_code"), el(seg, 8));
                r.set_s(c!(REMIT_CLAIMS, "frequency_code"), el(seg, 9));
                r.set_s(c!(REMIT_CLAIMS, "drg_code"), el(seg, 11));
                let tx = tx!();
                tx.line_count = 0;
                tx.sum_paid += paid.unwrap_or(0);
                tx.claim_key = key;
                tx.claim_id = el(seg, 1).map(<[u8]>::to_vec);
                tx.claim = Some(r);
            }
            b"CAS" | b"SVC" if !in_claim => {
                let m = format!("{} outside a claim: CLP (loop 2100) is missing", text(sid));
                self.err("REQ_MISSING_SEGMENT", &m, Some(idx), Some(sid), None);
            }
            b"CAS" => {
                let group = el(seg, 1);
                if !in_set(group, cas_group_codes()) {
                    self.err("ELEM_BAD_CODE", "CAS01 group code is not one of CO, PR, OA, PI (CR was removed in 5010)",
                             Some(idx), Some(sid), Some("01"));
                }
                let mut t = 2;
                while t < 20 {
                    if let Some(reason) = el(seg, t) {
                        let amt = self.amount(idx, seg, t + 1, true);
                        let qty = self.number(idx, seg, t + 2);
                        let mut r = std::mem::replace(&mut self.adj_rec, Rec::new(&[]));
                        self.lineage(&mut r, idx);
                        let tx = self.st.as_mut().unwrap().t835.as_mut().unwrap();
                        r.set_s(c!(REMIT_ADJUSTMENTS, "remit_claim_key"), Some(&tx.claim_key));
                        r.set_s(c!(REMIT_ADJUSTMENTS, "claim_id"), tx.claim_id.as_deref());
                        let line_no = tx.line.as_ref().map(|l| l.n[c!(REMIT_LINES, "line_number")]);
                        r.set_n(c!(REMIT_ADJUSTMENTS, "line_number"), line_no);
                        r.set_s(c!(REMIT_ADJUSTMENTS, "adjustment_level"),
                                Some(if line_no.is_some() { b"line" as &[u8] } else { b"claim" }));
                        r.set_s(c!(REMIT_ADJUSTMENTS, "group_code"), group);
                        r.set_s(c!(REMIT_ADJUSTMENTS, "reason_code"), Some(reason));
                        r.set_n(c!(REMIT_ADJUSTMENTS, "amount"), amt);
                        r.set_f(c!(REMIT_ADJUSTMENTS, "quantity"), qty);
                        tx.claim_adj += amt.unwrap_or(0);
                        if tx.line.is_some() {
                            tx.line_adj += amt.unwrap_or(0);
                        }
                        self.tables[T_RADJ].push(&r, &[]);
                        self.adj_rec = r;
                    }
                    t += 3;
                }
            }
            b"NM1" if in_claim && !in_line => {
                let q = el(seg, 1);
                let claim = tx!().claim.as_mut().unwrap();
                if eq(q, "QC") {
                    claim.set_s(c!(REMIT_CLAIMS, "patient_last_name"), el(seg, 3));
                    claim.set_s(c!(REMIT_CLAIMS, "patient_first_name"), el(seg, 4));
                    claim.set_s(c!(REMIT_CLAIMS, "patient_member_id"), el(seg, 9));
                } else if eq(q, "IL") {
                    claim.set_s(c!(REMIT_CLAIMS, "insured_member_id"), el(seg, 9));
                } else if eq(q, "82") && eq(el(seg, 8), "XX") {
                    claim.set_s(c!(REMIT_CLAIMS, "rendering_npi"), el(seg, 9));
                } else if eq(q, "TT") {
                    // crossover carrier: the payer this one forwarded the claim to (CLP02 19/20/21)
                    claim.set_s(c!(REMIT_CLAIMS, "crossover_payer_id"), el(seg, 9));
                    claim.set_s(c!(REMIT_CLAIMS, "crossover_payer_name"), el(seg, 3));
                }
            }
            b"MIA" | b"MOA" if in_claim => {
                let elems = if sid == b"MIA" { MIA_REMARKS } else { MOA_REMARKS };
                for &e in elems {
                    if let Some(code) = el(seg, e) {
                        self.remark_opt(idx, None, b"claim", sid, Some(code));
                    }
                }
            }
            b"DTM" => {
                let q = el(seg, 1);
                let d = self.date8(idx, sid, el(seg, 2), "02").map(i128::from);
                let tx = tx!();
                if tx.claim.is_none() {
                    if eq(q, "405") {
                        tx.pay.set_n(c!(REMIT_PAYMENTS, "production_date"), d);
                    }
                } else if let Some(line) = tx.line.as_mut() {
                    if eq(q, "472") || eq(q, "150") {
                        line.set_n(c!(REMIT_LINES, "service_date"), d);
                    }
                } else {
                    let claim = tx.claim.as_mut().unwrap();
                    if eq(q, "232") {
                        claim.set_n(c!(REMIT_CLAIMS, "statement_from_date"), d);
                    } else if eq(q, "233") {
                        claim.set_n(c!(REMIT_CLAIMS, "statement_to_date"), d);
                    } else if eq(q, "050") {
                        claim.set_n(c!(REMIT_CLAIMS, "received_date"), d);
                    }
                }
            }
            b"SVC" => {
                self.close_line_835();
                let comp = self.comp;
                let charge = self.amount(idx, seg, 2, true);
                let paid = self.amount(idx, seg, 3, true);
                let units = self.number(idx, seg, 5);
                let orig_units = self.number(idx, seg, 7);
                let mut r = std::mem::replace(&mut self.rl_rec, Rec::new(&[]));
                r.clear();
                self.lineage(&mut r, idx);
                let tx = tx!();
                tx.line_count += 1;
                r.set_s(c!(REMIT_LINES, "remit_claim_key"), Some(&tx.claim_key));
                r.set_s(c!(REMIT_LINES, "claim_id"), tx.claim_id.as_deref());
                r.set_n(c!(REMIT_LINES, "line_number"), Some(tx.line_count as i128));
                set_procedure(&mut r, REMIT_LINES_PROCEDURE, el(seg, 1), comp);
                r.set_n(c!(REMIT_LINES, "charge_amount"), charge);
                r.set_n(c!(REMIT_LINES, "paid_amount"), paid);
                r.set_s(c!(REMIT_LINES, "revenue_code"), el(seg, 4));
                r.set_f(c!(REMIT_LINES, "units_paid"), units);
                let orig = split_components(el(seg, 6), comp);
                r.set_s(c!(REMIT_LINES, "original_procedure_code"), nz(orig.get(1)));
                r.set_f(c!(REMIT_LINES, "original_units"), orig_units);
                tx.line = Some(r);
            }
            b"REF" => {
                let q = el(seg, 1);
                let tx = tx!();
                if tx.claim.is_none() {
                    if eq(q, "2U") && tx.n1.as_deref() == Some(b"PR") {
                        tx.pay.set_s(c!(REMIT_PAYMENTS, "payer_id"), el(seg, 2));
                        tx.pay_payer_id_set = true;
                    } else if eq(q, "TJ") && tx.n1.as_deref() == Some(b"PE") {
                        tx.pay.set_s(c!(REMIT_PAYMENTS, "payee_tax_id"), el(seg, 2));
                    }
                } else if let Some(line) = tx.line.as_mut() {
                    if eq(q, "6R") {
                        line.set_s(c!(REMIT_LINES, "line_control_number"), el(seg, 2));
                    }
                }
            }
            b"AMT" if in_line && eq(el(seg, 1), "B6") => {
                let a = self.amount(idx, seg, 2, false);
                tx!().line.as_mut().unwrap().set_n(c!(REMIT_LINES, "allowed_amount"), a);
            }
            b"LQ" if in_line && eq(el(seg, 1), "HE") => {
                let line_no = tx!().line.as_ref().unwrap().n[c!(REMIT_LINES, "line_number")];
                let code = el(seg, 2).map(<[u8]>::to_vec);
                self.remark_opt(idx, Some(line_no), b"line", b"LQ", code.as_deref());
            }
            b"PLB" => {
                self.close_claim_835();
                let comp = self.comp;
                let fiscal = self.date8(idx, sid, el(seg, 2), "02").map(i128::from);
                let mut p = 3;
                while p < 15 {
                    if let Some(c) = el(seg, p) {
                        let parts = split_components(Some(c), comp);
                        let amt = self.amount(idx, seg, p + 1, true);
                        let mut r = std::mem::replace(&mut self.plb_rec, Rec::new(&[]));
                        self.lineage(&mut r, idx);
                        r.set_s(c!(REMIT_PROVIDER_ADJUSTMENTS, "provider_id"), el(seg, 1));
                        r.set_n(c!(REMIT_PROVIDER_ADJUSTMENTS, "fiscal_period_date"), fiscal);
                        r.set_s(c!(REMIT_PROVIDER_ADJUSTMENTS, "reason_code"), nz(parts.first()));
                        r.set_s(c!(REMIT_PROVIDER_ADJUSTMENTS, "reference_id"), nz(parts.get(1)));
                        r.set_n(c!(REMIT_PROVIDER_ADJUSTMENTS, "amount"), amt);
                        tx!().sum_plb += amt.unwrap_or(0);
                        self.tables[T_PLB].push(&r, &[]);
                        self.plb_rec = r;
                    }
                    p += 2;
                }
            }
            _ => {}
        }
    }

    fn remark_opt(&mut self, idx: i64, line_no: Option<i128>, level: &[u8], source: &[u8], code: Option<&[u8]>) {
        let mut r = std::mem::replace(&mut self.rem_rec, Rec::new(&[]));
        self.lineage(&mut r, idx);
        let tx = self.st.as_ref().unwrap().t835.as_ref().unwrap();
        r.set_s(c!(REMIT_REMARKS, "remit_claim_key"), Some(&tx.claim_key));
        r.set_s(c!(REMIT_REMARKS, "claim_id"), tx.claim_id.as_deref());
        r.set_n(c!(REMIT_REMARKS, "line_number"), line_no);
        r.set_s(c!(REMIT_REMARKS, "remark_level"), Some(level));
        r.set_s(c!(REMIT_REMARKS, "source_segment"), Some(source));
        r.set_s(c!(REMIT_REMARKS, "remark_code"), code);
        self.tables[T_RREM].push(&r, &[]);
        self.rem_rec = r;
    }

    fn end_835(&mut self) {
        self.close_claim_835();
        let tx = self.st.as_mut().unwrap().t835.take().unwrap();
        match tx.bpr_index {
            None => self.err("REQ_MISSING_SEGMENT", "835 has no BPR (financial information) segment", None,
                             Some(b"BPR"), None),
            Some(bi) => {
                if let Some(total) = tx.pay.get_n(c!(REMIT_PAYMENTS, "total_paid")) {
                    if total != tx.sum_paid - tx.sum_plb {
                        self.err("BAL_TRANSACTION", "BPR02 != sum of CLP04 - sum of PLB", Some(bi), Some(b"BPR"),
                                 Some("02"));
                    }
                }
            }
        }
        // Claims carry the payment header (payer, dates, trace) of their transaction set.
        let p = &tx.pay;
        let t = &mut self.tables[T_RCLAIMS];
        let pairs = [
            (c!(REMIT_CLAIMS, "payment_date"), c!(REMIT_PAYMENTS, "payment_date")),
            (c!(REMIT_CLAIMS, "production_date"), c!(REMIT_PAYMENTS, "production_date")),
            (c!(REMIT_CLAIMS, "payer_name"), c!(REMIT_PAYMENTS, "payer_name")),
            (c!(REMIT_CLAIMS, "payer_id"), c!(REMIT_PAYMENTS, "payer_id")),
            (c!(REMIT_CLAIMS, "payee_npi"), c!(REMIT_PAYMENTS, "payee_npi")),
            (c!(REMIT_CLAIMS, "trace_number"), c!(REMIT_PAYMENTS, "trace_number")),
        ];
        for (ci, pi) in pairs {
            let col = &mut t.cols[ci];
            for _ in 0..tx.claims_in_st {
                if p.state[pi] == VALUE {
                    match col.kind {
                        Str => col.push_str(&p.s[pi]),
                        _ => col.push_num(p.n[pi], 0.0),
                    }
                } else {
                    col.push_null();
                }
            }
        }
        let mut pay = tx.pay.clone();
        self.lineage(&mut pay, tx.bpr_index.unwrap_or(0));
        pay.set_n(c!(REMIT_PAYMENTS, "claim_count"), Some(tx.claims_in_st as i128));
        self.tables[T_PAY].push(&pay, &[]);
    }

    // ---------- 837
    /// Lines go to their table as soon as they close; a rejected set is truncated back as a whole.
    fn close_line_837(&mut self) {
        let mut tx = self.st.as_mut().unwrap().t837.take().unwrap();
        if let Some(line) = tx.line.take() {
            tx.line_sum += line.get_n(c!(CLAIM_LINES, "charge_amount")).unwrap_or(0);
            tx.line_n += 1;
            self.tables[T_CLINES].push(&line, &[]);
            self.st.as_mut().unwrap().lines += 1;
            self.cl_rec = line;
        }
        self.st.as_mut().unwrap().t837 = Some(tx);
    }

    fn close_claim_837(&mut self) {
        if self.st.as_ref().unwrap().t837.as_ref().unwrap().claim.is_none() {
            return;
        }
        self.close_line_837();
        let mut tx = self.st.as_mut().unwrap().t837.take().unwrap();
        if let Some(claim) = tx.claim.take() {
            let total = claim.get_n(c!(CLAIMS, "total_charge"));
            if tx.line_n > 0 {
                if let Some(total) = total {
                    if tx.line_sum != total {
                        self.warn("BAL_837_CLAIM", "CLM02 != sum of the line charges", Some(claim.n[5] as i64),
                                  Some(b"CLM"), Some("02"));
                    }
                }
            }
            let row = &mut tx.row;
            row.clone_from(&tx.header);
            row.overlay(&tx.billing);
            row.overlay(&tx.subscriber);
            row.overlay(&tx.patient);
            row.overlay(&claim);
            self.tables[T_CLAIMS].push(&tx.row, &[]);
            self.st.as_mut().unwrap().claims += 1;
            tx.claim_rec = claim;
        }
        tx.line_sum = 0;
        tx.line_n = 0;
        tx.line = None;
        self.st.as_mut().unwrap().t837 = Some(tx);
    }

    fn seg_837(&mut self, idx: i64, seg: &[&[u8]]) {
        let sid = seg[0];
        let comp = self.comp;
        macro_rules! tx {
            () => {
                self.st.as_mut().unwrap().t837.as_mut().unwrap()
            };
        }
        let (in_claim, in_line) = {
            let tx = self.st.as_ref().unwrap().t837.as_ref().unwrap();
            (tx.claim.is_some(), tx.line.is_some())
        };
        match sid {
            b"BHT" => {
                let d = self.date8(idx, sid, el(seg, 4), "04").map(i128::from);
                let tx = tx!();
                tx.bht_seen = true;
                tx.header.set_s(c!(CLAIMS, "batch_reference"), el(seg, 3));
                tx.header.set_n(c!(CLAIMS, "submission_date"), d);
            }
            b"HL" => {
                self.close_claim_837();
                let tx = tx!();
                let lvl = el(seg, 3);
                tx.hl_level = lvl.map(<[u8]>::to_vec);
                tx.in_other_subscriber = false;
                if eq(lvl, "20") {
                    tx.billing.clear();
                    tx.subscriber.clear();
                    tx.patient.clear();
                } else if eq(lvl, "22") {
                    tx.subscriber.clear();
                    tx.patient.clear();
                } else if eq(lvl, "23") {
                    tx.patient.clear();
                }
            }
            b"N4" if !in_claim && tx!().in_2010aa => {
                // 2010AA: the practice state (peer groups by state).
                tx!().billing.set_s(c!(CLAIMS, "billing_state"), el(seg, 2));
            }
            b"PRV" if !in_claim && tx!().hl_level.as_deref() == Some(b"20") => {
                tx!().billing.set_s(c!(CLAIMS, "billing_taxonomy"), el(seg, 3));
            }
            b"PRV" if in_claim && !in_line && eq(el(seg, 1), "PE") => {
                // 2310B: the rendering NPI's specialty, its peer group for the integrity rules.
                tx!().claim.as_mut().unwrap().set_s(c!(CLAIMS, "rendering_taxonomy"), el(seg, 3));
            }
            b"SBR" => {
                let tx = tx!();
                if !in_claim {
                    tx.subscriber.set_s(c!(CLAIMS, "payer_responsibility"), el(seg, 1));
                    tx.subscriber.set_s(c!(CLAIMS, "filing_indicator"), el(seg, 9));
                } else {
                    tx.in_other_subscriber = true; // 2320: another payer's data, not this claim's payer
                }
            }
            b"NM1" => {
                let q = el(seg, 1);
                let npi = if eq(el(seg, 8), "XX") { el(seg, 9) } else { None };
                let tx = tx!();
                tx.in_2010aa = eq(q, "85") && !in_claim;
                if !in_claim {
                    if eq(q, "41") {
                        tx.header.set_s(c!(CLAIMS, "submitter_name"), el(seg, 3));
                    } else if eq(q, "40") {
                        tx.header.set_s(c!(CLAIMS, "receiver_name"), el(seg, 3));
                    } else if eq(q, "85") {
                        tx.billing.set_s(c!(CLAIMS, "billing_name"), el(seg, 3));
                        tx.billing.set_s(c!(CLAIMS, "billing_npi"), npi);
                    } else if eq(q, "IL") {
                        tx.subscriber.set_s(c!(CLAIMS, "subscriber_last_name"), el(seg, 3));
                        tx.subscriber.set_s(c!(CLAIMS, "subscriber_first_name"), el(seg, 4));
                        tx.subscriber.set_s(c!(CLAIMS, "subscriber_member_id"), el(seg, 9));
                    } else if eq(q, "PR") {
                        tx.subscriber.set_s(c!(CLAIMS, "payer_name"), el(seg, 3));
                        tx.subscriber.set_s(c!(CLAIMS, "payer_id"), el(seg, 9));
                    } else if eq(q, "QC") {
                        tx.patient.set_s(c!(CLAIMS, "patient_last_name"), el(seg, 3));
                        tx.patient.set_s(c!(CLAIMS, "patient_first_name"), el(seg, 4));
                    }
                } else if let Some(line) = tx.line.as_mut() {
                    if eq(q, "82") {
                        line.set_s(c!(CLAIM_LINES, "rendering_npi"), npi);
                    }
                } else if !tx.in_other_subscriber {
                    let claim = tx.claim.as_mut().unwrap();
                    let role = match q {
                        Some(b"82") => Some(c!(CLAIMS, "rendering_npi")),
                        Some(b"DN") => Some(c!(CLAIMS, "referring_npi")),
                        Some(b"71") => Some(c!(CLAIMS, "attending_npi")),
                        Some(b"72") => Some(c!(CLAIMS, "operating_npi")),
                        Some(b"77") => Some(c!(CLAIMS, "facility_npi")),
                        _ => None,
                    };
                    if let Some(ci) = role {
                        claim.set_s(ci, npi);
                        if eq(q, "82") {
                            // names: the LEIE fallback match when OIG has no NPI for a person
                            claim.set_s(c!(CLAIMS, "rendering_last_name"), el(seg, 3));
                            claim.set_s(c!(CLAIMS, "rendering_first_name"), el(seg, 4));
                        }
                    }
                }
            }
            b"REF" => {
                let q = el(seg, 1);
                let tx = tx!();
                if !in_claim {
                    if eq(q, "EI") && tx.hl_level.as_deref() == Some(b"20") {
                        tx.billing.set_s(c!(CLAIMS, "billing_tax_id"), el(seg, 2));
                    }
                } else if let Some(line) = tx.line.as_mut() {
                    if eq(q, "6R") {
                        line.set_s(c!(CLAIM_LINES, "line_control_number"), el(seg, 2));
                    }
                } else if !tx.in_other_subscriber {
                    let claim = tx.claim.as_mut().unwrap();
                    if eq(q, "F8") {
                        claim.set_s(c!(CLAIMS, "original_reference"), el(seg, 2));
                    } else if eq(q, "G1") {
                        claim.set_s(c!(CLAIMS, "prior_authorization"), el(seg, 2));
                    }
                }
            }
            b"DMG" if !in_claim => {
                let dob = self.date8(idx, sid, el(seg, 2), "02").map(i128::from);
                let tx = tx!();
                let target = if tx.hl_level.as_deref() == Some(b"23") { &mut tx.patient } else { &mut tx.subscriber };
                target.set_n(c!(CLAIMS, "patient_birth_date"), dob);
                target.set_s(c!(CLAIMS, "patient_gender"), el(seg, 3));
            }
            b"CLM" => {
                self.close_claim_837();
                let clm05 = split_components(el(seg, 5), comp);
                let freq = nz(clm05.get(2));
                if freq.is_some() && !in_set(freq, frequency_codes()) {
                    self.err("ELEM_BAD_CODE", "CLM05-3 frequency code is not valid", Some(idx), Some(sid), Some("05-3"));
                }
                if el(seg, 1).is_none() {
                    self.err("REQ_MISSING_ELEMENT", "CLM01 patient control number is missing", Some(idx), Some(sid),
                             Some("01"));
                }
                let total = self.amount(idx, seg, 2, true);
                let mut r = std::mem::replace(&mut self.st.as_mut().unwrap().t837.as_mut().unwrap().claim_rec, Rec::new(&[]));
                r.clear();
                self.lineage(&mut r, idx);
                let key = self.row_key(idx);
                r.set_s(c!(CLAIMS, "claim_key"), Some(&key));
                r.set_s(c!(CLAIMS, "claim_id"), el(seg, 1));
                r.set_n(c!(CLAIMS, "total_charge"), total);
                r.set_s(c!(CLAIMS, "facility_code"), nz(clm05.first()));
                r.set_s(c!(CLAIMS, "facility_code_qualifier"), nz(clm05.get(1)));
                r.set_s(c!(CLAIMS, "frequency_code"), freq);
                let tx = tx!();
                tx.dx_order = 0;
                tx.in_other_subscriber = false;
                if tx.patient.get_s(c!(CLAIMS, "patient_last_name")).is_none() {
                    let (l, f) = (c!(CLAIMS, "patient_last_name"), c!(CLAIMS, "patient_first_name"));
                    let sl = tx.subscriber.get_s(c!(CLAIMS, "subscriber_last_name")).map(<[u8]>::to_vec);
                    let sf = tx.subscriber.get_s(c!(CLAIMS, "subscriber_first_name")).map(<[u8]>::to_vec);
                    tx.patient.set_s(l, sl.as_deref());
                    tx.patient.set_s(f, sf.as_deref());
                }
                tx.claim_key = key;
                tx.claim_id = el(seg, 1).map(<[u8]>::to_vec);
                tx.claim = Some(r);
            }
            b"DTP" if in_claim && !tx!().in_other_subscriber => {
                let q = el(seg, 1);
                let (start, end) = self.period(idx, seg, 2, 3);
                let tx = tx!();
                if let Some(line) = tx.line.as_mut() {
                    if eq(q, "472") {
                        line.set_n(c!(CLAIM_LINES, "service_date"), start.map(i128::from));
                        line.set_n(c!(CLAIM_LINES, "service_end_date"), end.map(i128::from));
                    }
                } else {
                    let claim = tx.claim.as_mut().unwrap();
                    if eq(q, "434") {
                        claim.set_n(c!(CLAIMS, "statement_from_date"), start.map(i128::from));
                        claim.set_n(c!(CLAIMS, "statement_to_date"), end.map(i128::from));
                    } else if eq(q, "435") {
                        claim.set_n(c!(CLAIMS, "admission_date"), start.map(i128::from));
                    }
                }
            }
            b"CL1" if in_claim => {
                let claim = tx!().claim.as_mut().unwrap();
                claim.set_s(c!(CLAIMS, "admission_type"), el(seg, 1));
                claim.set_s(c!(CLAIMS, "admission_source"), el(seg, 2));
                claim.set_s(c!(CLAIMS, "discharge_status"), el(seg, 3));
            }
            b"HI" if in_claim && !in_line => {
                for comp_v in &seg[1..] {
                    let parts: Vec<&[u8]> = if comp_v.is_empty() { vec![] } else { comp_v.split(|&b| b == comp).collect() };
                    if parts.len() < 2 || parts[1].is_empty() {
                        continue;
                    }
                    let (qual, code) = (parts[0], parts[1]);
                    if qual == b"DR" {
                        tx!().claim.as_mut().unwrap().set_s(c!(CLAIMS, "drg_code"), Some(code));
                    } else if in_set(Some(qual), PRINCIPAL_DX) || in_set(Some(qual), OTHER_DX) {
                        let mut r = std::mem::replace(&mut self.dx_rec, Rec::new(&[]));
                        self.lineage(&mut r, idx);
                        let tx = tx!();
                        tx.dx_order += 1;
                        if in_set(Some(qual), PRINCIPAL_DX) {
                            tx.claim.as_mut().unwrap().set_s(c!(CLAIMS, "principal_diagnosis"), Some(code));
                        }
                        r.set_s(c!(CLAIM_DIAGNOSES, "claim_key"), Some(&tx.claim_key));
                        r.set_s(c!(CLAIM_DIAGNOSES, "claim_id"), tx.claim_id.as_deref());
                        r.set_n(c!(CLAIM_DIAGNOSES, "diagnosis_order"), Some(tx.dx_order as i128));
                        r.set_s(c!(CLAIM_DIAGNOSES, "qualifier"), Some(qual));
                        r.set_s(c!(CLAIM_DIAGNOSES, "diagnosis_code"), Some(code));
                        self.tables[T_DX].push(&r, &[]);
                        self.dx_rec = r;
                    }
                }
            }
            b"LX" if in_claim => {
                self.close_line_837();
                let mut r = std::mem::replace(&mut self.cl_rec, Rec::new(&[]));
                r.clear();
                self.lineage(&mut r, idx);
                let tx = tx!();
                tx.in_other_subscriber = false;
                let lx = el(seg, 1);
                r.set_s(c!(CLAIM_LINES, "claim_key"), Some(&tx.claim_key));
                r.set_s(c!(CLAIM_LINES, "claim_id"), tx.claim_id.as_deref());
                let n = lx.filter(|v| v.iter().all(u8::is_ascii_digit) && v.len() < 19)
                    .map(|v| v.iter().fold(0i128, |a, &b| a * 10 + (b - b'0') as i128));
                r.set_n(c!(CLAIM_LINES, "line_number"), n);
                tx.line = Some(r);
            }
            b"SV1" | b"SV2" if !in_line => {
                let m = format!("{} outside a service line: LX (loop 2400) is missing", text(sid));
                self.err("REQ_MISSING_SEGMENT", &m, Some(idx), Some(sid), None);
            }
            b"SV1" | b"SV2" => {
                let sv1 = sid == b"SV1";
                let (proc_i, charge_i, basis_i, units_i) = if sv1 { (1, 2, 3, 4) } else { (2, 3, 4, 5) };
                let charge = self.amount(idx, seg, charge_i, true);
                let units = self.number(idx, seg, units_i);
                let line = tx!().line.as_mut().unwrap();
                if sv1 {
                    line.set_s(c!(CLAIM_LINES, "place_of_service"), el(seg, 5));
                    let ptrs = split_components(el(seg, 7), comp);
                    let joined = ptrs.join(&b","[..]);
                    line.set_s(c!(CLAIM_LINES, "diagnosis_pointers"), if joined.is_empty() { None } else { Some(&joined) });
                } else {
                    line.set_s(c!(CLAIM_LINES, "revenue_code"), el(seg, 1));
                }
                set_procedure(line, CLAIM_LINES_PROCEDURE, el(seg, proc_i), comp);
                line.set_n(c!(CLAIM_LINES, "charge_amount"), charge);
                line.set_s(c!(CLAIM_LINES, "unit_basis"), el(seg, basis_i));
                line.set_f(c!(CLAIM_LINES, "units"), units);
            }
            _ => {}
        }
    }

    fn end_837(&mut self) {
        self.close_claim_837();
        if !self.st.as_ref().unwrap().t837.as_ref().unwrap().bht_seen {
            self.err("REQ_MISSING_SEGMENT", "837 has no BHT (beginning of hierarchical transaction)", None,
                     Some(b"BHT"), None);
        }
        self.st.as_mut().unwrap().t837 = None;
    }
}

// ------------------------------------------------------------------------------------------ acknowledgments

fn type_name(t: TxType) -> &'static str {
    match t {
        TxType::P835 => "835",
        TxType::P837I => "837I",
        TxType::P999 => "999",
        TxType::P277CA => "277CA",
        _ => "837P",
    }
}

/// 999 state: the open AK1 (its row, its set rows, its AK9 verdict), the open AK2 and the open IK3's rows.
#[derive(Default)]
struct Tx999 {
    group: Option<Rec>,
    group_sets: Vec<Rec>,
    verdict: Option<Rec>,
    aset: Option<Rec>,
    aset_ik5: bool,
    errors: Option<Vec<Rec>>,
    ik3: Option<Rec>,
    groups_seen: usize,
}

struct Line277 {
    fields: Rec,
    statuses: Vec<Rec>,
}

struct Claim277 {
    fields: Rec,
    trn: i64,
    statuses: Vec<Rec>,
    lines: Vec<Line277>,
}

/// 277CA state: BHT, the names of the HL levels above the claim, the open claim (2200D) and line (2220D).
struct Tx277 {
    header: Rec,
    parties: Rec,
    level: Option<Vec<u8>>,
    claim: Option<Claim277>,
    line: Option<Line277>,
    bht_seen: bool,
}

impl Tx277 {
    fn new() -> Tx277 {
        Tx277 { header: Rec::new(CLAIM_ACKNOWLEDGMENTS), parties: Rec::new(CLAIM_ACKNOWLEDGMENTS), level: None,
                claim: None, line: None, bht_seen: false }
    }
}

const STATUS_ELEMENTS: [usize; 3] = [1, 10, 11];
const PATIENT_COLS: [usize; 3] = [c!(CLAIM_ACKNOWLEDGMENTS, "patient_last_name"),
    c!(CLAIM_ACKNOWLEDGMENTS, "patient_first_name"), c!(CLAIM_ACKNOWLEDGMENTS, "patient_member_id")];

/// The names a new HL forgets: those of its own level and the levels below it.
fn forget_277(level: Option<&[u8]>) -> Vec<usize> {
    let provider = c!(CLAIM_ACKNOWLEDGMENTS, "provider_id");
    let receiver = c!(CLAIM_ACKNOWLEDGMENTS, "receiver_id");
    let mut v = match level {
        Some(b"20") => vec![c!(CLAIM_ACKNOWLEDGMENTS, "source_name"), c!(CLAIM_ACKNOWLEDGMENTS, "source_id"), receiver,
                            provider],
        Some(b"21") => vec![receiver, provider],
        Some(b"19") => vec![provider],
        Some(b"PT") => vec![],
        _ => return vec![],
    };
    v.extend_from_slice(&PATIENT_COLS);
    v
}

fn join_codes(seg: &[&[u8]], first: usize, last: usize) -> Option<Vec<u8>> {
    let codes: Vec<&[u8]> = (first..=last).filter_map(|i| el(seg, i)).collect();
    if codes.is_empty() { None } else { Some(codes.join(&b","[..])) }
}

impl Parser {
    /// A count or position (X12 N0, at most 18 digits: it must fit a 64-bit column); anything else is an error.
    fn count_n0(&mut self, idx: i64, sid: &[u8], r: &str, v: Option<&[u8]>) -> Option<i128> {
        let v = v.filter(|v| !v.is_empty())?;
        if v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
            self.err("ELEM_BAD_NUMBER", "not a valid number", Some(idx), Some(sid), Some(r));
            return None;
        }
        Some(text(v).parse::<i128>().unwrap())
    }

    // ---------- 999
    fn close_error_999(&mut self, tx: &mut Tx999) {
        if let Some(rows) = tx.errors.take() {
            let t = &mut self.tables[T_ACKERR];
            if rows.is_empty() {
                t.push(tx.ik3.as_ref().unwrap(), &[]);
            }
            for r in &rows {
                t.push(r, &[]);
            }
        }
    }

    fn close_set_999(&mut self, tx: &mut Tx999) {
        self.close_error_999(tx);
        if let Some(aset) = tx.aset.take() {
            if !tx.aset_ik5 {
                self.err("REQ_MISSING_SEGMENT", "transaction set response (AK2) has no IK5", Some(aset.n[5] as i64),
                         Some(b"AK2"), None);
            }
            tx.group_sets.push(aset);
        }
    }

    fn close_group_999(&mut self, tx: &mut Tx999, ak9_seen: bool) {
        self.close_set_999(tx);
        let Some(group) = tx.group.take() else { return };
        if !ak9_seen {
            self.err("REQ_MISSING_SEGMENT", "functional group response (AK1) has no AK9", Some(group.n[5] as i64),
                     Some(b"AK1"), None);
        }
        let sets = std::mem::take(&mut tx.group_sets);
        let verdict = tx.verdict.take();
        let mut emit = |r: Option<&Rec>| {
            let mut row = group.clone();
            if let Some(r) = r {
                row.overlay(r);
            }
            if let Some(v) = verdict.as_ref() {
                row.overlay(v);
            }
            self.tables[T_ACKSET].push(&row, &[]);
        };
        if sets.is_empty() {
            emit(None);
        }
        for s in &sets {
            emit(Some(s));
        }
    }

    fn seg_999(&mut self, idx: i64, seg: &[&[u8]]) {
        let mut tx = self.st.as_mut().unwrap().t999.take().unwrap();
        self.seg_999_in(&mut tx, idx, seg);
        self.st.as_mut().unwrap().t999 = Some(tx);
    }

    fn seg_999_in(&mut self, tx: &mut Tx999, idx: i64, seg: &[&[u8]]) {
        let sid = seg[0];
        let outside = |what: &str, missing: &str| format!("{} outside a {what}: {missing} is missing", text(sid));
        if sid == b"AK1" {
            self.close_group_999(tx, false);
            tx.groups_seen += 1;
            if el(seg, 2).is_none() {
                self.err("REQ_MISSING_ELEMENT", "AK102 group control number is missing", Some(idx), Some(sid), Some("02"));
            }
            let mut row = Rec::new(ACK_SET_RESPONSES);
            self.lineage(&mut row, idx);
            row.set_s(c!(ACK_SET_RESPONSES, "functional_id"), el(seg, 1));
            row.set_s(c!(ACK_SET_RESPONSES, "group_control"), el(seg, 2));
            row.set_s(c!(ACK_SET_RESPONSES, "group_version"), el(seg, 3));
            tx.group = Some(row);
        } else if tx.group.is_none() {
            let m = outside("functional group response", "AK1");
            self.err("REQ_MISSING_SEGMENT", &m, Some(idx), Some(sid), None);
        } else if sid == b"AK2" {
            self.close_set_999(tx);
            if el(seg, 2).is_none() {
                self.err("REQ_MISSING_ELEMENT", "AK202 transaction set control number is missing", Some(idx), Some(sid),
                         Some("02"));
            }
            let mut row = Rec::new(ACK_SET_RESPONSES);
            self.lineage(&mut row, idx);
            row.set_s(c!(ACK_SET_RESPONSES, "set_type"), el(seg, 1));
            row.set_s(c!(ACK_SET_RESPONSES, "set_control"), el(seg, 2));
            row.set_s(c!(ACK_SET_RESPONSES, "set_version"), el(seg, 3));
            row.set_n(c!(ACK_SET_RESPONSES, "segment_errors"), Some(0));
            tx.aset = Some(row);
            tx.aset_ik5 = false;
        } else if sid == b"AK9" {
            let status = el(seg, 1);
            match status {
                None => self.err("REQ_MISSING_ELEMENT", "AK901 functional group acknowledgment code is missing",
                                 Some(idx), Some(sid), Some("01")),
                Some(_) if !in_set(status, group_status_codes()) => self.err(
                    "ELEM_BAD_CODE", "AK901 functional group acknowledgment code is not valid", Some(idx), Some(sid),
                    Some("01")),
                _ => {}
            }
            let mut v = Rec::new(ACK_SET_RESPONSES);
            v.set_s(c!(ACK_SET_RESPONSES, "group_status"), status);
            let counts = [("02", 2, c!(ACK_SET_RESPONSES, "group_sets_included")),
                          ("03", 3, c!(ACK_SET_RESPONSES, "group_sets_received")),
                          ("04", 4, c!(ACK_SET_RESPONSES, "group_sets_accepted"))];
            for (r, i, col) in counts {
                let n = self.count_n0(idx, sid, r, el(seg, i));
                v.set_n(col, n);
            }
            v.set_s(c!(ACK_SET_RESPONSES, "group_error_codes"), join_codes(seg, 5, 9).as_deref());
            tx.verdict = Some(v);
            self.close_group_999(tx, true);
        } else if tx.aset.is_none() {
            let m = outside("transaction set response", "AK2");
            self.err("REQ_MISSING_SEGMENT", &m, Some(idx), Some(sid), None);
        } else if sid == b"IK3" {
            self.close_error_999(tx);
            let aset = tx.aset.as_mut().unwrap();
            aset.n[c!(ACK_SET_RESPONSES, "segment_errors")] += 1;
            let set_control = aset.get_s(c!(ACK_SET_RESPONSES, "set_control")).map(<[u8]>::to_vec);
            let group_control = tx.group.as_ref().unwrap().get_s(c!(ACK_SET_RESPONSES, "group_control")).map(<[u8]>::to_vec);
            let position = self.count_n0(idx, sid, "02", el(seg, 2));
            let mut r = Rec::new(ACK_SEGMENT_ERRORS);
            self.lineage(&mut r, idx);
            r.set_s(c!(ACK_SEGMENT_ERRORS, "group_control"), group_control.as_deref());
            r.set_s(c!(ACK_SEGMENT_ERRORS, "set_control"), set_control.as_deref());
            r.set_s(c!(ACK_SEGMENT_ERRORS, "segment_id"), el(seg, 1));
            r.set_n(c!(ACK_SEGMENT_ERRORS, "segment_position"), position);
            r.set_s(c!(ACK_SEGMENT_ERRORS, "loop_id"), el(seg, 3));
            r.set_s(c!(ACK_SEGMENT_ERRORS, "segment_error_code"), el(seg, 4));
            tx.ik3 = Some(r);
            tx.errors = Some(vec![]);
        } else if sid == b"IK4" {
            if tx.errors.is_none() {
                self.err("REQ_MISSING_SEGMENT", "IK4 outside a segment error: IK3 is missing", Some(idx), Some(sid), None);
                return;
            }
            let position = split_components(el(seg, 1), self.comp);
            let element_position = self.count_n0(idx, sid, "01-1", position.first().copied());
            let component_position = self.count_n0(idx, sid, "01-2", position.get(1).copied());
            let mut r = tx.ik3.clone().unwrap();
            self.lineage(&mut r, idx);
            r.set_n(c!(ACK_SEGMENT_ERRORS, "element_position"), element_position);
            r.set_n(c!(ACK_SEGMENT_ERRORS, "component_position"), component_position);
            r.set_s(c!(ACK_SEGMENT_ERRORS, "element_reference"), el(seg, 2));
            r.set_s(c!(ACK_SEGMENT_ERRORS, "element_error_code"), el(seg, 3));
            tx.errors.as_mut().unwrap().push(r);
        } else if sid == b"CTX" {
            let context = split_components(el(seg, 1), self.comp);
            if tx.errors.is_some() && context.len() > 1 && context[0] == b"CLM01" && !context[1].is_empty() {
                let col = c!(ACK_SEGMENT_ERRORS, "claim_id");
                tx.ik3.as_mut().unwrap().set_s(col, Some(context[1]));
                for r in tx.errors.as_mut().unwrap() {
                    r.set_s(col, Some(context[1]));
                }
            }
        } else if sid == b"IK5" {
            self.close_error_999(tx);
            let status = el(seg, 1);
            match status {
                None => self.err("REQ_MISSING_ELEMENT", "IK501 transaction set acknowledgment code is missing",
                                 Some(idx), Some(sid), Some("01")),
                Some(_) if !in_set(status, set_status_codes()) => self.err(
                    "ELEM_BAD_CODE", "IK501 transaction set acknowledgment code is not valid", Some(idx), Some(sid),
                    Some("01")),
                _ => {}
            }
            let codes = join_codes(seg, 2, 6);
            let aset = tx.aset.as_mut().unwrap();
            aset.set_s(c!(ACK_SET_RESPONSES, "set_status"), status);
            aset.set_s(c!(ACK_SET_RESPONSES, "set_error_codes"), codes.as_deref());
            tx.aset_ik5 = true;
        }
    }

    fn end_999(&mut self) {
        let mut tx = self.st.as_mut().unwrap().t999.take().unwrap();
        self.close_group_999(&mut tx, false);
        if tx.groups_seen == 0 {
            self.err("REQ_MISSING_SEGMENT", "999 has no AK1 (functional group response) segment", None, Some(b"AK1"),
                     None);
        }
    }

    // ---------- 277CA
    fn statuses_277(&mut self, idx: i64, seg: &[&[u8]]) -> Vec<Rec> {
        let first = split_components(el(seg, 1), self.comp);
        if first.first().is_none_or(|f| f.is_empty()) {
            self.err("REQ_MISSING_ELEMENT", "STC01 claim status is missing", Some(idx), Some(b"STC"), Some("01"));
        }
        let date = self.date8(idx, b"STC", el(seg, 2), "02");
        let amount = self.amount(idx, seg, 4, false);
        let mut rows = vec![];
        for (k, i) in STATUS_ELEMENTS.iter().enumerate() {
            let parts = split_components(el(seg, *i), self.comp);
            if parts.first().is_none_or(|f| f.is_empty()) {
                continue;
            }
            let mut r = Rec::new(CLAIM_ACKNOWLEDGMENTS);
            self.lineage(&mut r, idx);
            r.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "status_date"), date.map(i128::from));
            r.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "action_code"), el(seg, 3));
            r.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "charge_amount"), amount);
            r.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "status_sequence"), Some(k as i128 + 1));
            r.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "status_category"), Some(parts[0]));
            r.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "status_code"), nz(parts.get(1)));
            r.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "entity_code"), nz(parts.get(2)));
            rows.push(r);
        }
        rows
    }

    fn close_claim_277(&mut self, tx: &mut Tx277) {
        if let Some(line) = tx.line.take() {
            tx.claim.as_mut().unwrap().lines.push(line);
        }
        let Some(claim) = tx.claim.take() else { return };
        if claim.statuses.is_empty() {
            self.err("REQ_MISSING_SEGMENT", "claim acknowledgment (TRN, loop 2200D) has no STC status", Some(claim.trn),
                     Some(b"TRN"), None);
        }
        let level = c!(CLAIM_ACKNOWLEDGMENTS, "ack_level");
        let mut rows = 0;
        for status in &claim.statuses {
            let mut row = claim.fields.clone();
            row.overlay(status);
            row.set_s(level, Some(b"claim"));
            self.tables[T_CLAIMACK].push(&row, &[]);
            rows += 1;
        }
        for line in &claim.lines {
            for status in &line.statuses {
                let mut row = claim.fields.clone();
                row.overlay(&line.fields);
                row.overlay(status);
                row.set_s(level, Some(b"line"));
                self.tables[T_CLAIMACK].push(&row, &[]);
                rows += 1;
            }
        }
        if rows > 0 {
            self.st.as_mut().unwrap().claims += 1;
        }
    }

    fn seg_277(&mut self, idx: i64, seg: &[&[u8]]) {
        let mut tx = self.st.as_mut().unwrap().t277.take().unwrap();
        self.seg_277_in(&mut tx, idx, seg);
        self.st.as_mut().unwrap().t277 = Some(tx);
    }

    fn seg_277_in(&mut self, tx: &mut Tx277, idx: i64, seg: &[&[u8]]) {
        let sid = seg[0];
        let level = tx.level.as_deref();
        match sid {
            b"BHT" => {
                tx.bht_seen = true;
                let d = self.date8(idx, sid, el(seg, 4), "04");
                tx.header.clear();
                tx.header.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "bht_reference"), el(seg, 3));
                tx.header.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "bht_date"), d.map(i128::from));
            }
            b"HL" => {
                self.close_claim_277(tx);
                tx.level = el(seg, 3).map(<[u8]>::to_vec);
                for col in forget_277(tx.level.as_deref()) {
                    tx.parties.state[col] = ABSENT;
                }
            }
            b"NM1" => {
                let p = &mut tx.parties;
                match level {
                    Some(b"20") => {
                        p.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "source_name"), el(seg, 3));
                        p.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "source_id"), el(seg, 9));
                    }
                    Some(b"21") => p.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "receiver_id"), el(seg, 9)),
                    Some(b"19") => p.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "provider_id"), el(seg, 9)),
                    Some(b"PT") => {
                        p.set_s(PATIENT_COLS[0], el(seg, 3));
                        p.set_s(PATIENT_COLS[1], el(seg, 4));
                        p.set_s(PATIENT_COLS[2], el(seg, 9));
                    }
                    _ => {}
                }
            }
            b"TRN" if level == Some(b"PT") => {
                self.close_claim_277(tx);
                let mut fields = tx.header.clone();
                fields.overlay(&tx.parties);
                let key = self.row_key(idx);
                fields.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "ack_claim_key"), Some(&key));
                fields.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "claim_id"), el(seg, 2));
                tx.claim = Some(Claim277 { fields, trn: idx, statuses: vec![], lines: vec![] });
            }
            _ if tx.claim.is_none() => {
                if sid == b"SVC" {
                    self.err("REQ_MISSING_SEGMENT", "SVC outside a claim: TRN (loop 2200D) is missing", Some(idx),
                             Some(sid), None);
                }
                // TRN, STC, QTY and AMT above the patient level answer the batch, not a claim
            }
            b"STC" => {
                let rows = self.statuses_277(idx, seg);
                match tx.line.as_mut() {
                    Some(line) => line.statuses.extend(rows),
                    None => tx.claim.as_mut().unwrap().statuses.extend(rows),
                }
            }
            b"SVC" => {
                if let Some(line) = tx.line.take() {
                    tx.claim.as_mut().unwrap().lines.push(line);
                }
                let procedure = split_components(el(seg, 1), self.comp);
                let charge = self.amount(idx, seg, 2, false);
                let mut fields = Rec::new(CLAIM_ACKNOWLEDGMENTS);
                fields.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "line_procedure_code"), nz(procedure.get(1)));
                fields.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "line_charge"), charge);
                tx.line = Some(Line277 { fields, statuses: vec![] });
            }
            b"REF" => {
                let (qualifier, value) = (el(seg, 1), el(seg, 2));
                if let Some(line) = tx.line.as_mut() {
                    if eq(qualifier, "FJ") {
                        line.fields.set_s(c!(CLAIM_ACKNOWLEDGMENTS, "line_control_number"), value);
                    }
                } else {
                    let col = match qualifier {
                        Some(b"1K") => Some(c!(CLAIM_ACKNOWLEDGMENTS, "payer_claim_control_number")),
                        Some(b"D9") => Some(c!(CLAIM_ACKNOWLEDGMENTS, "clearinghouse_trace")),
                        Some(b"BLT") => Some(c!(CLAIM_ACKNOWLEDGMENTS, "bill_type")),
                        _ => None,
                    };
                    if let Some(col) = col {
                        tx.claim.as_mut().unwrap().fields.set_s(col, value);
                    }
                }
            }
            b"DTP" if eq(el(seg, 1), "472") => {
                let (start, end) = self.period(idx, seg, 2, 3);
                let target = match tx.line.as_mut() {
                    Some(line) => &mut line.fields,
                    None => &mut tx.claim.as_mut().unwrap().fields,
                };
                target.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "service_from_date"), start.map(i128::from));
                target.set_n(c!(CLAIM_ACKNOWLEDGMENTS, "service_to_date"), end.map(i128::from));
            }
            _ => {}
        }
    }

    fn end_277(&mut self) {
        let mut tx = self.st.as_mut().unwrap().t277.take().unwrap();
        self.close_claim_277(&mut tx);
        if !tx.bht_seen {
            self.err("REQ_MISSING_SEGMENT", "277CA has no BHT (beginning of hierarchical transaction) segment", None,
                     Some(b"BHT"), None);
        }
    }
}

const REMIT_HEADER_COLS: &[usize] = &[
    c!(REMIT_CLAIMS, "payment_date"), c!(REMIT_CLAIMS, "production_date"), c!(REMIT_CLAIMS, "payer_name"),
    c!(REMIT_CLAIMS, "payer_id"), c!(REMIT_CLAIMS, "payee_npi"), c!(REMIT_CLAIMS, "trace_number"),
];

/// SVC01 / SV101 / SV202 composite: qualifier, code, up to four modifiers, into these columns.
fn set_procedure(r: &mut Rec, cols: [usize; 6], composite: Option<&[u8]>, comp: u8) {
    let parts = split_components(composite, comp);
    for (k, ci) in cols.iter().enumerate() {
        r.set_s(*ci, nz(parts.get(k)));
    }
}

const REMIT_LINES_PROCEDURE: [usize; 6] = [c!(REMIT_LINES, "procedure_qualifier"), c!(REMIT_LINES, "procedure_code"),
    c!(REMIT_LINES, "modifier_1"), c!(REMIT_LINES, "modifier_2"), c!(REMIT_LINES, "modifier_3"),
    c!(REMIT_LINES, "modifier_4")];
const CLAIM_LINES_PROCEDURE: [usize; 6] = [c!(CLAIM_LINES, "procedure_qualifier"), c!(CLAIM_LINES, "procedure_code"),
    c!(CLAIM_LINES, "modifier_1"), c!(CLAIM_LINES, "modifier_2"), c!(CLAIM_LINES, "modifier_3"),
    c!(CLAIM_LINES, "modifier_4")];

fn opt_text(v: Option<&[u8]>) -> String {
    v.map(text).unwrap_or_else(|| "None".to_string())
}

/// A version or ISA12 as a message may show it: letters, digits and dots, at most 20 (it is read from
/// the file, and messages never carry data values).
fn shown_version(v: Option<&[u8]>) -> String {
    let v = py_strip(v.unwrap_or(b""));
    if v.is_empty() {
        return "(none)".to_string();
    }
    let t: String = v.iter().take(20).map(|&b| if b.is_ascii_alphanumeric() || b == b'.' { b as char } else { '?' }).collect();
    if v.len() > 20 { format!("{t}…") } else { t }
}

fn classify_version(isa12: Option<&[u8]>, gs08: Option<&[u8]>, st01: Option<&[u8]>, st03: Option<&[u8]>)
                    -> (TxType, Option<String>) {
    let raw_version = py_strip(st03.or(gs08).unwrap_or(b""));
    let version = text(raw_version);
    let shown = shown_version(if raw_version.is_empty() { gs08 } else { Some(raw_version) });
    if version.starts_with("004010") || gs08.map(text).unwrap_or_default().starts_with("004010") {
        return (TxType::Unsupported, Some(format!("X12 version {shown} (004010) is not supported; only 005010 is accepted")));
    }
    if let Some(v) = isa12 {
        if py_strip(v) != b"00501" {
            return (TxType::Unsupported, Some(format!(
                "interchange version ISA12 {} is not supported; only 00501 (5010) is accepted", shown_version(Some(v)))));
        }
    }
    if !version.is_empty() && !version.starts_with("005010") {
        return (TxType::Unsupported, Some(format!("X12 version {shown} is not supported; only 005010 is accepted")));
    }
    if st01 == Some(b"835") {
        if !version.is_empty() && !version.contains("X221") && version != "005010" {
            return (TxType::Unsupported, Some(format!(
                "835 with implementation guide {shown} is not supported (expected 005010X221A1)")));
        }
        return (TxType::P835, None);
    }
    if st01 == Some(b"999") {
        if !version.is_empty() && !version.contains("X231") && version != "005010" {
            return (TxType::Unsupported, Some(format!(
                "999 with implementation guide {shown} is not supported (expected 005010X231A1)")));
        }
        return (TxType::P999, None);
    }
    if st01 == Some(b"277") {
        if !version.contains("X214") {
            return (TxType::Unsupported, Some(format!(
                "277 with implementation guide {shown} is not supported; revcycle reads the claim acknowledgment \
                 277CA (005010X214)")));
        }
        return (TxType::P277CA, None);
    }
    if st01 == Some(b"837") {
        if version.contains("X222") {
            return (TxType::P837P, None);
        }
        if version.contains("X223") {
            return (TxType::P837I, None);
        }
        if version.contains("X224") {
            return (TxType::Unsupported, Some(format!(
                "837 dental ({shown}) is not supported; revcycle reads 837P and 837I")));
        }
        return (TxType::Infer837, None);
    }
    let v = if version.is_empty() { "no version".to_string() } else { shown };
    let set = st01.map(|s| shown_version(Some(s))).unwrap_or_else(|| "(none)".to_string());
    (TxType::Unsupported, Some(format!("transaction set {set} ({v}) is not supported; expected 835, 837, 999 or 277CA")))
}

/// What an 837's loops say of its claim type: SV1 (professional), SV2 or CL1 (institutional).  These decide;
/// CLM05-2 only when a set has none of them (clm_type_837).
fn line_type_837(seg: &[&[u8]]) -> Option<TxType> {
    match seg[0] {
        b"SV1" => Some(TxType::P837P),
        b"SV2" | b"CL1" => Some(TxType::P837I),
        _ => None,
    }
}

/// CLM05-2: A = a bill type (institutional), B = a place of service (professional).
fn clm_type_837(seg: &[&[u8]], comp: u8) -> Option<TxType> {
    if seg[0] != b"CLM" {
        return None;
    }
    match split_components(el(seg, 5), comp).get(1).map(|c| py_strip(c)) {
        Some(b"A") => Some(TxType::P837I),
        Some(b"B") => Some(TxType::P837P),
        _ => None,
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bits: the content hash of a transaction set (its segments as read, each followed by 0x1E),
/// which with the envelope's control numbers tells a set already loaded from another file.
fn fnv1a(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

// ------------------------------------------------------------------------------------------ tokenizer

const BOMS: &[&[u8]] = &[b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"];
const BLOCK: usize = 1 << 20;
/// The longest segment read (real ones are under a few kilobytes); a longer one is a missing terminator.
const MAX_SEGMENT: usize = 1 << 20;

struct Input<R: Read> {
    r: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl<R: Read> Input<R> {
    /// Make at least `n` bytes available after pos (fewer only at end of input).
    fn fill(&mut self, n: usize) {
        while !self.eof && self.buf.len() - self.pos < n {
            if self.pos > BLOCK {
                self.buf.drain(..self.pos);
                self.pos = 0;
            }
            let old = self.buf.len();
            self.buf.resize(old + BLOCK, 0);
            let got = loop {
                match self.r.read(&mut self.buf[old..]) {
                    Ok(g) => break g,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break 0,
                }
            };
            self.buf.truncate(old + got);
            if got == 0 {
                self.eof = true;
            }
        }
    }
    fn avail(&self) -> &[u8] {
        &self.buf[self.pos..]
    }
}

fn is_ws_prefix(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f | 0x85 | 0xa0)
}

fn run<R: Read>(p: &mut Parser, r: R) {
    let mut inp = Input { r, buf: Vec::with_capacity(BLOCK * 2), pos: 0, eof: false };
    inp.fill(4);
    for bom in BOMS {
        if inp.avail().starts_with(bom) {
            inp.pos += bom.len();
            break;
        }
    }
    // Find the ISA; whatever precedes it is reported, never parsed.
    let mut prefix_len: usize = 0;
    let mut prefix_blank = true;
    let mut prefix_start: Vec<u8> = vec![];
    loop {
        inp.fill(4);
        let a = inp.avail();
        if a.len() < 4 {
            // end of input without an ISA
            for &b in a {
                if !is_ws_prefix(b) {
                    prefix_blank = false;
                }
                if prefix_start.len() < 16 {
                    prefix_start.push(b);
                }
            }
            if prefix_blank {
                p.finding(ERROR, "ENV_EMPTY", "file is empty", None, None, None, false);
            } else {
                let lead = py_strip(&prefix_start);
                let st_start = lead.len() >= 3 && &lead[..2] == b"ST" && matches!(lead[2], b'*' | b'|' | b'^' | b'~');
                let m = if st_start {
                    "file starts at ST with no ISA/GS envelope; delimiters cannot be trusted"
                } else {
                    "no ISA interchange header found: not an X12 file"
                };
                p.finding(ERROR, "ENV_NO_ISA", m, if st_start { Some(1) } else { None }, None, None, false);
            }
            return;
        }
        if &a[..3] == b"ISA" && !(a[3].is_ascii_alphanumeric() || matches!(a[3], b' ' | b'\r' | b'\n')) {
            break;
        }
        let b = a[0];
        prefix_len += 1;
        if !is_ws_prefix(b) {
            prefix_blank = false;
        }
        if prefix_start.len() < 16 && !(prefix_start.is_empty() && is_ws_prefix(b)) {
            prefix_start.push(b);
        }
        inp.pos += 1;
    }
    // Delimiters from the ISA: element = 4th char, component = ISA16, terminator right after it.
    inp.fill(4096);
    let a = inp.avail();
    let elsep = a[3];
    let mut idx = 3usize;
    for n in 0..15 {
        match a[idx + 1..].iter().position(|&b| b == elsep) {
            Some(off) => idx = idx + 1 + off,
            None => {
                let m = format!("ISA header has only {} of its 16 elements (truncated or garbled)", n + 1);
                p.finding(ERROR, "ENV_BAD_ISA", &m, Some(1), None, None, false);
                return;
            }
        }
    }
    let comp_pos = idx + 1;
    if comp_pos + 1 >= a.len() {
        p.finding(ERROR, "ENV_BAD_ISA", "file ends inside the ISA header", Some(1), None, None, false);
        return;
    }
    let comp = a[comp_pos];
    let mut term = a[comp_pos + 1];
    if term == b'\r' || term == b'\n' {
        let mut j = comp_pos + 1;
        while j < a.len() && (a[j] == b'\r' || a[j] == b'\n') {
            j += 1;
        }
        // A wrapped file: the real terminator follows the line break.
        term = match a.get(j) {
            Some(&nx) if !(nx.is_ascii_alphanumeric() || nx == b' ') && !(nx >= 0x80 && is_alnum_latin1(nx)) => nx,
            _ => b'\n',
        };
    }
    let alnum = |b: u8| b.is_ascii_alphanumeric() || is_alnum_latin1(b);
    if alnum(elsep) || alnum(comp) || alnum(term)
        || elsep == comp || elsep == term || comp == term
    {
        let m = format!("ISA declares unusable delimiters element={} component={} segment={}",
                        repr(Some(&[elsep])), repr(Some(&[comp])), repr(Some(&[term])));
        p.finding(ERROR, "ENV_BAD_DELIMITERS", &m, Some(1), None, None, false);
        return;
    }
    if !prefix_blank {
        let m = format!("{prefix_len} characters before the ISA were ignored");
        p.finding(WARNING, "ENV_TEXT_BEFORE_ISA", &m, None, None, None, false);
    }
    p.el = elsep;
    p.comp = comp;
    let newline_term = term == b'\n';
    // Segments: when the terminator is not a line break, line breaks carry no meaning and are dropped
    // (that unwraps 80-column files); when it is, CR, LF and CRLF all end a segment.
    let mut seg: Vec<u8> = Vec::with_capacity(256);
    let mut idx: i64 = 0;
    // A segment longer than MAX_SEGMENT (no terminator where one belongs) is not kept: it is counted, reported
    // and skipped up to the next terminator, so memory stays near one read block whatever the file holds.
    let mut overlong = false;
    let mut emit = |p: &mut Parser, s: &[u8], overlong: bool| {
        if overlong {
            idx += 1;
            p.overlong_segment(idx);
        } else if s.iter().any(|&b| !matches!(b, b' ' | b'\t' | 0 | 0x1a)) {
            idx += 1;
            p.segment(idx, s);
        }
    };
    loop {
        inp.fill(BLOCK);
        let a = inp.avail();
        if a.is_empty() {
            break;
        }
        let mut start = 0;
        while start <= a.len() {
            let rel = if newline_term {
                a[start..].iter().position(|&b| b == b'\n' || b == b'\r')
            } else {
                a[start..].iter().position(|&b| b == term || b == b'\n' || b == b'\r')
            };
            let Some(rel) = rel else { break };
            let i = start + rel;
            if seg.len() + (i - start) > MAX_SEGMENT {
                overlong = true;
                seg.clear();
            }
            if a[i] == term || newline_term {
                // The common case (no line break inside the segment) is handled in place, no copy.
                if overlong || seg.is_empty() {
                    emit(p, &a[start..i], overlong);
                } else {
                    seg.extend_from_slice(&a[start..i]);
                    emit(p, &seg, false);
                    seg.clear();
                }
                overlong = false;
            } else if !overlong {
                seg.extend_from_slice(&a[start..i]); // a line break inside a segment: unwrap
            }
            start = i + 1;
        }
        if start < a.len() && !overlong {
            if seg.len() + (a.len() - start) > MAX_SEGMENT {
                overlong = true;
                seg.clear();
            } else {
                seg.extend_from_slice(&a[start..]);
            }
        }
        let n = a.len();
        inp.pos += n;
    }
    if overlong || !seg.is_empty() {
        emit(p, &seg, overlong);
    }
    // end of input
    if p.st.is_some() {
        p.close_st(None, None);
    }
    if p.isa13.is_some() {
        p.finding(ERROR, "ENV_MISSING_IEA", "interchange has no IEA trailer (file truncated?)", None, None, None, false);
    }
    if p.n_summaries == 0 && !p.any_error {
        p.finding(ERROR, "ENV_NO_TRANSACTIONS", "file holds no ST/SE transaction set", None, None, None, false);
    }
}

fn is_alnum_latin1(b: u8) -> bool {
    // Python's str.isalnum() on latin-1: letters and digits above 0x7F (ª ² ³ µ ¹ º ¼-¾ À-ÿ except × ÷).
    matches!(b, 0xaa | 0xb2 | 0xb3 | 0xb5 | 0xb9 | 0xba | 0xbc..=0xbe | 0xc0..=0xd6 | 0xd8..=0xf6 | 0xf8..=0xff)
}

// ------------------------------------------------------------------------------------------ FFI

pub struct Output {
    tables: Vec<Table>,
    // x12_parse_paths: each file's rows of each table, file by file (u64::MAX: the file could not be opened)
    rows: Vec<u64>,
}

#[repr(C)]
pub struct ColumnView {
    pub kind: u8,
    pub len: u64,
    pub validity: *const u8,
    pub validity_len: u64,
    pub values: *const u8,
    pub values_len: u64,
    pub offsets: *const u8,
    pub offsets_len: u64,
    pub mode: u8,
}

fn finish(mut p: Parser) -> *mut Output {
    for t in &mut p.tables {
        for c in &mut t.cols {
            c.finish();
        }
    }
    Box::into_raw(Box::new(Output { tables: p.tables, rows: vec![] }))
}

/// # Safety
/// `data` must point to `len` readable bytes and `file_id` to a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn x12_parse_bytes(data: *const u8, len: usize, file_id: *const c_char) -> *mut Output {
    let bytes = if len == 0 { &[][..] } else { std::slice::from_raw_parts(data, len) };
    let fid = CStr::from_ptr(file_id).to_bytes();
    let mut p = Parser::new(fid);
    run(&mut p, bytes);
    finish(p)
}

/// # Safety
/// `path` and `file_id` must be NUL-terminated strings.  Returns null when the file cannot be opened.
#[no_mangle]
pub unsafe extern "C" fn x12_parse_path(path: *const c_char, file_id: *const c_char) -> *mut Output {
    // the name's own bytes (a file name need not be UTF-8)
    let path = std::path::PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
        CStr::from_ptr(path).to_bytes()));
    let fid = CStr::from_ptr(file_id).to_bytes();
    let f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => return std::ptr::null_mut(),
    };
    let mut p = Parser::new(fid);
    run(&mut p, f);
    finish(p)
}

/// Many small files in one output: each file is parsed on its own (its own envelope, findings and
/// lineage), then its rows are appended to the tables of the files before it, so the caller builds one
/// frame per table for all of them and slices it by `x12_rows`.  A file that cannot be opened gets
/// u64::MAX rows.
///
/// # Safety
/// `paths` and `ids` must each point to `n` NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn x12_parse_paths(paths: *const *const c_char, ids: *const *const c_char, n: usize)
    -> *mut Output {
    let mut all = Parser::new(b"");
    let mut rows = Vec::with_capacity(n * all.tables.len());
    for i in 0..n {
        let path = std::path::PathBuf::from(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(
            CStr::from_ptr(*paths.add(i)).to_bytes()));
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(_) => {
                rows.extend(std::iter::repeat(u64::MAX).take(all.tables.len()));
                continue;
            }
        };
        let mut p = Parser::new(CStr::from_ptr(*ids.add(i)).to_bytes());
        run(&mut p, f);
        for (t, o) in all.tables.iter_mut().zip(p.tables.iter()) {
            rows.push(o.len() as u64);
            for (c, oc) in t.cols.iter_mut().zip(o.cols.iter()) {
                c.append(oc);
            }
        }
    }
    let out = finish(all);
    (*out).rows = rows;
    out
}

/// # Safety
/// `o` must come from x12_parse_paths and not be freed yet; `len` receives the number of entries.
#[no_mangle]
pub unsafe extern "C" fn x12_rows(o: *const Output, len: *mut usize) -> *const u64 {
    *len = (*o).rows.len();
    (*o).rows.as_ptr()
}

/// # Safety
/// `o` must come from x12_parse_* and not be freed yet.
#[no_mangle]
pub unsafe extern "C" fn x12_column(o: *const Output, table: usize, col: usize, out: *mut ColumnView) -> i32 {
    let o = &*o;
    let Some(t) = o.tables.get(table) else { return -1 };
    let Some(c) = t.cols.get(col) else { return -1 };
    let (values, values_len, offsets, offsets_len) = match c.kind {
        Str => (c.data.as_ptr(), c.data.len(), c.views.as_ptr() as *const u8, c.stored() * 16),
        Int => (c.ints.as_ptr() as *const u8, c.stored() * 8, std::ptr::null(), 0),
        Money => (c.money.as_ptr() as *const u8, c.stored() * 16, std::ptr::null(), 0),
        Date => (c.dates.as_ptr() as *const u8, c.stored() * 4, std::ptr::null(), 0),
        Float => (c.floats.as_ptr() as *const u8, c.stored() * 8, std::ptr::null(), 0),
    };
    *out = ColumnView {
        kind: c.kind as u8, len: c.n as u64, validity: c.bitmap.as_ptr(), validity_len: c.bitmap.len() as u64,
        values, values_len: values_len as u64, offsets, offsets_len: offsets_len as u64, mode: c.mode,
    };
    0
}

/// The schema this library was built with, "table:col:kind,col:kind;..." — checked against schemas.py.
#[no_mangle]
pub extern "C" fn x12_schema() -> *const c_char {
    static SCHEMA: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let s: Vec<String> = TABLES.iter().map(|(n, cols)| {
            let c: Vec<String> = cols.iter().map(|(cn, k)| format!("{cn}:{}", *k as u8)).collect();
            format!("{n}:{}", c.join(","))
        }).collect();
        std::ffi::CString::new(s.join(";")).unwrap()
    }).as_ptr()
}

/// # Safety
/// `o` must come from x12_parse_* and is invalid afterwards.
#[no_mangle]
pub unsafe extern "C" fn x12_free(o: *mut Output) {
    if !o.is_null() {
        drop(Box::from_raw(o));
    }
}
