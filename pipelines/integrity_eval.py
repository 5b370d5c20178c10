"""Score the integrity rules against a generated world's truth (truth/anomalies.csv).

Deterministic rules are matched on their grain -- line (claim id + line number), claim (claim id) or
provider-day (NPI + date) -- and scored by precision and recall.  Statistical rules are leads about a
provider: scored by precision@k, k = the number of providers the generator made anomalous for that rule
(the top k distinct providers by the rule's own score), plus precision and recall of the flagged set.
Used by benchmarks/integrity_eval.py and tests/e2e/test_integrity_eval.py.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.integrity_rules import DETERMINISTIC, INJECTED, RULES
from pipelines.warehouse import query

LINE = "line"
CLAIM = "claim"
PROVIDER_DAY = "provider_day"
PROVIDER = "provider"


def grain(rule: str) -> str:
    if rule in ("ncci_unbundling", "mue_excess", "duplicate_exact", "duplicate_near"):
        return LINE
    if rule in ("excluded_provider", "service_after_death"):
        return CLAIM
    if rule in ("impossible_day", "improbable_day"):
        return PROVIDER_DAY
    return PROVIDER


@dataclass
class RuleScore:
    rule: str
    kind: str  # deterministic | statistical
    truth: int
    findings: int
    true_positives: int
    precision: float | None
    recall: float | None
    precision_at_k: float | None = None
    k: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _key(rule: str, npi: str, claim_id: str, line: str, day: str) -> tuple:
    g = grain(rule)
    if g == LINE:
        return (claim_id, str(int(float(line))) if line else "")
    if g == CLAIM:
        return (claim_id,)
    if g == PROVIDER_DAY:
        return (npi, day)
    return (npi,)


def read_truth(path: Path) -> dict[str, set[tuple]]:
    truth: dict[str, set[tuple]] = {r: set() for r in RULES}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            truth[row["rule"]].add(
                _key(
                    row["rule"], row["provider_npi"], row["claim_id"], row["line_number"], row["service_date"]
                )
            )
    return truth


def read_findings(settings) -> dict[str, list[tuple[tuple, float]]]:
    """Per rule: (key, ranking value) for every finding, best first."""
    df = query(
        "select rule_id, provider_npi, claim_id, line_number, cast(service_date as varchar) as day, rule_rank "
        "from fct_integrity_findings order by rule_id, rule_rank",
        settings=settings,
    )
    out: dict[str, list[tuple[tuple, float]]] = {r: [] for r in RULES}
    for rule, npi, claim_id, line, day, rank in df.iter_rows():
        key = _key(rule, npi or "", claim_id or "", "" if line is None else str(line), day or "")
        out[rule].append((key, rank))
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def evaluate(settings, truth_csv: Path) -> list[RuleScore]:
    truth = read_truth(truth_csv)
    found = read_findings(settings)
    scores = []
    for rule in INJECTED:
        ranked_keys = list(dict.fromkeys(k for k, _ in found[rule]))  # distinct, best rank first
        flagged, expected = set(ranked_keys), truth[rule]
        tp = len(flagged & expected)
        s = RuleScore(
            rule=rule,
            kind="deterministic" if rule in DETERMINISTIC else "statistical",
            truth=len(expected),
            findings=len(flagged),
            true_positives=tp,
            precision=_ratio(tp, len(flagged)),
            recall=_ratio(tp, len(expected)),
        )
        if s.kind == "statistical" and expected:
            k = len(expected)
            s.k = k
            s.precision_at_k = round(len(set(ranked_keys[:k]) & expected) / k, 4)
        scores.append(s)
    return scores


def evaluate_generated_world(cfg, settings) -> list[RuleScore]:
    """Generate a world, run it through the same ingest / reference / build steps as `revcycle run`,
    and score the rules against its truth."""
    from pipelines.build import build_warehouse
    from pipelines.generate import generate, land_world
    from pipelines.ingest import ingest_paths, landed_files
    from pipelines.reference import load_landed_reference

    generate(cfg, progress=False)
    land_world(cfg.out, settings.landing_dir, settings.reference_landing_dir)
    outcomes = ingest_paths(landed_files(settings), settings)
    bad = [o.summary_line() for o in outcomes if o.status != "accepted"]
    bad += [r.summary_line() for r in load_landed_reference(settings) if r.status == "rejected"]
    if bad:
        raise RuntimeError("generated world did not load cleanly: " + "; ".join(bad[:5]))
    build_warehouse(settings)
    return evaluate(settings, cfg.out / "truth" / "anomalies.csv")


def format_table(scores: list[RuleScore]) -> str:
    def f(x):
        return "-" if x is None else f"{x:.3f}"

    lines = [
        "| rule | kind | truth | findings | true pos. | precision | recall | precision@k (k) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        pk = f"{f(s.precision_at_k)} ({s.k})" if s.k else "-"
        lines.append(
            f"| {s.rule} | {s.kind} | {s.truth} | {s.findings} | {s.true_positives} | {f(s.precision)} "
            f"| {f(s.recall)} | {pk} |"
        )
    return "\n".join(lines)
