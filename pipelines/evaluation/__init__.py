"""The marts scored against the synthetic world's own truth: every KPI (kpi.py) and every billing-integrity
rule (integrity.py)."""
