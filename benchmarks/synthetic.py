"""Synthetic layered networks of any size, for benchmarks and tests.

A network is built in layers, as the real corridor is: production areas -> staging hubs
-> border crossings -> ports -> sea -> markets, with side legs that skip a layer
(hubs straight to ports by road, ports to markets by container, hubs to markets by
air). Every node leaves towards a later layer and every node past the first is reached,
so every market can be supplied. Values (distances, capacities, costs, detection) are
drawn per mode from ranges like the default network's; the same seed gives the same
files byte for byte.

It writes a network directory in the documented format (docs/network-format.md),
citing its own evidence.csv (the network's own evidence: these values are made up), and
a scenario TOML next to it with trafficking groups and interdiction agencies, so it runs:

    .venv/bin/python benchmarks/synthetic.py --edges 1000 --seed 1 --out /tmp/syn1000
    .venv/bin/corredor run /tmp/syn1000/scenario.toml -r 4 --out /tmp/syn1000/out

Stdlib only (random, csv): importable as `build(edges, nodes=None, seed=0, out=...)`.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from pathlib import Path

LAYERS = ("production", "hub", "border", "port", "sea", "market")
# share of the nodes in each layer (production areas and markets are capped below)
SHARE = {"production": 0.04, "hub": 0.24, "border": 0.18, "port": 0.22, "sea": 0.24}
# (from layer, to layer): (modes, weight of extra edges beyond the connecting ones)
LINKS = {
    ("production", "hub"): (("road", "trail", "river"), 1.0),
    ("hub", "border"): (("road", "trail", "river"), 1.0),
    ("hub", "port"): (("road",), 0.4),
    ("border", "port"): (("road",), 1.0),
    ("port", "sea"): (("gofast", "semisub", "fishing"), 1.0),
    ("port", "market"): (("container",), 0.5),
    ("sea", "market"): (("gofast", "semisub", "fishing"), 0.6),
    ("hub", "market"): (("air",), 0.1),
}
NEXT = {
    "production": ("hub",),
    "hub": ("border", "port"),
    "border": ("port",),
    "port": ("sea", "market"),
    "sea": ("market",),
}
COUNTRIES = {
    "production": ("CO", "PE", "BO"),
    "hub": ("CO", "PE", "BO"),
    "border": ("EC", "VE", "BR", "CO"),
    "port": ("EC", "CO", "PE", "PA", "VE", "BR"),
    "sea": ("XS",),
    "market": ("US", "NL", "ES", "BE", "DE", "GB", "AU", "MX"),
}
BASINS = ("eastern-pacific", "caribbean", "atlantic")
# mode: (km range, km per day, capacity kg/week range, cost USD/kg range)
MODES = {
    "road": ((80, 900), 400, (5_000, 60_000), (80, 500)),
    "trail": ((20, 200), 40, (500, 8_000), (100, 600)),
    "river": ((100, 800), 150, (2_000, 30_000), (100, 500)),
    "container": ((4_000, 12_000), 450, (20_000, 120_000), (1_500, 4_500)),
    "gofast": ((300, 2_500), 700, (5_000, 40_000), (800, 2_500)),
    "semisub": ((1_000, 4_000), 250, (5_000, 40_000), (1_200, 3_000)),
    "fishing": ((500, 4_000), 300, (5_000, 30_000), (800, 2_500)),
    "air": ((1_500, 5_000), 5_000, (500, 5_000), (2_500, 6_000)),
}
DETECTION = (0.003, 0.03)
POPULATION = {  # people, base homicides per 100,000 per year (rounded public figures)
    "CO": (52e6, 24),
    "PE": (34e6, 6),
    "BO": (12e6, 6),
    "EC": (18e6, 6),
    "VE": (28e6, 20),
    "BR": (213e6, 20),
    "PA": (4.4e6, 10),
    "US": (330e6, 5),
    "NL": (17.5e6, 0.7),
    "ES": (47e6, 0.7),
    "BE": (11.5e6, 1.0),
    "DE": (83e6, 0.8),
    "GB": (67e6, 1.1),
    "AU": (26e6, 0.9),
    "MX": (126e6, 25),
}
REF = "synthetic-network"
EVIDENCE = [
    # id, value, unit, quote, low, high
    ("synthetic-capacity", 20_000, "kg/week", "Capacities drawn per mode", 0, 200_000),
    ("synthetic-cost", 1_000, "USD/kg", "Costs drawn per mode", 0, 10_000),
    ("synthetic-detection", 0.01, "probability", "Base detection drawn", 0, 0.05),
    ("synthetic-time", 1, "km, days", "Distances drawn, times at mode speeds", 0, 20_000),
    (REF, 1, "-", "Places, production, demand and actors made up", 0, 1e9),
]
EVIDENCE_COLUMNS = [
    "id",
    "kind",
    "value",
    "unit",
    "year",
    "place",
    "publisher",
    "title",
    "date",
    "link",
    "quote",
    "confidence",
    "low",
    "high",
    "notes",
]


def layer_sizes(nodes: int) -> dict[str, int]:
    """Nodes per layer for a network of about `nodes` nodes (at least 2 per layer)."""
    sizes = {"production": min(30, max(2, round(nodes * SHARE["production"])))}
    sizes["market"] = min(8, max(2, round(nodes * 0.05)))
    rest = max(8, nodes - sizes["production"] - sizes["market"])
    mid = ("hub", "border", "port", "sea")
    total = sum(SHARE[k] for k in mid)
    for k in mid:
        sizes[k] = max(2, round(rest * SHARE[k] / total))
    return sizes


def _edge(rng: random.Random, eid: str, a: dict, b: dict, mode: str) -> dict:
    (km_lo, km_hi), speed, (cap_lo, cap_hi), (cost_lo, cost_hi) = MODES[mode]
    km = rng.uniform(km_lo, km_hi)
    return {
        "id": eid,
        "from": a["id"],
        "to": b["id"],
        "mode": mode,
        "distance_km": f"{km:.0f}",
        "transit_days": f"{km / speed:.1f}",
        "capacity_kg_per_week": f"{rng.uniform(cap_lo, cap_hi):.0f}",
        "cost_usd_per_kg": f"{rng.uniform(cost_lo, cost_hi):.0f}",
        "base_detection": f"{rng.uniform(*DETECTION):.4f}",
        "capacity_ref": "synthetic-capacity",
        "cost_ref": "synthetic-cost",
        "detection_ref": "synthetic-detection",
        "time_ref": "synthetic-time",
    }


def build(edges: int, nodes: int | None = None, seed: int = 0, out: Path | str = "syn") -> Path:
    """Write a network of exactly `edges` edges (and about `nodes` nodes) to OUT/network
    and a scenario to OUT/scenario.toml; returns the scenario path."""
    rng = random.Random(seed)
    nodes = nodes or max(14, edges // 4)
    sizes = layer_sizes(nodes)
    by_layer: dict[str, list[dict]] = {}
    for kind in LAYERS:
        by_layer[kind] = []
        for i in range(sizes[kind]):
            country = COUNTRIES[kind][i % len(COUNTRIES[kind])]
            node = {
                "id": f"{kind[:4]}-{i:04d}",
                "name": f"{kind} {i}",
                "kind": kind,
                "country": country,
                "lat": f"{rng.uniform(-15, 45):.3f}",
                "lon": f"{rng.uniform(-100, 10):.3f}",
                "population": f"{rng.randint(50, 3000) * 1000}" if kind != "sea" else "",
                "production_share": "",
                "ref": REF,
                "basin": BASINS[i % len(BASINS)] if kind == "sea" else "",
            }
            by_layer[kind].append(node)
    producers = sorted({n["country"] for n in by_layer["production"]})
    for country in producers:
        areas = [n for n in by_layer["production"] if n["country"] == country]
        weights = [rng.uniform(0.5, 1.5) for _ in areas]
        shares = [round(w / sum(weights), 6) for w in weights]
        shares[-1] = round(1.0 - sum(shares[:-1]), 6)
        for n, s in zip(areas, shares, strict=True):
            n["production_share"] = f"{s:.6f}"

    # connecting edges first (every node leaves forward and is reached), then extras
    pairs: set[tuple[str, str, str]] = set()
    rows: list[dict] = []

    def add(a: dict, b: dict, mode: str) -> bool:
        key = (a["id"], b["id"], mode)
        if key in pairs:
            return False
        pairs.add(key)
        rows.append(_edge(rng, f"e{len(rows):05d}", a, b, mode))
        return True

    for kind, targets in NEXT.items():
        for a in by_layer[kind]:
            to = rng.choice(targets) if kind != "port" else "sea"
            add(a, rng.choice(by_layer[to]), rng.choice(LINKS[(kind, to)][0]))
    for kind in LAYERS[1:]:
        sources = [k for k in LAYERS if (k, kind) in LINKS and k in NEXT]
        reached = {r["to"] for r in rows}
        for b in by_layer[kind]:
            if b["id"] not in reached:
                frm = sources[0] if kind != "market" else "port"
                add(rng.choice(by_layer[frm]), b, LINKS[(frm, kind)][0][0])
    if len(rows) > edges:
        raise SystemExit(
            f"{edges} edges cannot connect {sum(sizes.values())} nodes ({len(rows)} needed): "
            "ask for more edges or fewer nodes"
        )
    links = list(LINKS)
    weights = [LINKS[k][1] * math.sqrt(sizes[k[0]] * sizes[k[1]]) for k in links]
    tries = 0
    while len(rows) < edges:
        tries += 1
        if tries > 100 * edges:
            raise SystemExit(f"cannot place {edges} distinct edges on {nodes} nodes")
        frm, to = rng.choices(links, weights)[0]
        add(rng.choice(by_layer[frm]), rng.choice(by_layer[to]), rng.choice(LINKS[(frm, to)][0]))

    out = Path(out)
    net = out / "network"
    net.mkdir(parents=True, exist_ok=True)
    all_nodes = [n for kind in LAYERS for n in by_layer[kind]]
    _write(net / "nodes.csv", all_nodes)
    _write(net / "edges.csv", rows)
    used = sorted({n["country"] for n in all_nodes} - {"XS"})
    _write(
        net / "countries.csv",
        [
            {
                "iso2": c,
                "name": c,
                "population": f"{POPULATION[c][0]:.0f}",
                "base_homicide_rate": POPULATION[c][1],
                "ref": REF,
            }
            for c in used
        ],
    )
    # production roughly matching demand, so markets neither starve nor drown
    total_t = 150.0 * len(by_layer["production"])
    _write(
        net / "production.csv",
        [
            {"country": c, "year": y, "tonnes": f"{total_t / len(producers) * g:.0f}", "ref": REF}
            for c in producers
            for y, g in ((2015, 1.0), (2030, 1.3))
        ],
    )
    _write(
        net / "markets.csv",
        [
            {
                "node": m["id"],
                "demand_t_per_year": f"{0.8 * total_t / len(by_layer['market']):.0f}",
                "price_usd_per_kg": f"{rng.uniform(25_000, 60_000):.0f}",
                "base_year": 2019,
                "demand_growth": "0.01",
                "ref": REF,
            }
            for m in by_layer["market"]
        ],
    )
    _write(
        net / "evidence.csv",
        [
            dict(
                zip(
                    EVIDENCE_COLUMNS,
                    (
                        eid,
                        "assumption",
                        value,
                        unit,
                        "2015",
                        "synthetic network",
                        "Corredor benchmarks",
                        "benchmarks/synthetic.py",
                        "2026",
                        "",
                        quote + " by benchmarks/synthetic.py; not a real figure.",
                        "low",
                        low,
                        high,
                        f"Synthetic network, seed {seed}.",
                    ),
                    strict=True,
                )
            )
            for eid, value, unit, quote, low, high in EVIDENCE
        ],
    )
    scenario = out / "scenario.toml"
    scenario.write_text(_scenario(by_layer, used, edges, seed, rng), encoding="utf-8")
    return scenario


def _scenario(by_layer: dict[str, list[dict]], used: list[str], edges: int, seed: int, rng) -> str:
    """Three groups sharing the production areas; one agency per country of the network
    (Europe's markets share one), each with the capabilities its legs need."""
    areas = [n["id"] for n in by_layer["production"]]
    groups = ("north", "south", "east")
    origins: dict[str, dict[str, float]] = {g: {} for g in groups}
    for i, area in enumerate(areas):
        first, second = groups[i % 3], groups[(i + 1) % 3]
        share = round(rng.uniform(0.5, 1.0), 2)
        origins[first][area] = share
        if share < 1.0:
            origins[second][area] = round(1.0 - share, 2)
    territory = ", ".join(f'"{c}"' for c in used)
    lines = [
        f'name = "synthetic-{edges}"',
        f'title = "Synthetic layered network, {edges} edges (seed {seed})"',
        'network = "network"',
        "start = 2015",
        "end = 2018",
        f"seed = {seed}",
        f'refs = ["{REF}"]',
        "",
    ]
    for g in groups:
        if not origins[g]:
            continue
        table = ", ".join(f"{a} = {s}" for a, s in origins[g].items())
        lines += [
            f"[groups.{g}]",
            f"origins = {{ {table} }}",
            f"territory = [{territory}]",
            f'refs = ["{REF}"]',
            "",
        ]
    europe = [c for c in used if c in ("NL", "ES", "BE", "DE", "GB")]
    for c in used:
        if c in europe[1:]:
            continue
        jurisdictions = europe if c in europe else [c]
        budget = "container = 20" if c in europe else "road = 10, container = 10, maritime = 10"
        if c == "US":
            budget = "maritime = 60, container = 10, air = 10"
        if c in ("CO", "PE", "BO"):
            budget += ", origin = 5"
        lines += [
            f"[agencies.{c}]",
            f'country = "{c}"',
            "jurisdictions = [" + ", ".join(f'"{j}"' for j in jurisdictions) + "]",
            f"budget = {{ {budget} }}",
            f'refs = ["{REF}"]',
            "",
        ]
    return "\n".join(lines)


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, required=True, help="number of directed edges")
    ap.add_argument("--nodes", type=int, default=None, help="about this many nodes (E/4)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True, help="directory to write")
    args = ap.parse_args()
    scenario = build(args.edges, args.nodes, args.seed, args.out)
    print(f"wrote {scenario} and {scenario.parent / 'network'}")


if __name__ == "__main__":
    main()
