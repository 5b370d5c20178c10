"""Every revenue-cycle KPI of the marts against a generated world's truth, and what the naive readings say.

    python benchmarks/kpi_eval.py [--claims 20000] [--months 12] [--seed 7] [--profile multispecialty]

Generates a world, runs it through ingest and dbt exactly like `revcycle run`, and prints, per KPI, the keys
compared, the truth's and the mart's totals and the keys that disagree (pipelines/evaluation/kpi.py; the truth is
summed from the simulated events, pipelines/generate/truth.py).  Then the named alternatives, from the same
warehouse: the same-month NCR (cash and charges of one month) against the trailing-12-month NCR, claim cash
(Σ CLP04) against deposits (Σ BPR02), and insurance-only days in A/R against days in total A/R.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.evaluation.integrity import run_generated_world
from pipelines.evaluation.kpi import evaluate, format_table
from pipelines.generate import Config
from pipelines.settings import PROJECT_ROOT, Settings
from pipelines.warehouse.read import query


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=20_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", default="multispecialty")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="revcycle-kpi-") as tmp:
        settings = Settings(project_root=PROJECT_ROOT, home=Path(tmp) / "home")
        settings.ensure_dirs()
        cfg = Config(out=Path(tmp) / "world", claims=args.claims, seed=args.seed, months=args.months,
                     start=date(2024, 1, 1), profile=args.profile)  # fmt: skip
        t0 = time.perf_counter()
        run_generated_world(cfg, settings)
        checks = evaluate(cfg.out, settings)
        print(f"world: {args.claims:,} claims, {args.months} months, {args.profile}, seed {args.seed}; "
              f"generate + ingest + build + compare {time.perf_counter() - t0:.0f} s\n")  # fmt: skip
        print(format_table(checks))
        print(f"\n{sum(c.ok for c in checks)} of {len(checks)} KPIs equal the truth\n")

        ncr = query(
            """
            select min(naive) as naive_min, max(naive) as naive_max, min(ncr12) as ncr12_min, max(ncr12) as ncr12_max
            from (
                select total_cash_collected / nullif(gross_charges - contractual_adjustments, 0) as naive,
                       case when month >= (select min(month) + interval 11 month from kpi_collections_monthly)
                            then net_collection_rate_12m end as ncr12
                from kpi_collections_monthly where scope = 'payer'
            )
            """,
            settings=settings,
        ).row(0, named=True)
        cash = query(
            "select sum(claim_cash)::double as claims, sum(deposits)::double as deposits, sum(interest)::double as i, "
            "sum(forward_balance)::double as fb, sum(recoupments)::double as r from kpi_deposits_monthly",
            settings=settings,
        ).row(0, named=True)
        days = query(
            "select days_in_insurance_ar as ins, days_in_total_ar as total from kpi_collections_monthly "
            "where scope = 'all' order by month desc limit 1",
            settings=settings,
        ).row(0, named=True)
        print("alternatives (same warehouse):")
        print(
            f"  same-month NCR by payer-month ranges {ncr['naive_min']:.1%} .. {ncr['naive_max']:.1%}; "
            f"trailing-12-month NCR (months with 12 behind them) {ncr['ncr12_min']:.1%} .. {ncr['ncr12_max']:.1%}"
        )
        print(
            f"  claim cash Σ CLP04 ${cash['claims']:,.2f} vs deposits Σ BPR02 ${cash['deposits']:,.2f}: "
            f"interest ${cash['i']:,.2f}, forward balances ${cash['fb']:,.2f}, recoupments ${cash['r']:,.2f}"
        )
        print(f"  days in A/R, insurance only {days['ins']:.1f} vs total (insurance + secondary + patient) "
              f"{days['total']:.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
