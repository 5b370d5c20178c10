"""Synthetic reference files in the official layouts (CMS NCCI PTP, CMS MUE, OIG LEIE, physician time).

They carry only what the synthetic world needs and are consistent with the anomalies it injects, plus
near-miss rows (a deleted PTP edit, a reinstated provider) so the rules' negatives are exercised too.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from pipelines.generate.codes import MUE, NCCI_PTP, PHYSICIAN_MINUTES
from pipelines.generate.world import World

LEIE_COLUMNS = ["LASTNAME", "FIRSTNAME", "MIDNAME", "BUSNAME", "GENERAL", "SPECIALTY", "UPIN", "NPI", "DOB",
                "ADDRESS", "CITY", "STATE", "ZIP", "EXCLTYPE", "EXCLDATE", "REINDATE", "WAIVERDATE",
                "WVRSTATE"]  # fmt: skip
MAI_TEXT = {
    "1": "1 Line Edit",
    "2": "2 Date of Service Edit: Policy",
    "3": "3 Date of Service Edit: Clinical",
}


def write_ncci_ptp(path: Path, start: date, table: str = "practitioner") -> None:
    """Tab-delimited like the CMS practitioner PTP file: notice lines, a two-line header, then the edits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    eff = f"{start.year - 3}0101"
    rows = [
        (c1, c2, "", eff, "*", ind, "Synthetic edit for the revcycle test world") for c1, c2, ind in NCCI_PTP
    ]
    # near miss: an edit deleted before the world starts must never fire
    rows.append(("99213", "36415", "", f"{start.year - 5}0101", f"{start.year - 1}0101", "0", "Deleted edit"))
    with open(path, "w", newline="") as fh:
        fh.write(f"Synthetic NCCI PTP edits for revcycle tests (CMS {table} PTP layout)\n")
        fh.write("Not CMS data.\n")
        fh.write(
            "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
        )
        fh.write("\t\t\tDate\tDate *=no data\t0=not allowed 1=allowed 9=not applicable\t\n")
        fh.writelines("\t".join(r) + "\n" for r in rows)


def write_mue(path: Path, table: str = "Practitioner") -> None:
    """CSV like the CMS MUE files (Practitioner / Outpatient Hospital): notice rows before the header row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [f"Synthetic Medically Unlikely Edits for revcycle tests (CMS {table.lower()} MUE layout)."]
        )
        w.writerow(["Not CMS data; values are invented."])
        w.writerow([])
        w.writerow(["HCPCS/CPT Code", f"{table} Services MUE Values", "MUE Adjudication Indicator",
                    "MUE Rationale"])  # fmt: skip
        for code, (value, mai) in sorted(MUE.items()):
            w.writerow([code, value, MAI_TEXT[mai], "Synthetic"])


def leie_current_name(world: World) -> str:
    """The current LEIE snapshot's file name: downloaded in the world's last month."""
    last_month = world.end - timedelta(days=1)
    return f"leie_UPDATED_{last_month:%Y-%m}.csv"


def _leie_entries(world: World) -> list[tuple[list[str], date | None]]:
    """Every LEIE row the world's snapshots draw on (OIG UPDATED.csv: 18 columns, YYYYMMDD dates, 00000000
    for none), each with the day it left the list (None: still listed)."""
    start, entries = world.start, []
    for p in world.providers:
        if p.excluded_on:
            entries.append(([p.last_name, p.first_name, "", "", "INDIVIDUAL", p.specialty.upper(), "", p.npi,
                             "00000000", "1 MAIN ST", "SPRINGFIELD", p.state, "62701", "1128b7",
                             f"{p.excluded_on:%Y%m%d}", "00000000", "00000000", ""], None))  # fmt: skip
    # near miss: a provider excluded long ago whose REINDATE says reinstated before the world starts
    reinstated = next((p for p in world.providers if not p.excluded_on), None)
    if reinstated is not None:
        entries.append(([reinstated.last_name, reinstated.first_name, "", "", "INDIVIDUAL", "", "", reinstated.npi,
                         "00000000", "", "", reinstated.state, "", "1128b4", f"{start.year - 6}0301",
                         f"{start.year - 2}0301", "00000000", ""], None))  # fmt: skip
    # near miss: reinstated the way the monthly file shows it -- no REINDATE, just gone from the list by the
    # snapshot downloaded when the world starts
    gone = next((p for p in world.providers[1:] if not p.excluded_on and p is not reinstated), None)
    if gone is not None:
        entries.append(([gone.last_name, gone.first_name, "", "", "INDIVIDUAL", gone.specialty.upper(), "", gone.npi,
                         "00000000", "1 MAIN ST", "SPRINGFIELD", gone.state, "62701", "1128b4",
                         f"{start.year - 4}0101", "00000000", "00000000", ""], start))  # fmt: skip
    # a namesake: most LEIE rows carry no NPI; this one shares a provider's name but lives in another state,
    # so it must raise no lead (a name match counts only with the same state, and then as a possible match)
    if world.providers:
        twin = world.providers[0]
        entries.append(([twin.last_name, twin.first_name, "", "", "INDIVIDUAL", "", "", "0000000000", "19700101",
                         "", "", "TX" if twin.state != "TX" else "NV", "", "1128a1", f"{start.year - 3}0615",
                         "00000000", "00000000", ""], None))  # fmt: skip
    # people not in this world at all
    for i in range(5):
        entries.append(([f"NOTAPROVIDER{i}", "PAT", "", "", "INDIVIDUAL", "NURSING", "", "0000000000", "19600101",
                         "", "", "IL", "", "1128a1", f"{start.year - 1}0{i + 1}15", "00000000", "00000000",
                         ""], None))  # fmt: skip
    return entries


def write_leie_snapshots(folder: Path, world: World) -> list[Path]:
    """Three monthly downloads of the list, dated in their names as a user files them: two years before the
    world, when it starts, and in its last month.  Each lists the rows excluded by its day and not yet
    gone from the list."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = _leie_entries(world)
    snapshots = [(f"leie_UPDATED_{world.start.year - 2}-01.csv", date(world.start.year - 2, 1, 1)),
                 (f"leie_UPDATED_{world.start:%Y-%m}.csv", world.start),
                 (leie_current_name(world), world.end)]  # fmt: skip
    paths = []
    for name, day in snapshots:
        with open(folder / name, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(LEIE_COLUMNS)
            w.writerows(row for row, until in entries
                        if row[14] <= f"{day:%Y%m%d}" and (until is None or day < until))  # fmt: skip
        paths.append(folder / name)
    return paths


def write_patient_deaths(path: Path, world: World) -> None:
    """The patient master's death dates (what an ADT/EHR export or a death-master match provides)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["member_id", "birth_date", "last_name", "first_name", "death_date", "death_source"])
        for p in world.patients:
            if p.death_date:
                w.writerow([p.member_id, p.birth_date.isoformat(), p.last_name, p.first_name,
                            p.death_date.isoformat(), "patient_master"])  # fmt: skip


def write_physician_time(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["hcpcs", "total_minutes"])
        for code, minutes in sorted(PHYSICIAN_MINUTES.items()):
            w.writerow([code, minutes])


CONTRACT_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "contract_fee_schedule.csv"


def contract_fee_schedule_rows() -> list[list[str]]:
    """The synthetic world's payer contracts (allowed = base rate x payer factor, lesser of charge), in the
    layout of the contract_fee_schedule seed a practice replaces with its own contracts."""
    from pipelines.generate.codes import BASE_RATE
    from pipelines.generate.world import PAYERS

    rows = [["payer_id", "procedure_code", "modifier", "allowed_per_unit", "effective_from", "effective_to"]]
    for payer in PAYERS:
        for code, rate in sorted(BASE_RATE.items()):
            # the simulator prices in whole cents: round(base x factor x 100) per unit
            cents = round(rate * payer.rate_factor * 100)
            rows.append([payer.payer_id, code, "", f"{cents // 100}.{cents % 100:02d}", "2000-01-01", ""])
    return rows


def write_contract_seed(path: Path = CONTRACT_SEED) -> None:
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(contract_fee_schedule_rows())
