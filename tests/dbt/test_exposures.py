"""The dbt exposures name, for each dashboard page, exactly the models its queries read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent.parent
PAGES = ROOT / "dashboards" / "app_pages"


def _models() -> set[str]:
    dbt = ROOT / "dbt_project"
    return {
        p.stem for sub in ("models", "seeds") for p in (dbt / sub).rglob("*") if p.suffix in (".sql", ".csv")
    }


def _tables_per_query_function(models: set[str]) -> dict[str, set[str]]:
    """The models each function of dashboards/queries.py reads (names after FROM / JOIN that are models; a
    table chosen by a parameter, `from {table}`, is read from the dict literal that maps it)."""
    src = (ROOT / "dashboards" / "queries.py").read_text()
    tree = ast.parse(src)
    # module-level constants that name models (the work queues' tables): read by the functions using them
    constants = {
        target.id: set(re.findall(r'"([a-z_][a-z0-9_]*)"', ast.get_source_segment(src, node)))
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found: dict[str, set[str]] = {}
    bodies: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            body = ast.get_source_segment(src, node)
            names = set(re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", body))
            names |= set(re.findall(r'"([a-z_][a-z0-9_]*)"', body))
            for const, named in constants.items():
                if re.search(rf"\b{const}\b", body):
                    names |= named
            # reference kinds read as stg_reference__{kind}: the rule inputs the Compliance page lists
            if "stg_reference__{kind}" in body:
                from pipelines.reference import RULE_INPUTS

                names |= {f"stg_reference__{k}" for k in RULE_INPUTS}
            found[node.name] = names & models
            bodies[node.name] = body
    # and what the module's own functions they call read
    changed = True
    while changed:
        changed = False
        for name, body in bodies.items():
            for callee in [c for c in found if c != name and re.search(rf"\b{c}\(", body)]:
                if not found[callee] <= found[name]:
                    found[name] |= found[callee]
                    changed = True
    return found


def test_every_page_has_an_exposure_naming_what_it_reads():
    models = _models()
    reads = _tables_per_query_function(models)
    exposures = yaml.safe_load((ROOT / "dbt_project" / "models" / "_dashboard__exposures.yml").read_text())
    declared = {
        e["name"]: {re.fullmatch(r"ref\('([a-z0-9_]+)'\)", d).group(1) for d in e["depends_on"]}
        for e in exposures["exposures"]
    }
    pages = {p.stem for p in PAGES.glob("*.py") if p.stem != "__init__"}
    assert set(declared) == {f"page_{p}" for p in pages}
    for page in pages:
        called = set(re.findall(r"queries\.([a-z_]+)\(", (PAGES / f"{page}.py").read_text()))
        read = set().union(*(reads.get(f, set()) for f in called))
        assert declared[f"page_{page}"] == read, page
        assert read <= models
