"""The vectorised identifier mask equals the per-value one the rest of the app uses."""

from __future__ import annotations

import polars as pl

from dashboards.phi import mask, mask_expr


def test_mask_expr_equals_mask():
    values = ["123456789A", "AB", "X", None, "C1002", "", " ", "ÄÖÜ12", "•already"]
    got = pl.DataFrame({"claim_id": values}).select(mask_expr("claim_id"))["claim_id"].to_list()
    assert got == [mask(v) for v in values]
    ints = pl.DataFrame({"member_id": [1234567, None]}).select(mask_expr("member_id"))["member_id"].to_list()
    assert ints == [mask(1234567), None]
