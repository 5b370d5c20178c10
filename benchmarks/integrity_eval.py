"""Precision and recall of every billing-integrity rule against generated worlds' injected truth, and the
false-positive rate of every rule on a clean world.

    python benchmarks/integrity_eval.py [--claims 200000] [--months 6] [--seeds 7 8 9]

For each seed, a health-system world with injected anomalies goes through ingest, reference loading and dbt
exactly like `revcycle run` and each rule is scored (pipelines/evaluation/integrity.py); the counts are pooled
over the seeds and printed with 95 % Wilson intervals.  Then a clean world (`--anomalies none`: the same
realistic noise, nothing injected) is built and every lead it raises is counted as a false positive, per
1,000 provider-months.  The named alternative, in the same run on the first seed: a stricter draft's
thresholds (peer percentile P95), so the effect of our threshold choices (docs/integrity.md) is measured.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.evaluation.integrity import (
    clean_world_rates,
    evaluate,
    evaluate_generated_world,
    format_table,
    run_generated_world,
    wilson_interval,
)
from pipelines.generate import Config
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse.build import build_warehouse

STRICTER_DRAFT = {"em_percentile": 0.95, "modifier_percentile": 0.95}


def _world(
    tmp: Path, name: str, claims: int, months: int, seed: int, scale: float
) -> tuple[Config, Settings]:
    settings = Settings(project_root=PROJECT_ROOT, home=tmp / name / "home")
    settings.ensure_dirs()
    cfg = Config(out=tmp / name / "world", claims=claims, seed=seed, months=months, start=date(2024, 1, 1),
                 profile="health-system", anomaly_scale=scale)  # fmt: skip
    return cfg, settings


def _interval(k: int, n: int) -> str:
    ci = wilson_interval(k, n)
    return "-" if ci is None else f"{k / n:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=200_000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--seeds", type=int, nargs="+", default=[7, 8, 9])
    args = ap.parse_args()
    pooled: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0, 0]
    )  # tp, findings, truth, rateable, found
    kinds: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="revcycle-integrity-") as tmp_name:
        tmp = Path(tmp_name)
        print(
            f"worlds: {args.claims:,} claims, {args.months} months, health-system profile, seeds {args.seeds}\n"
        )
        for i, seed in enumerate(args.seeds):
            cfg, settings = _world(tmp, f"seed{seed}", args.claims, args.months, seed, 1.0)
            t0 = time.perf_counter()
            scores = evaluate_generated_world(cfg, settings)
            print(f"seed {seed}: generate + ingest + build + score {time.perf_counter() - t0:.0f} s")
            print(format_table(scores) + "\n")
            for s in scores:
                kinds[s.rule] = s.kind
                acc = pooled[s.rule]
                acc[0] += s.true_positives
                acc[1] += s.findings
                acc[2] += s.truth
                acc[3] += s.in_scope or 0
                acc[4] += s.in_scope_found or 0
            if i == 0:
                t1 = time.perf_counter()
                build_warehouse(settings, dbt_vars=STRICTER_DRAFT)
                draft = evaluate(settings, cfg.out / "truth" / "anomalies.csv", STRICTER_DRAFT)
                print(f"alternative on seed {seed}: stricter draft thresholds {STRICTER_DRAFT} "
                      f"(rebuild {time.perf_counter() - t1:.0f} s):\n")  # fmt: skip
                print(format_table([s for s in draft if s.kind == "statistical"]) + "\n")
            shutil.rmtree(tmp / f"seed{seed}")  # ~1 GB a world: keep the disk for the next one
        print(f"pooled over seeds {args.seeds} (95 % Wilson intervals):\n")
        print("| rule | kind | truth | findings | true pos. | precision [95 % CI] | recall [95 % CI] "
              "| recall among the rateable [95 % CI] |")  # fmt: skip
        print("|---|---|---:|---:|---:|---|---|---|")
        for rule, (tp, found, truth, rateable, rateable_found) in pooled.items():
            scope = _interval(rateable_found, rateable) if kinds[rule] == "statistical" else "-"
            print(f"| {rule} | {kinds[rule]} | {truth} | {found} | {tp} | {_interval(tp, found)} "
                  f"| {_interval(tp, truth)} | {scope} |")  # fmt: skip

        cfg, settings = _world(tmp, "clean", args.claims, args.months, args.seeds[0], 0.0)
        t0 = time.perf_counter()
        run_generated_world(cfg, settings)
        rates = clean_world_rates(settings, args.months)
        print(f"\nclean world (--anomalies none, seed {args.seeds[0]}; {time.perf_counter() - t0:.0f} s): "
              f"{rates[0].providers} providers x {args.months} months; every lead is a false positive\n")  # fmt: skip
        print("| rule | kind | leads | providers flagged | leads per 1,000 provider-months |")
        print("|---|---|---:|---:|---:|")
        for r in rates:
            print(
                f"| {r.rule} | {r.kind} | {r.leads} | {r.providers_flagged} | {r.per_1000_provider_months} |"
            )


if __name__ == "__main__":
    main()
