"""The synthetic world: deterministic, valid X12, balanced 835s, configured distributions, counted anomalies."""

from __future__ import annotations

import csv
import hashlib
import statistics
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import polars as pl
import pytest

from pipelines.generate import Config, generate
from pipelines.generate.codes import EM_FAMILIES, SPECIALTIES, npi_is_valid
from pipelines.generate.reference import leie_current_name
from pipelines.generate.simulate import ANOMALY_RATES
from pipelines.generate.world import PAYERS, build_world
from pipelines.integrity_rules import PROVIDER_LEVEL, RULES
from pipelines.x12.parser import parse_file

N = 6000


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("world")
    generate(Config(out=out, claims=N, seed=11, months=6, profile="multispecialty"), progress=False)
    return out


@pytest.fixture(scope="module")
def parsed(world_dir):
    results = [parse_file(p) for p in sorted((world_dir / "landing").rglob("*.x12"))]
    tables = {t: pl.concat([r.tables[t] for r in results]) for t in results[0].tables}
    return results, tables


def _claims_frame(world_dir):
    """The 837 claims sent to primary payers (SBR01 P), parsed."""
    frames = [parse_file(p).tables["claims"] for p in sorted((world_dir / "landing").glob("837*/*.x12"))]
    return pl.concat(frames).filter(pl.col("payer_responsibility") == "P")


def _rows(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


def _digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_deterministic_for_a_seed_whatever_the_workers(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(Config(out=a, claims=600, seed=5, months=3, workers=2), progress=False)
    generate(Config(out=b, claims=600, seed=5, months=3, workers=1), progress=False)
    generate(Config(out=c, claims=600, seed=6, months=3, workers=1), progress=False)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_a_month_over_the_run_size_is_split_into_spans_of_days_with_unique_ids(tmp_path, monkeypatch):
    """A big book's month is simulated as several runs (bounded memory): the runs' ids, control numbers and
    payment ids never collide, every service date stays in its run's span, and the output still does not
    depend on the number of workers."""
    import pipelines.generate as gen

    monkeypatch.setattr(gen, "MAX_UNIT_CLAIMS", 160)
    a, b = tmp_path / "a", tmp_path / "b"
    summary = generate(Config(out=a, claims=640, seed=5, months=2, workers=2), progress=False)
    generate(Config(out=b, claims=640, seed=5, months=2, workers=1), progress=False)
    assert _digest(a) == _digest(b)
    runs = gen.units(Config(out=a, claims=640, months=2))
    assert [(u.month, u.part, u.claims) for u in runs] == [(0, 0, 160), (0, 1, 160), (1, 0, 160), (1, 1, 160)]
    assert {p.name for p in (a / "landing" / "encounters").iterdir()} == {
        "encounters_202401_1of2.csv", "encounters_202401_2of2.csv",
        "encounters_202402_1of2.csv", "encounters_202402_2of2.csv",
    }  # fmt: skip

    results = [parse_file(p) for p in sorted((a / "landing").rglob("*.x12"))]
    assert all(r.status == "accepted" for r in results)
    assert {p.stem.rsplit("_", 1)[1] for p in (a / "landing" / "837p").iterdir()} == {
        "m00a",
        "m00b",
        "m01a",
        "m01b",
    }
    controls = [c for r in results for c in r.tables["x12_transactions"]["isa13"].unique().to_list()]
    assert len(controls) == len(set(controls)) == len(results)

    truth = _rows(a / "truth" / "claims.csv")
    assert len(truth) == summary.claims == len({r["claim_id"] for r in truth})
    pays = [r for p in (a / "landing" / "patient_payments").iterdir() for r in _rows(p)]
    assert pays and len({r["payment_id"] for r in pays}) == len(pays)
    # the second span of January holds services from mid-January on, none from its first half
    encs = _rows(a / "landing" / "encounters" / "encounters_202401_2of2.csv")
    assert encs and min(r["service_date"] for r in encs) >= "2024-01-16"


def test_every_file_parses_without_findings(parsed):
    results, _ = parsed
    assert all(r.status == "accepted" for r in results)
    assert sum(r.errors + r.warnings for r in results) == 0
    assert {r.file_type for r in results} == {"835", "837P", "999", "277CA"}


def test_every_835_claim_and_line_balances(parsed):
    _, t = parsed
    adj = t["remit_adjustments"]
    by_claim = adj.group_by("remit_claim_key").agg(pl.col("amount").sum().alias("adj"))
    claims = (
        t["remit_claims"]
        .join(by_claim, on="remit_claim_key", how="left")
        .with_columns(pl.col("adj").fill_null(Decimal(0)))
    )
    assert claims.height > N * 0.8
    assert claims.filter(pl.col("charge_amount") - pl.col("adj") != pl.col("paid_amount")).height == 0
    line_adj = (
        adj.filter(pl.col("adjustment_level") == "line")
        .group_by("remit_claim_key", "line_number")
        .agg(pl.col("amount").sum().alias("adj"))
    )
    lines = (
        t["remit_lines"]
        .join(line_adj, on=["remit_claim_key", "line_number"], how="left")
        .with_columns(pl.col("adj").fill_null(Decimal(0)))
    )
    assert lines.filter(pl.col("charge_amount") - pl.col("adj") != pl.col("paid_amount")).height == 0


def test_a_sample_passes_pyx12(world_dir, tmp_path):
    """The first files of each kind, and one file with each segment the billing-office behaviours add: a
    secondary claim (SBR*S with loops 2320/2330/2430), a crossover (NM1*TT), forward balances, recoupments."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12n_document

    landing = world_dir / "landing"
    files = sorted((landing / "837p").glob("*.x12"))[:2] + sorted((landing / "835").glob("*.x12"))[:2]
    for folder, marker in [("837p", "SBR*S*"), ("837p", "DTP*573*"), ("835", "NM1*TT*"), ("835", "*FB:"),
                           ("835", "*WO:"), ("999", "IK5*A"), ("999", "IK5*R"), ("277ca", "*U*"),
                           ("277ca", "SVC*")]:  # fmt: skip
        files.append(next(f for f in sorted((landing / folder).glob("*.x12")) if marker in f.read_text()))
    for f in files:
        param = pyx12.params.params()
        with open(tmp_path / "out.997", "w") as fd_997:
            ok = pyx12.x12n_document.x12n_document(param, str(f), fd_997, None, None)
        assert ok, f.name


def test_the_world_bills_and_pays_as_offices_and_payers_do(parsed, world_dir):
    """Each behaviour the warehouse must get right happens in a small world: corrections under new claim
    ids, secondary claims, crossovers, duplicate denials of re-sent claims, reversals, PLB interest, forward
    balances taken back, recoupments, and patient payments, refunds and write-offs."""
    _, t = parsed
    claims = t["claims"]
    corrected = claims.filter(pl.col("frequency_code") == "7")
    originals = set(claims.filter(pl.col("frequency_code") == "1")["claim_id"])
    assert corrected.filter(~pl.col("claim_id").is_in(originals)).height > 0  # a new CLM01
    assert corrected.filter(pl.col("claim_id").is_in(originals)).height > 0  # the same CLM01
    assert claims.filter(pl.col("payer_responsibility") == "S").height > 0
    remits = t["remit_claims"]
    assert remits.filter(pl.col("status_code") == "19").height > 0
    assert remits.filter(pl.col("status_code") == "2").height > 0
    assert remits.filter(pl.col("status_code") == "22").height > 0
    reasons = t["remit_adjustments"]["reason_code"]
    assert (reasons == "18").sum() > 0
    plb = t["remit_provider_adjustments"]
    fb = plb.filter(pl.col("reason_code") == "FB")["amount"]
    assert (fb < 0).sum() > 0 and (fb > 0).sum() > 0  # carried, then taken back
    assert plb.filter(pl.col("reason_code") == "WO").height > 0
    assert plb.filter(pl.col("reason_code") == "L6").height > 0
    payments = pl.concat(pl.read_csv(f, infer_schema=False)
                         for f in sorted((world_dir / "landing" / "patient_payments").glob("*.csv")))  # fmt: skip
    assert set(payments["adjustment_type"]) == {"payment", "refund", "bad_debt", "charity", "small_balance"}
    assert payments.filter(pl.col("claim_id").is_null() & pl.col("encounter_id").is_not_null()).height > 0


def test_npis_are_luhn_valid():
    w = build_world(3, 5000, date(2024, 1, 1), 12, "health-system")
    npis = [p.npi for p in w.providers] + [o.npi for o in w.billing_orgs]
    assert all(npi_is_valid(n) for n in npis)
    assert len(set(npis)) == len(npis)


def test_denial_rate_per_payer_within_its_band(world_dir):
    rows = _rows(world_dir / "truth" / "denial_rate_monthly.csv")
    agg = defaultdict(lambda: [0, 0])
    for r in rows:
        agg[r["payer_id"]][0] += int(r["adjudicated_claims"])
        agg[r["payer_id"]][1] += int(r["initially_denied_claims"])
    bands = {p.payer_id: p.denial_band for p in PAYERS}
    for payer, (adj, den) in agg.items():
        lo, hi = bands[payer]
        assert adj > 200
        assert lo <= den / adj <= hi, (payer, den / adj, (lo, hi))


def test_em_level_mix_follows_the_specialty(parsed, world_dir):
    _, t = parsed
    truth = _rows(world_dir / "truth" / "anomalies.csv")
    upcoders = {r["provider_npi"] for r in truth if r["rule"] == "em_upcoding"}
    # injected impossible days are stuffed with top-level visits: not part of the configured mix
    busy_days = pl.DataFrame(
        [
            (r["provider_npi"], date.fromisoformat(r["service_date"]))
            for r in truth
            if r["rule"] == "impossible_day"
        ],
        schema={"rendering_npi": pl.String, "service_date": pl.Date},
        orient="row",
    )
    w = build_world(11, N, date(2024, 1, 1), 6, "multispecialty")
    spec_of = {p.npi: p.specialty for p in w.providers}
    specs = pl.DataFrame({"rendering_npi": list(spec_of), "specialty": list(spec_of.values())})
    claims = t["claims"].filter(pl.col("frequency_code") == "1").select("claim_key", "rendering_npi")
    lines = (
        t["claim_lines"]
        .drop("rendering_npi")  # line-level rendering provider: empty here, the claim's is used
        .join(claims, on="claim_key")
        .join(specs, on="rendering_npi")
        .join(busy_days, on=["rendering_npi", "service_date"], how="anti")
        .filter(
            pl.col("procedure_code").is_in(EM_FAMILIES["office_est"])
            & ~pl.col("rendering_npi").is_in(list(upcoders))
        )
    )
    checked = 0
    for (spec_name,), grp in lines.group_by("specialty"):
        spec = SPECIALTIES[spec_name]
        if spec.em_family != "office_est" or grp.height < 300:
            continue
        counts = Counter(grp["procedure_code"])
        for code, p in zip(EM_FAMILIES["office_est"], spec.em_levels, strict=True):
            # within four standard errors of the configured share (sampling noise, not a fixed 5 points)
            assert abs(counts[code] / grp.height - p) < 4 * (p * (1 - p) / grp.height) ** 0.5 + 0.01, (
                spec.name,
                code,
            )
        checked += 1
    assert checked >= 2


def test_days_to_pay_per_payer(world_dir):
    claims = pl.read_csv(world_dir / "truth" / "claims.csv", try_parse_dates=True).filter(
        pl.col("first_adjudication_date").is_not_null()
    )
    for payer in PAYERS:
        sub = claims.filter(pl.col("payer_id") == payer.payer_id)
        # service -> payment includes the charge lag (~3 days) and waiting for the payer's pay day
        days = (sub["first_adjudication_date"] - sub["service_date"]).dt.total_days().to_list()
        med = statistics.median(days)
        assert payer.days_to_pay_median <= med <= payer.days_to_pay_median + 12, (payer.payer_id, med)


def test_anomaly_counts_follow_the_configured_rates(world_dir):
    rows = _rows(world_dir / "truth" / "anomalies.csv")
    assert {r["rule"] for r in rows} <= set(RULES)
    claims = N
    per_rule = Counter()
    seen = set()
    for r in rows:
        key = (r["rule"], r["claim_id"] or r["provider_npi"] + r["service_date"])
        if key not in seen:
            seen.add(key)
            per_rule[r["rule"]] += 1
    # an original the office re-sends after RESEND_AFTER_DAYS without an answer is a follow-up, not a finding:
    # the re-sent claim ids are in no rule's truth
    claims_df = _claims_frame(world_dir)
    resent = set(
        claims_df.filter(pl.col("frequency_code") == "1")
        .group_by("claim_id")
        .len()
        .filter(pl.col("len") > 1)["claim_id"]
    )
    assert resent, "the world re-sent no unanswered claim"
    injected_copies = {r["claim_id"] for r in rows if r["rule"] in ("duplicate_exact", "duplicate_near")}
    assert not resent & injected_copies
    for rule, rate in ANOMALY_RATES.items():
        if rule == "modifier_25_no_procedure":
            # drawn for every claim, applied only to one with an E/M and no global-period procedure
            assert 0 < per_rule[rule] <= rate * claims + 4 * (rate * claims) ** 0.5 + 2, (
                rule,
                per_rule[rule],
            )
            continue
        expected = rate * claims
        assert abs(per_rule[rule] - expected) <= 4 * expected**0.5 + 2, (rule, per_rule[rule], expected)
    for rule in PROVIDER_LEVEL:
        assert per_rule[rule] >= 1
    assert per_rule["excluded_provider"] > 0


def test_reference_files_in_official_layouts(world_dir):
    ref = world_dir / "reference"
    snapshots = sorted(ref.glob("leie_UPDATED_*.csv"))  # monthly downloads, dated in their names
    assert len(snapshots) == 3
    header = snapshots[-1].read_text().splitlines()[0].split(",")
    assert all(f.read_text().splitlines()[0].split(",") == header for f in snapshots)
    assert len(header) == 18 and header[7] == "NPI"
    ptp = (ref / "ncci_ptp_practitioner.txt").read_text().splitlines()
    assert ptp[2].startswith("Column 1\tColumn 2")
    mue = (ref / "mue_practitioner.csv").read_text().splitlines()
    assert mue[3].startswith("HCPCS/CPT Code")


def test_contract_seed_matches_the_simulated_contracts():
    """The shipped contract seed is the synthetic world's pricing, so underpayments are exactly the
    generator's repriced corrections (regenerate with write_contract_seed after changing rates)."""
    import csv

    from pipelines.generate.reference import CONTRACT_SEED, contract_fee_schedule_rows

    with CONTRACT_SEED.open(newline="") as fh:
        assert list(csv.reader(fh)) == contract_fee_schedule_rows()


def test_a_clean_world_injects_nothing(tmp_path):
    """`--anomalies none`: the same kind of world with no injected anomaly of any rule, no excluded provider
    in the LEIE file, and its namesake trap kept (a name-only LEIE row in another state)."""
    out = tmp_path / "clean"
    generate(Config(out=out, claims=1500, seed=5, months=3, profile="multispecialty", anomaly_scale=0.0),
             progress=False)  # fmt: skip
    assert _rows(out / "truth" / "anomalies.csv") == []
    leie = [r for f in sorted((out / "reference").glob("leie_UPDATED_*.csv")) for r in _rows(f)]
    world = build_world(5, 1500, date(2024, 1, 1), 3, "multispecialty")
    npis = {p.npi for p in world.providers}
    current = _rows(out / "reference" / leie_current_name(world))
    assert [r for r in current if r["NPI"] in npis and r["REINDATE"] == "00000000"] == []
    assert any(r["NPI"] == "0000000000" and not r["LASTNAME"].startswith("NOTAPROVIDER") for r in leie)


def test_front_end_rejections_are_corrected_and_re_sent(parsed, world_dir):
    """Each 999 answers one 837 file; about 1 % of files are rejected and sent again the next business day;
    payers' 277CAs reject 2-5 % of first claims, which the office re-sends under the same claim id."""
    _, t = parsed
    answers = t["ack_set_responses"]
    files_837 = len(list((world_dir / "landing").glob("837*/*.x12")))
    assert answers.height == files_837
    assert 0.002 < answers.filter(pl.col("set_status") == "R").height / files_837 < 0.03
    acks = t["claim_acknowledgments"].filter(ack_level="claim")
    rejected = acks.filter(pl.col("action_code") == "U")
    share = rejected.height / acks.filter(pl.col("status_category").is_in(["A2", "A3", "A6", "A7"])).height
    assert 0.01 < share < 0.06
    assert set(rejected["status_category"]) <= {"A3", "A6", "A7"}
    # every rejected claim the world had time to correct is sent again with the same id and charge, later
    sent = t["claims"].select("claim_id", "total_charge", "submission_date")
    later = rejected.join(sent, on="claim_id").filter(pl.col("submission_date") > pl.col("status_date"))
    assert later.select("claim_id").n_unique() >= 0.9 * rejected.select("claim_id").n_unique()
    truth = pl.read_csv(world_dir / "truth" / "front_end_monthly.csv").sum()
    assert truth["claims_rejected_277ca"][0] > 0 and truth["claims_rejected_999"][0] > 0
