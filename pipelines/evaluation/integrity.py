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

from pipelines.integrity_rules import INJECTED, RULES
from pipelines.warehouse.read import query

# The grain each rule's findings are matched on is the seed's `level` (dbt_project/seeds/integrity_rules.csv):
# line (claim id + line number), claim (claim id), provider_day (NPI + date) or provider (NPI).


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
    # statistical rules: the anomalous providers the rule can rate at all (a peer group of the configured
    # size exists for them), and how many of those it found
    in_scope: int | None = None
    in_scope_found: int | None = None

    @property
    def recall_in_scope(self) -> float | None:
        return _ratio(self.in_scope_found, self.in_scope) if self.in_scope is not None else None

    def as_dict(self) -> dict:
        return asdict(self)


def _key(level: str, npi: str, claim_id: str, line: str, day: str) -> tuple:
    if level == "line":
        return (claim_id, str(int(float(line))) if line else "")
    if level == "claim":
        return (claim_id,)
    if level == "provider_day":
        return (npi, day)
    return (npi,)


def rule_catalogue(settings) -> dict[str, tuple[str, str]]:
    """rule id -> (level, kind) from the integrity_rules seed in the warehouse."""
    df = query("select rule_id, level, rule_kind from integrity_rules", settings=settings)
    return {r: (level, kind) for r, level, kind in df.iter_rows()}


def read_truth(path: Path, levels: dict[str, str]) -> dict[str, set[tuple]]:
    truth: dict[str, set[tuple]] = {r: set() for r in RULES}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            rule = row["rule"]
            truth[rule].add(_key(levels[rule], row["provider_npi"], row["claim_id"], row["line_number"],
                                 row["service_date"]))  # fmt: skip
    return truth


def read_findings(settings, levels: dict[str, str]) -> dict[str, list[tuple]]:
    """Per rule: the key of every finding, best rank first."""
    df = query(
        "select rule_id, provider_npi, claim_id, line_number, cast(service_date as varchar) as day "
        "from fct_integrity_findings order by rule_id, rule_rank",
        settings=settings,
    )
    out: dict[str, list[tuple]] = {r: [] for r in RULES}
    for rule, npi, claim_id, line, day in df.iter_rows():
        out[rule].append(
            _key(levels[rule], npi or "", claim_id or "", "" if line is None else str(line), day or "")
        )
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _threshold(name: str, dbt_vars: dict | None) -> float:
    """A threshold as the build used it: the --vars given, else dbt_project.yml's default."""
    from pipelines.settings import dbt_project_var

    return dbt_vars[name] if dbt_vars and name in dbt_vars else dbt_project_var(name)


def rateable_providers(settings, dbt_vars: dict | None = None) -> dict[str, set[str]]:
    """Per peer rule, the providers with a peer group big enough to be rated: E/M billers with at least
    em_min_peers other E/M billers of their taxonomy; modifier overuse, integrity_min_peers other providers
    of the taxonomy; volume outliers, every provider (national peers when the state has too few)."""
    import polars as pl

    df = query(
        "select provider_npi, provider_taxonomy, bool_or(is_em) as bills_em "
        "from int_integrity__service_lines group by all",
        settings=settings,
    )

    def with_peers(frame: pl.DataFrame, min_others: int) -> set[str]:
        others = pl.len().over("provider_taxonomy") - 1
        return set(frame.filter(others >= min_others)["provider_npi"])

    return {
        "em_upcoding": with_peers(df.filter("bills_em"), int(_threshold("em_min_peers", dbt_vars))),
        "modifier_overuse": with_peers(df, int(_threshold("integrity_min_peers", dbt_vars))),
        "volume_outlier": set(df["provider_npi"]),
    }


def evaluate(settings, truth_csv: Path, dbt_vars: dict | None = None) -> list[RuleScore]:
    catalogue = rule_catalogue(settings)
    rateable = rateable_providers(settings, dbt_vars)
    levels = {rule: level for rule, (level, _) in catalogue.items()}
    truth = read_truth(truth_csv, levels)
    found = read_findings(settings, levels)
    scores = []
    for rule in INJECTED:
        ranked_keys = list(dict.fromkeys(found[rule]))  # distinct, best rank first
        flagged, expected = set(ranked_keys), truth[rule]
        tp = len(flagged & expected)
        s = RuleScore(
            rule=rule,
            kind=catalogue[rule][1],
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
            scope = {key for key in expected if key[0] in rateable.get(rule, set())}
            s.in_scope, s.in_scope_found = len(scope), len(flagged & scope)
        scores.append(s)
    return scores


def wilson_interval(successes: int, trials: int) -> tuple[float, float] | None:
    """95 % Wilson score interval of a proportion: sound at 0/n and n/n, where the normal interval is not."""
    if trials == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return round(float(ci.low), 4), round(float(ci.high), 4)


@dataclass
class CleanWorldRate:
    """Leads a rule raised on a world with nothing injected: every one is a false positive."""

    rule: str
    kind: str
    leads: int
    providers_flagged: int
    providers: int
    months: int

    @property
    def per_1000_provider_months(self) -> float:
        return round(1000 * self.leads / (self.providers * self.months), 3) if self.providers else 0.0


def clean_world_rates(settings, months: int) -> list[CleanWorldRate]:
    """Per rule, the leads in the warehouse of a clean world (`--anomalies none`) and their rate per 1,000
    provider-months, over every provider that billed."""
    catalogue = rule_catalogue(settings)
    providers = query(
        "select count(distinct provider_npi) from int_integrity__service_lines", settings=settings
    ).item()
    df = query(
        "select rule_id, count(*) as leads, count(distinct provider_npi) as flagged "
        "from fct_integrity_findings group by rule_id",
        settings=settings,
    )
    got = {r: (n, f) for r, n, f in df.iter_rows()}
    return [
        CleanWorldRate(rule, catalogue[rule][1], *got.get(rule, (0, 0)), providers=providers, months=months)
        for rule in RULES
    ]


def run_generated_world(cfg, settings, dbt_vars: dict | None = None) -> None:
    """Generate a world and take it through the same load + build steps as `revcycle run`; a generated
    world must load without a single rejection.  dbt_vars: thresholds as a user sets them (`--vars`)."""
    from pipelines.generate import generate, land_world
    from pipelines.ingest import load_landing
    from pipelines.warehouse.build import build_warehouse

    generate(cfg, progress=False)
    land_world(cfg.out, settings.landing_dir, settings.reference_landing_dir)
    landed = load_landing(settings)
    bad = [o.summary_line() for o in landed.outcomes if o.status != "accepted"]
    bad += [r.summary_line() for r in landed.references if r.status == "rejected"]
    if bad:
        raise RuntimeError("generated world did not load cleanly: " + "; ".join(bad[:5]))
    build_warehouse(settings, dbt_vars=dbt_vars)


def evaluate_generated_world(cfg, settings, dbt_vars: dict | None = None) -> list[RuleScore]:
    """A generated world through `run_generated_world`, scored against its truth."""
    run_generated_world(cfg, settings, dbt_vars)
    return evaluate(settings, cfg.out / "truth" / "anomalies.csv", dbt_vars)


def format_table(scores: list[RuleScore]) -> str:
    def f(x):
        return "-" if x is None else f"{x:.3f}"

    lines = [
        (
            "| rule | kind | truth | findings | true pos. | precision | recall | precision@k (k) "
            "| recall among the rateable (n) |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scores:
        pk = f"{f(s.precision_at_k)} ({s.k})" if s.k else "-"
        scope = f"{f(s.recall_in_scope)} ({s.in_scope})" if s.in_scope is not None else "-"
        lines.append(
            f"| {s.rule} | {s.kind} | {s.truth} | {s.findings} | {s.true_positives} | {f(s.precision)} "
            f"| {f(s.recall)} | {pk} | {scope} |"
        )
    return "\n".join(lines)
