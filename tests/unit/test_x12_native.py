"""The compiled X12 core against the Python reference engine: same tables, findings and verdicts.

The reference engine (pipelines/x12/tx_835.py, tx_837.py, parser.parse_bytes_reference) is the
executable specification; the core (native/x12core) must agree with it on every public sample, on the
malformed corpus, on randomly mutated files and on files larger than its 1 MiB read block.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.x12 import native
from pipelines.x12.parser import parse_bytes, parse_bytes_reference, parse_file, parse_files
from pipelines.x12.schemas import TABLES
from tests.conftest import ACKS, DEMO, SAMPLES

pytestmark = pytest.mark.skipif(native.load() is None, reason="X12 core not built (no rustc)")

SOURCES = {
    "remit": (DEMO / "remit_835_medicare_20240126.x12").read_bytes(),
    "claims": (DEMO / "claims_837p_20240105.x12").read_bytes(),
    "institutional": (
        SAMPLES / "imsweb__x12-parser/src__test__resources__837_5010__x223-test.txt"
    ).read_bytes(),
    "999": (ACKS / "ack_999_20240202.x12").read_bytes(),
    "277CA": (ACKS / "ack_277ca_20240106.x12").read_bytes(),
}


def _finding_key(f):
    return (f.severity, f.code, f.message, f.seg_index, f.segment_id, f.element, f.isa13, f.gs06, f.st02)


def assert_same(data: bytes, name: str = "f.x12") -> None:
    a, b = parse_bytes(data, name), parse_bytes_reference(data, name)
    for t in b.tables:
        assert a.tables[t].equals(b.tables[t]), (name, t, a.tables[t].shape, b.tables[t].shape)
    assert sorted(map(_finding_key, a.findings), key=str) == sorted(map(_finding_key, b.findings), key=str)
    assert [vars(s) for s in a.transactions] == [vars(s) for s in b.transactions]
    assert (a.file_type, a.status) == (b.file_type, b.status)


def test_schema_matches_schemas_py():
    spec = native.native_schema(native.load().x12_schema().decode())
    kinds = {k: v for v, k in native._KINDS.items()}
    for table, cols in TABLES.items():
        if table != "findings":
            assert [(c, kinds[k]) for c, k in spec[table]] == cols


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in [*SAMPLES.rglob("*"), *DEMO.rglob("*"), *ACKS.rglob("*")]
        if p.is_file() and p.name != "MANIFEST.tsv"
    ),
    ids=lambda p: p.name[-50:],
)
def test_every_sample_agrees(path):
    assert_same(path.read_bytes(), path.name)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n", bytes(range(256)) * 8, b"ST*835*1~BPR*I~", b"ISA*00*", SOURCES["remit"][:200],
     SOURCES["remit"].replace(b"~\n", b"\n"), SOURCES["remit"].replace(b"~\n", b"~\r\n"),
     b"\xef\xbb\xbfNOTE\r\n" + SOURCES["claims"], SOURCES["claims"].replace(b"NM1*IL", "NM1*IL*1*MÜLLER".encode("latin-1")),
     re.sub(rb"DTP\*472\*D8\*\d{8}", b"DTP*472*RD8*-20240105", SOURCES["claims"], count=1)],
    ids=["empty", "blank", "binary", "no-isa", "cut-isa", "cut-200", "newline", "crlf", "bom-prose", "latin-1",
         "range-without-start"],
)  # fmt: skip
def test_edge_cases_agree(data):
    assert_same(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(sorted(SOURCES)), pos=st.floats(0, 1), junk=st.binary(max_size=6),
       drop=st.integers(0, 8))  # fmt: skip
def test_mutations_agree(source, pos, junk, drop):
    data = SOURCES[source]
    at = int(pos * len(data))
    assert_same(data[:at] + junk + data[at + drop :])


def test_streaming_across_read_blocks(tmp_path):
    """A 3 MB 835 (its transaction set repeated) read from disk in 1 MiB blocks equals the reference."""
    text = SOURCES["remit"].decode()
    head, rest = text.split("ST*835*", 1)
    st_block, tail = ("ST*835*" + rest).split("GE*", 1)
    copies = 3 * 2**20 // len(st_block) + 1
    sets = [st_block.replace("0001", f"{i:04d}") for i in range(copies)]
    data = (head + "".join(sets) + f"GE*{copies}*" + tail.split("*", 1)[1]).encode()
    path = tmp_path / "big.835"
    path.write_bytes(data)
    a, b = parse_file(path), parse_bytes_reference(data, str(path), file_id=parse_file(path).file_id)
    assert a.status == "accepted" and a.tables["remit_claims"].height == 3 * copies
    for t in b.tables:
        assert a.tables[t].equals(b.tables[t]), t
    assert sorted(map(_finding_key, a.findings), key=str) == sorted(map(_finding_key, b.findings), key=str)


def test_files_parsed_together_equal_each_alone(tmp_path):
    """Small files are parsed several to one call of the core (ingest staging); each file's result must be
    what parsing it alone gives: columns constant in one file and other values or nulls in the next, long
    strings (their offsets move), latin-1, damaged files between good ones, and a file that is not there."""
    paths = sorted(p for p in [*SAMPLES.rglob("*"), *DEMO.rglob("*"), *ACKS.rglob("*")]
                   if p.is_file() and p.name != "MANIFEST.tsv")  # fmt: skip
    for i, data in enumerate([b"", bytes(range(256)) * 8, SOURCES["remit"][:200],
                              SOURCES["claims"].replace(b"NM1*IL", "NM1*IL*1*MÜLLER".encode("latin-1"))]):  # fmt: skip
        paths.insert(3 * i + 1, tmp_path / f"edge{i}.x12")
        paths[3 * i + 1].write_bytes(data)
    files = [(p, f"file{i:03d}") for i, p in enumerate(paths)]
    files.insert(5, (tmp_path / "gone.x12", "gone"))
    together = parse_files(files)
    assert together[5] is None
    assert sum(r is not None for r in together) == len(paths)
    for (path, file_id), a in zip(files, together, strict=True):
        if a is None:
            continue
        b = parse_file(path, file_id)
        for t in b.tables:
            assert a.tables[t].schema == b.tables[t].schema, (path.name, t)
            assert a.tables[t].equals(b.tables[t]), (path.name, t, a.tables[t].shape, b.tables[t].shape)
        assert list(map(_finding_key, a.findings)) == list(map(_finding_key, b.findings)), path.name
        assert [vars(s) for s in a.transactions] == [vars(s) for s in b.transactions]
        assert (a.file_type, a.status) == (b.file_type, b.status)


@pytest.mark.parametrize(
    "rejected", [(0,), (1,), (0, 2), (1, 2)], ids=["first", "middle", "ends", "last-two"]
)
def test_rejected_sets_between_constant_columns(rejected):
    """The core keeps an all-null or one-valued column as a count until a row differs; a rejected set
    truncates it back, and a later set with other lineage (ST02) or values must still come out row for row."""
    text = SOURCES["remit"].decode()
    head, rest = text.split("ST*835*", 1)
    st_block, tail = ("ST*835*" + rest).split("GE*", 1)
    sets = []
    for i in range(3):
        block = st_block.replace("6001", f"700{i}")
        if i == 2:  # other values in columns that were constant so far
            block = block.replace("MEDICARE PART B", "MEDICARE B").replace("**1~", "**2~")
        else:  # a latin-1 constant, compared with its UTF-8 copy without transcoding
            block = block.replace("MEDICARE PART B", "MÉDICARE PART B")
        if i in rejected:  # CLP04 no longer equals CLP03 - CAS: the set is withheld as a unit
            block = block.replace("CLP*C1001*1*120.00*85.60", "CLP*C1001*1*120.00*85.61")
        sets.append(block)
    data = (head + "".join(sets) + "GE*3*" + tail.split("*", 1)[1]).encode("latin-1")
    result = parse_bytes(data, "three.835")
    assert result.rejected_transactions == len(rejected)
    assert_same(data)


def _seed(name: str, where: str | None = None, value: str = "true") -> list[str]:
    import csv

    from pipelines.x12.codes import SEEDS

    with open(SEEDS / f"{name}.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(where) if where else 0
    return [r[0] for r in rows[1:] if where is None or r[col] == value]


@pytest.mark.parametrize(
    ("source", "element", "codes"),
    [("remit", rb"(CLP\*[^*]*\*)([^*]*)", _seed("claim_status")),
     ("remit", rb"(CAS\*)([^*]*)", _seed("cas_group")),
     ("claims", rb"(CLM\*[^*]*\*[^*]*\*\*\*[^:]*:[^:]*:)([^*]*)", _seed("claim_frequency")),
     ("999", rb"(IK5\*)([^*]*)", _seed("ack_status", "group_only", "false")),
     ("999", rb"(AK9\*)([^*]*)", _seed("ack_status"))],
    ids=["CLP02", "CAS01", "CLM05-3", "IK501", "AK901"],
)  # fmt: skip
def test_code_lists_are_the_dbt_seeds(source, element, codes):
    """Both engines accept exactly the codes of the seed that labels them in the warehouse (edit the seed and
    both follow): every listed code passes, a code the seed lacks is a bad-code error."""
    for code in [*codes, "ZQ"]:
        data = re.sub(element, lambda m, c=code: m.group(1) + c.encode(), SOURCES[source], count=1)
        assert data != SOURCES[source] or code.encode() in SOURCES[source]
        bad = [f for f in parse_bytes(data, "f.x12").findings if f.code == "ELEM_BAD_CODE"]
        assert bool(bad) == (code == "ZQ"), (code, [f.message for f in bad])
        assert_same(data)
