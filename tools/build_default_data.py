"""Build the default `andean-pacific` network and add the evidence entries it derives.

Run: make data  (or .venv/bin/python tools/build_default_data.py [--out DIR] [--evidence FILE])

Reads the hand-entered source tables in data-src/ (each described in data-src/README.md)
and writes src/corredor/data/networks/andean-pacific/*.csv, deriving what is not entered
by hand: great-circle distances times a sinuosity by mode, transit times, per-mode costs,
capacities and detection, container exposure, and the Peru/Bolivia production split.
It then adds to src/corredor/data/evidence.csv the entries it knows that the table lacks.
It never rewrites or drops an entry: the committed table is the reference and has been
extended and revised by hand since this script first wrote it.

Standard library only; it does not import corredor, so it runs before the package builds.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "data-src"
NET = ROOT / "src/corredor/data/networks/andean-pacific"
EVIDENCE = ROOT / "src/corredor/data/evidence.csv"
EARTH_RADIUS_KM = 6371
ASSUMPTION = "Corredor modelling assumption"
PARAPHRASE = "paraphrase of the source; original wording not quoted"


def read(name: str) -> list[dict[str, str]]:
    """Rows of data-src/NAME as text, without `comment` (a note for readers of the source)."""
    with (SRC / name).open(newline="", encoding="utf-8") as fh:
        return [{k: v for k, v in row.items() if k != "comment"} for row in csv.DictReader(fh)]


def num(text: str) -> int | float:
    """A number as written: integers stay int, so they are written back without `.0`."""
    return float(text) if any(c in text for c in ".eE") else int(text)


def write(path: Path, rows: list[dict]) -> None:
    """One network table; csv's default CRLF line ends, as the shipped files have."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


# ----------------------------------------------------------------------------- network
def great_circle_km(a: dict, b: dict) -> float:
    """Distance in km between two nodes (lat/lon in degrees) on a spherical Earth."""
    lat1, lon1, lat2, lon2 = (math.radians(float(n[k])) for n in (a, b) for k in ("lat", "lon"))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def edge_rows(nodes: dict[str, dict], modes: dict[str, dict]) -> list[dict]:
    """Legs with distance (km), transit time (days), capacity (kg/week), cost (USD/kg),
    base detection (probability per crossing) and exposure, the effort-sharing weight of
    the random-search law (thousand containers/week for container legs; empty, meaning
    corridor length, for the others)."""
    const = {r["name"]: float(r["value"]) for r in read("constants.csv")}
    ports = {r["node"]: r for r in read("ports.csv")}
    legs = read("edges.csv")
    # A port's container throughput is split equally over the export legs that load there.
    exports = Counter(leg["from"] for leg in legs if leg["inspection"] == "export")
    rows, seen = [], set()
    for leg in legs:
        a, b, mode, inspection = leg["from"], leg["to"], leg["mode"], leg["inspection"]
        eid = f"{a}--{b}--{mode}"
        if a not in nodes or b not in nodes or mode not in modes or eid in seen:
            raise SystemExit(f"data-src/edges.csv: {eid}: unknown node or mode, or a repeat")
        seen.add(eid)
        m = modes[mode]
        capacity = m["capacity_kg_per_week"]
        dist = great_circle_km(nodes[a], nodes[b]) * num(m["sinuosity"])
        dist = max(dist, const["min_distance_km"])
        cost = num(m["fixed_cost_usd_per_kg"]) + num(m["cost_usd_per_kg_km"]) * dist
        extra_days, jurisdiction, exposure = const["handling_days"], leg["jurisdiction"], ""
        port_ref = f";{ports[a]['ref']}" if inspection else ""
        if inspection == "export":
            # Export inspection happens where the container is loaded: the origin's country.
            jurisdiction = nodes[a]["country"]
            exposure = round(num(ports[a]["kcontainers_per_week"]) / exports[a], 3)
            extra_days = const["port_dwell_days"]
        elif inspection == "import":
            # Import inspection at the entry port sees all of the port's throughput.
            exposure = round(num(ports[a]["kcontainers_per_week"]), 3)
            dist = max(dist, const["import_min_distance_km"])
        if leg["cost_usd_per_kg"]:
            cost = float(leg["cost_usd_per_kg"])
        rows.append(
            {
                "id": eid,
                "from": a,
                "to": b,
                "mode": mode,
                "distance_km": round(dist, 1),
                "transit_days": round(dist / num(m["speed_km_per_day"]) + extra_days, 2),
                "capacity_kg_per_week": num(leg["capacity_kg_per_week"] or capacity),
                "cost_usd_per_kg": round(cost, 1),
                "base_detection": num(m["base_detection"]),
                "exposure": exposure,
                "jurisdiction": jurisdiction,
                "domain": leg.get("domain", ""),
                "capacity_ref": m["capacity_ref"],
                "cost_ref": m["cost_ref"],
                "detection_ref": m["detection_ref"] + port_ref,
                "time_ref": m["time_ref"],
            }
        )
    return rows


def production(reported: list[dict], split: dict[int, dict]) -> list[dict]:
    """Tonnes of pure cocaine HCl by producing country and year: Colombia as reported;
    Peru and Bolivia share world minus Colombia by their coca area (or are entered)."""
    co = {int(r["year"]): int(r["tonnes"]) for r in reported if r["country"] == "CO"}
    rows = []
    for r in reported:
        year = int(r["year"])
        if r["country"] == "WORLD":
            rest, pe = int(r["tonnes"]) - co[year], float(split[year]["pe_share"])
            ref = f"{split[year]['ref']};{r['ref']}"
            rows.append(dict(country="PE", year=year, tonnes=round(rest * pe), ref=ref))
            rows.append(dict(country="BO", year=year, tonnes=round(rest * (1 - pe)), ref=ref))
        else:
            rows.append(
                dict(country=r["country"], year=year, tonnes=int(r["tonnes"]), ref=r["ref"])
            )
    return sorted(rows, key=lambda r: (r["country"], r["year"]))


# ---------------------------------------------------------------------------- evidence
# Derived entries: each family's fixed columns, then a function filling in the rest
# (columns left out are empty). Hand-wrapped: one entry's fields read best together.
# fmt: off
SIMCI = dict(kind="estimate", unit="t pure HCl", place="Colombia", quote=PARAPHRASE,
             confidence="medium")
WDR = dict(kind="estimate", unit="t pure HCl", place="world", quote=PARAPHRASE,
           publisher="UNODC (via news reports)", confidence="medium")
PE_BO = dict(kind="derived", unit="t pure HCl", place="Peru+Bolivia", date="2026",
             publisher="Corredor (derived)", confidence="low",
             title="World production minus Colombia, split by coca area")
MODE = dict(kind="assumption", publisher=ASSUMPTION, date="2026", confidence="low")
CAPACITY = dict(MODE, unit="kg/week",
                quote="An upper bound on what traffickers can move on one leg per week.")
COST = dict(MODE, unit="USD/kg",
            quote="Transport, wages and bribes; consistent with prices rising from ~2,000 "
                  "USD/kg in Ecuador to ~12,000 in Mexico.")
DETECTION = dict(MODE, unit="probability",
                 quote="Chance detections (tips, routine checks); dedicated effort is "
                       "modelled by the agencies.")
SEIZURE = dict(kind="observation", unit="t", publisher="UNODC", confidence="high",
               title="Annual drug seizure data (republished)",
               quote="cocaine salts, base/paste and other forms summed")


def production_evidence(reported: list[dict], split: dict[int, dict]) -> list[dict]:
    """Entries for the reported production figures (range ±15% for Colombia, ±10% for the
    world) and for the derived Peru+Bolivia remainder (±30%)."""
    co = {int(r["year"]): int(r["tonnes"]) for r in reported if r["country"] == "CO"}
    rows = []
    for r in reported:
        y, t, ref, notes = int(r["year"]), int(r["tonnes"]), r["ref"], r["notes"]
        if r["country"] == "CO":
            rows.append(dict(
                SIMCI, id=ref, value=t, year=str(y), publisher=r["source"], date=r["reported"],
                title=f"UNODC/SIMCI potential cocaine production {y} (reported)",
                low=round(t * 0.85), high=round(t * 1.15), notes=notes))
        elif r["country"] == "WORLD":
            rows.append(dict(
                WDR, id=ref, value=t, year=str(y), date=r["reported"],
                title=f"{r['source']}: global cocaine manufacture",
                low=round(t * 0.9), high=round(t * 1.1), notes=notes))
            s, rest = split[y], t - co[y]
            rows.append(dict(
                PE_BO, id=s["ref"], value=rest, year=str(y),
                quote=f"Peru share of Peru+Bolivia coca area {float(s['pe_share']):.2f}",
                low=round(rest * 0.7), high=round(rest * 1.3), notes=s["notes"]))
    return rows


def mode_evidence(modes: dict[str, dict], edges: list[dict]) -> list[dict]:
    """Assumption entries for each mode's capacity, cost and detection; each range spans
    the values the network's edges of that mode actually use."""
    rows = []
    for mode, m in modes.items():
        cap, fixed = num(m["capacity_kg_per_week"]), num(m["fixed_cost_usd_per_kg"])
        caps = [r["capacity_kg_per_week"] for r in edges if r["mode"] == mode] + [cap]
        costs = [r["cost_usd_per_kg"] for r in edges if r["mode"] == mode]
        dets = [r["base_detection"] for r in edges if r["mode"] == mode]
        rows += [
            dict(CAPACITY, id=m["capacity_ref"], value=cap,
                 title=f"Weekly capacity of a {mode} edge",
                 low=min(caps) * 0.5, high=max(caps) * 2),
            dict(COST, id=m["cost_ref"], value=fixed,
                 title=f"Cost per kg of a {mode} leg ({fixed} + {num(m['cost_usd_per_kg_km'])}/km)",
                 low=round(min(costs + [fixed]) * 0.5, 1), high=round(max(costs) * 1.5, 1)),
            dict(DETECTION, id=m["detection_ref"], value=num(m["base_detection"]),
                 title=f"Detection of a {mode} shipment with no dedicated effort",
                 low=0.0, high=max(dets) * 3),
        ]
    return rows


def seizure_evidence() -> list[dict]:
    """UNODC cocaine seizures in tonnes (all forms summed; range ±10%) for the countries
    and years chosen in seizure-series.csv."""
    series = {r["iso3"]: r for r in read("seizure-series.csv")}
    rows = []
    for r in read("unodc_cocaine_seizures_2005_2020.csv"):
        s, y = series.get(r["iso3"]), int(r["year"])
        if s and int(s["first_year"]) <= y <= int(s["last_year"]):
            t = float(r["total_kg"]) / 1000
            rows.append(dict(
                SEIZURE, id=f"unodc-seiz-{s['iso2'].lower()}-{y}", value=round(t, 1),
                year=str(y), place=r["country"], date=str(y + 2),
                low=round(t * 0.9, 1), high=round(t * 1.1, 1)))
    return rows
# fmt: on


def add_evidence(entries: list[dict], path: Path) -> list[dict]:
    """Append to the evidence table at PATH the entries whose id it lacks; return them."""
    with path.open(newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    known = {r["id"] for r in table}
    added = [r for r in entries if r["id"] not in known]
    if added:
        with path.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n")
            writer.writerows(added)
    return added


# -------------------------------------------------------------------------------- main
def build(out_dir: Path = NET, evidence: Path = EVIDENCE) -> list[dict]:
    """Write the network tables to OUT_DIR and add missing entries to the evidence table
    EVIDENCE; return the entries added."""
    nodes = read("nodes.csv")
    modes = {r["mode"]: r for r in read("modes.csv")}
    reported = read("production.csv")
    split = {int(r["year"]): r for r in read("pe-bo-split.csv")}
    edges = edge_rows({n["id"]: n for n in nodes}, modes)
    write(out_dir / "nodes.csv", nodes)
    write(out_dir / "edges.csv", edges)
    write(out_dir / "production.csv", production(reported, split))
    write(out_dir / "markets.csv", read("markets.csv"))
    write(out_dir / "countries.csv", read("countries.csv"))
    write(out_dir / "domains.csv", read("domains.csv"))

    # Entries written out by hand win over derived ones with the same id (an exception
    # such as a known gap in a series keeps its own note and range).
    literal = read("evidence.csv") + read("evidence-model.csv")
    ids = Counter(r["id"] for r in literal)
    if repeats := [i for i, n in ids.items() if n > 1]:
        raise SystemExit(f"data-src: evidence ids entered twice: {', '.join(repeats)}")
    derived = production_evidence(reported, split) + mode_evidence(modes, edges)
    derived += seizure_evidence()
    return add_evidence(literal + [r for r in derived if r["id"] not in ids], evidence)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=NET, help="network directory to write")
    parser.add_argument("--evidence", type=Path, default=EVIDENCE, help="evidence table to extend")
    args = parser.parse_args()
    added = build(args.out, args.evidence)
    print(f"network written to {args.out}; {len(added)} entries added to {args.evidence}")


if __name__ == "__main__":
    main()
