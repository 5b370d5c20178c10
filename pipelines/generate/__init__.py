"""`revcycle generate`: a deterministic synthetic revenue-cycle world with known truth.

Layout of the output folder:
  landing/     837P/837I (primary and secondary claims) and 835 files (by day and payer), encounter and
               patient-payment extracts (by month), ready for landing/
  truth/       what the simulation made happen (pipelines/generate/truth.py): denial_rate_monthly.csv,
               denials.csv, ar_aging.csv (by component), deposits_monthly.csv, collections_monthly.csv,
               anomalies.csv, claims.csv (per-claim), underpayments.csv (lines repriced below contract)
  reference/   synthetic NCCI PTP, MUE, LEIE, physician-time and patient-death files in the official layouts

Months are simulated independently (one process each, two at a time) from one world, so the output is
the same for a seed whatever the number of workers.  A month larger than MAX_UNIT_CLAIMS is simulated as
several runs over consecutive spans of its days, so a worker's memory is bounded whatever the book's size;
the world (patients, providers) is built once and shared with the workers they fork from.  The truth is summed from each month's simulated events
and money movements, never read back from the files or the warehouse; docs/metrics.md defines each figure.
"""

from __future__ import annotations

import csv
import gc
import random
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pipelines.generate.codes import SPECIALTIES, has_global_period
from pipelines.generate.reference import (
    write_leie_snapshots,
    write_mue,
    write_ncci_ptp,
    write_patient_deaths,
    write_physician_time,
)
from pipelines.generate.simulate import MonthSimulator
from pipelines.generate.truth import Truth, month_truth
from pipelines.generate.world import World, _add_months, build_world
from pipelines.ingest.extracts import ENCOUNTERS, PATIENT_PAYMENTS, Extract
from pipelines.integrity_rules import EM_UPCODING, MODIFIER_OVERUSE, VOLUME_OUTLIER


@dataclass(frozen=True)
class Config:
    out: Path
    claims: int
    seed: int = 42
    months: int = 12
    start: date = date(2024, 1, 1)
    profile: str = "multispecialty"
    anomaly_scale: float = 1.0
    weekly_batches: bool = False
    encounter_format: str = "csv"
    workers: int = 2
    # the clearinghouse's 999s and the payers' 277CAs, with the front-end rejections they carry
    acknowledgments: bool = True


@dataclass
class Summary:
    claims: int = 0
    encounters: int = 0
    files_837: int = 0
    files_835: int = 0
    files_ack: int = 0
    remits: int = 0
    anomalies: int = 0


def _assign_anomalies(world: World, seed: int, scale: float) -> tuple[set[str], set[str]]:
    """Pick the provider-level anomalies deterministically (same in every worker).  scale 0 (`--anomalies
    none`) is a clean world: no upcoders, modifier abusers, volume outliers or excluded providers."""
    if scale <= 0:
        return set(), set()
    rng = random.Random(seed + 7)
    em = [p for p in world.providers if SPECIALTIES[p.specialty].em_family]
    k = max(1, round(len(em) * 0.05 * scale)) if em else 0
    upcoders = {p.npi for p in rng.sample(em, k)} if k else set()
    # modifier 25 is only ever due on a day with a global-period procedure: abusers are proceduralists
    rest = [p for p in em if p.npi not in upcoders
            and any(has_global_period(c) for c, _, _ in SPECIALTIES[p.specialty].procedures)]  # fmt: skip
    abusers = {p.npi for p in rng.sample(rest, min(len(rest), k))} if k else set()
    others = [p for p in world.providers if p.npi not in upcoders | abusers]
    n_vol = max(1, round(len(world.providers) * 0.02 * scale))
    for p in rng.sample(others, min(n_vol, len(others))):
        p.volume_weight *= 4.0
        p.volume_outlier = True
    others = [p for p in others if not p.volume_outlier]
    if others:
        excluded = rng.choice(others)
        excluded.excluded_on = world.start + timedelta(days=int((world.end - world.start).days * 0.4))
    return upcoders, abusers


# A simulation run holds every claim of its span in memory (~5 KB a claim with its remits and payments); a
# month above this many claims is split into spans of its days.  Books up to ~3M claims a year keep one run
# per month, so their worlds are what they were before the split existed.
MAX_UNIT_CLAIMS = 250_000

# The world of the generation under way, built once per process.  Workers fork from the process that built it
# and read it (gc.freeze keeps the collector from touching, and so copying, its pages); the simulation never
# changes it.
_WORLD: dict[tuple, tuple[World, set[str], set[str]]] = {}


def _world(cfg: Config) -> tuple[World, set[str], set[str]]:
    key = (cfg.seed, cfg.claims, cfg.start, cfg.months, cfg.profile, cfg.anomaly_scale)
    if key not in _WORLD:
        _WORLD.clear()
        n_prov_floor = max(1, cfg.claims // (cfg.months * 21 * 14))  # ~14 claims per provider-day at most
        world = build_world(
            cfg.seed, cfg.claims, cfg.start, cfg.months, cfg.profile, min_providers=n_prov_floor
        )
        up, ab = _assign_anomalies(world, cfg.seed, cfg.anomaly_scale)
        _WORLD[key] = (world, up, ab)
    return _WORLD[key]


@dataclass(frozen=True)
class Unit:
    """One simulation run: month ``month`` of the world, or span ``part`` of its ``parts`` spans of days."""

    month: int
    part: int
    parts: int
    claims: int
    id_offset: int
    ctrl_base: int

    def days(self, cfg: Config) -> tuple[date, date]:
        m0, m1 = _add_months(cfg.start, self.month), _add_months(cfg.start, self.month + 1)
        n = (m1 - m0).days
        return m0 + timedelta(days=n * self.part // self.parts), m0 + timedelta(
            days=n * (self.part + 1) // self.parts
        )

    @property
    def tag(self) -> str:
        """What names the run's files: m03, or m03b for the second span of a split month."""
        return f"m{self.month:02d}" + ("" if self.parts == 1 else "abcdefghijklmnopqrstuvwxyz"[self.part])

    @property
    def seed_offset(self) -> int:
        return self.month + 10_007 * self.part


def units(cfg: Config) -> list[Unit]:
    per_month = [
        cfg.claims // cfg.months + (1 if i < cfg.claims % cfg.months else 0) for i in range(cfg.months)
    ]
    out: list[Unit] = []
    offset = 0
    for month, n in enumerate(per_month):
        parts = max(1, -(-n // MAX_UNIT_CLAIMS))
        for part in range(parts):
            k = n // parts + (1 if part < n % parts else 0)
            # ids: room for injected extra claims; control numbers: 100,000 per run
            out.append(Unit(month, part, parts, k, offset * 2, (len(out) + 1) * 100_000))
            offset += k
    return out


def _month(cfg: Config, unit: Unit) -> dict:
    from pipelines.generate.x12_writer import write_277ca, write_835, write_837, write_999

    world, upcoders, abusers = _world(cfg)
    idx, tag = unit.month, unit.tag
    m0 = _add_months(cfg.start, idx)
    d0, d1 = unit.days(cfg)
    sim = MonthSimulator(world, d0, d1, cfg.seed * 1_000_003 + unit.seed_offset, unit.id_offset, cfg.anomaly_scale,
                         upcoders, abusers, cfg.weekly_batches, cfg.acknowledgments)  # fmt: skip
    res = sim.run(unit.claims)
    landing = cfg.out / "landing"
    ctrl_base = unit.ctrl_base

    groups: dict[tuple, list] = defaultdict(list)
    for s in res.submissions:
        groups[(s.date, s.billed_payer.payer_id, s.claim.claim_type)].append(s)
    payers = {p.payer_id: p for p in [*world.payers, world.supplement]}
    n = 0
    written = []
    for (d, pid, ctype), subs in sorted(groups.items()):
        n += 1
        folder = "837p" if ctype == "837P" else "837i"
        first = write_837(landing / folder / f"{ctype.lower()}_{d:%Y%m%d}_{pid}_{tag}.x12", ctrl_base + n, d,
                          payers[pid], subs, world, ctype)  # fmt: skip
        written.append((d, pid, ctype, ctrl_base + n, first))
    files_837 = n
    files_ack = 0
    if cfg.acknowledgments:
        # the clearinghouse answers each file the day it is sent; the payers answer each claim the next
        # business day (the simulation's front-end events: MonthSimulator._submit)
        for d, pid, ctype, ctrl, first in written:
            n += 1
            write_999(landing / "999" / f"999_{d:%Y%m%d}_{pid}_{ctype.lower()}_{tag}.x12", ctrl_base + n, d, ctrl,
                      ctype, sim.file_rejected(d, pid, ctype), first)  # fmt: skip
        ack_groups: dict[tuple, list] = defaultdict(list)
        for day, sub, status in res.claim_acks:
            ack_groups[(day, sub.billed_payer.payer_id)].append((sub, status))
        for (day, pid), acks in sorted(ack_groups.items()):
            n += 1
            write_277ca(landing / "277ca" / f"277ca_{day:%Y%m%d}_{pid}_{tag}.x12", ctrl_base + n, day, payers[pid],
                        acks, world)  # fmt: skip
        files_ack = len(written) + len(ack_groups)
    pgroups: dict[tuple, list] = defaultdict(list)
    for p in res.payments:
        pgroups[(p.date, p.payer.payer_id)].append(p)
    for (d, pid), payments in sorted(pgroups.items()):
        n += 1
        write_835(landing / "835" / f"835_{d:%Y%m%d}_{pid}_{tag}.x12", ctrl_base + n, d, payers[pid], payments,
                  world)  # fmt: skip
    name = f"{m0:%Y%m}" + ("" if unit.parts == 1 else f"_{unit.part + 1}of{unit.parts}")
    _write_extract(landing / "encounters", ENCOUNTERS, name, res.encounters, cfg.encounter_format)
    _write_extract(landing / "patient_payments", PATIENT_PAYMENTS, name,
                   [(pid, pat, d.isoformat(), f"{c / 100:.2f}", claim, enc, method, kind)
                    for pid, pat, d, c, claim, enc, method, kind in res.patient_rows], "csv")  # fmt: skip
    claim_rows = []
    for life in res.lives:
        decisions = [e for e in life.primary_events if e[2] == "decision"]
        claim_rows.append((life.claim.claim_id, life.claim.payer.payer_id,
                           decisions[0][0].isoformat() if decisions else "", int(life.initial_denied),
                           ";".join(sorted(life.claim_ids)), life.claim.dos.isoformat()))  # fmt: skip
    return {
        "claims": len(res.lives),
        "encounters": len({e[0] for e in res.encounters}),
        "files_837": files_837,
        "files_835": len(pgroups),
        "files_ack": files_ack,
        "remits": len(res.remits),
        "anomalies": res.anomalies,
        "truth": month_truth(res.lives, res.payments, world.end),
        "claim_rows": claim_rows,
        "coding_errors": res.coding_errors,
        "underpaid_rows": [
            (c, n, code, f"{e / 100:.2f}", f"{a / 100:.2f}") for c, n, code, e, a in res.underpaid
        ],
    }


def _write_extract(folder: Path, spec: Extract, name: str, rows: list[tuple], fmt: str) -> None:
    """A month's extract in its contract's column order (pipelines.ingest.extracts), as CSV or Parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    header = list(spec.contract)
    if fmt == "parquet":
        import polars as pl

        df = pl.DataFrame(rows, schema=header, orient="row").with_columns(pl.all().cast(pl.String))
        df.write_parquet(folder / f"{spec.kind}_{name}.parquet")
        return
    with open(folder / f"{spec.kind}_{name}.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def generate(cfg: Config, progress: bool = True) -> Summary:
    from tqdm import tqdm

    world, upcoders, abusers = _world(cfg)
    runs = units(cfg)
    summary = Summary()
    truth_sums = Truth()
    anomalies: list[tuple] = []
    coding_errors: list[tuple] = []
    truth = cfg.out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    claims_fh = open(truth / "claims.csv", "w", newline="")  # noqa: SIM115 - streamed across months
    claims_csv = csv.writer(claims_fh)
    claims_csv.writerow(["claim_id", "payer_id", "first_adjudication_date", "initially_denied", "claim_ids",
                         "service_date"])  # fmt: skip
    underpaid_fh = open(truth / "underpayments.csv", "w", newline="")  # noqa: SIM115 - streamed across months
    underpaid_csv = csv.writer(underpaid_fh)
    underpaid_csv.writerow(
        ["claim_id", "line_number", "procedure_code", "expected_allowed", "actual_allowed"]
    )

    def absorb(r: dict) -> None:
        summary.claims += r["claims"]
        summary.encounters += r["encounters"]
        summary.files_837 += r["files_837"]
        summary.files_835 += r["files_835"]
        summary.files_ack += r["files_ack"]
        summary.remits += r["remits"]
        anomalies.extend(r["anomalies"])
        truth_sums.add(r["truth"])
        claims_csv.writerows(r["claim_rows"])
        underpaid_csv.writerows(r["underpaid_rows"])
        coding_errors.extend(r["coding_errors"])

    bar = tqdm(total=len(runs), desc="generating months", unit="run", disable=not progress)
    try:
        if cfg.workers > 1:
            gc.freeze()  # the world's objects stay out of the workers' collections: their pages stay shared
            try:
                with ProcessPoolExecutor(max_workers=cfg.workers) as pool:
                    futures = [pool.submit(_month, cfg, u) for u in runs]
                    for f in futures:  # in order, so the output is identical to a serial run
                        absorb(f.result())
                        bar.update()
            finally:
                gc.unfreeze()
        else:
            for u in runs:
                absorb(_month(cfg, u))
                bar.update()
    finally:
        bar.close()
        claims_fh.close()
        underpaid_fh.close()
        _WORLD.clear()  # the runs are done: this process's copy of the world goes with them (``world`` stays)

    # provider-level anomalies
    for p in world.providers:
        if p.npi in upcoders:
            anomalies.append((EM_UPCODING, p.npi, None, None, None))
        if p.npi in abusers:
            anomalies.append((MODIFIER_OVERUSE, p.npi, None, None, None))
        if p.volume_outlier:
            anomalies.append((VOLUME_OUTLIER, p.npi, None, None, None))
    truth_sums.write(truth, world.end)
    _write_anomalies(truth, anomalies)
    with open(truth / "coding_errors.csv", "w", newline="") as fh:  # what the pre-bill scrubber must find
        w = csv.writer(fh)
        w.writerow(["encounter_id", "line_number", "edit"])
        w.writerows(sorted(coding_errors))
    ref = cfg.out / "reference"
    # CMS publishes practitioner and outpatient-hospital tables; the synthetic edits are the same in both
    write_ncci_ptp(ref / "ncci_ptp_practitioner.txt", cfg.start)
    write_ncci_ptp(ref / "ncci_ptp_outpatient_hospital.txt", cfg.start, "outpatient hospital")
    write_mue(ref / "mue_practitioner.csv")
    write_mue(ref / "mue_outpatient_hospital.csv", "Outpatient Hospital")
    write_leie_snapshots(ref, world)
    write_physician_time(ref / "physician_time.csv")
    write_patient_deaths(ref / "patient_deaths.csv", world)
    summary.anomalies = len(anomalies)
    return summary


def _write_anomalies(truth: Path, anomalies: list[tuple]) -> None:
    with open(truth / "anomalies.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["rule", "provider_npi", "claim_id", "line_number", "service_date"])
        for rule, npi, claim_id, line, d in sorted(anomalies, key=lambda a: tuple(str(x) for x in a)):
            w.writerow([rule, npi, claim_id or "", line or "", d.isoformat() if d else ""])


__all__ = ["Config", "Summary", "generate"]


def file_day(path: Path) -> str:
    """The YYYYMMDD a generated extract is named for (835_20240115_MCR01_m00.x12), '' for undated files: how
    the build benchmark and the Spark test hold back a world's last day."""
    return next((part for part in Path(path).stem.split("_") if len(part) == 8 and part.isdigit()), "")


def land_world(world_dir: Path, landing_dir: Path, reference_landing_dir: Path, move: bool = True) -> int:
    """Put a generated world's extracts into a landing folder (moved, or copied to land one world in several
    homes) and copy its reference files beside them (truth/ stays with the world).  Returns the number of
    extracts landed."""
    import shutil

    n = 0
    for src in sorted((world_dir / "landing").rglob("*")):
        if src.is_file():
            dest = landing_dir / src.relative_to(world_dir / "landing")
            dest.parent.mkdir(parents=True, exist_ok=True)
            (shutil.move if move else shutil.copy2)(src, dest)
            n += 1
    shutil.copytree(world_dir / "reference", reference_landing_dir, dirs_exist_ok=True)
    return n
