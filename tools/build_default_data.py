"""Build the default `andean-pacific` network and the evidence table.

Run: .venv/bin/python tools/build_default_data.py
Writes src/corredor/data/networks/andean-pacific/*.csv and adds to
src/corredor/data/evidence.csv the entries it derives that the table lacks (it never
rewrites the committed table, which has been extended and revised by hand).
The CSV files are committed; this script documents how every value was derived
(great-circle distances, per-mode assumptions, the Peru/Bolivia production split) so a
reviewer can check and change them in one place.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NET = ROOT / "src/corredor/data/networks/andean-pacific"
EVIDENCE = ROOT / "src/corredor/data/evidence.csv"
SHARED = ROOT.parent / "shared/evidence/unodc_cocaine_seizures_2005_2020.csv"
A = "Corredor modelling assumption"

# ---------------------------------------------------------------------------- nodes
# id, name, kind, country, lat, lon, population, production_share, ref
NODES = [
    (
        "co-narino",
        "Nariño coca region",
        "production",
        "CO",
        1.6,
        -78.0,
        1_630_000,
        0.20,
        "net-coca-shares-co",
    ),
    (
        "co-putumayo",
        "Putumayo–Caquetá coca region",
        "production",
        "CO",
        0.7,
        -76.6,
        360_000,
        0.20,
        "net-coca-shares-co",
    ),
    (
        "co-cauca",
        "Cauca coca region",
        "production",
        "CO",
        2.4,
        -77.0,
        1_490_000,
        0.13,
        "net-coca-shares-co",
    ),
    (
        "co-catatumbo",
        "Catatumbo (Norte de Santander)",
        "production",
        "CO",
        8.6,
        -73.0,
        300_000,
        0.20,
        "net-coca-shares-co",
    ),
    (
        "co-antioquia",
        "Antioquia–Bolívar–Córdoba coca region",
        "production",
        "CO",
        7.6,
        -75.2,
        900_000,
        0.15,
        "net-coca-shares-co",
    ),
    (
        "co-guaviare",
        "Guaviare–Meta coca region",
        "production",
        "CO",
        2.3,
        -72.6,
        90_000,
        0.12,
        "net-coca-shares-co",
    ),
    (
        "pe-vraem",
        "VRAEM valleys",
        "production",
        "PE",
        -12.5,
        -74.0,
        600_000,
        0.50,
        "net-coca-shares-pe",
    ),
    (
        "pe-huallaga",
        "Huallaga valley",
        "production",
        "PE",
        -8.5,
        -76.4,
        400_000,
        0.25,
        "net-coca-shares-pe",
    ),
    (
        "pe-amazonas",
        "Peruvian Putumayo–Bajo Amazonas",
        "production",
        "PE",
        -3.5,
        -72.0,
        100_000,
        0.25,
        "net-coca-shares-pe",
    ),
    (
        "bo-chapare",
        "Chapare",
        "production",
        "BO",
        -16.9,
        -65.4,
        300_000,
        0.60,
        "net-coca-shares-bo",
    ),
    ("bo-yungas", "Yungas", "production", "BO", -16.2, -67.7, 250_000, 0.40, "net-coca-shares-bo"),
    ("co-cali", "Cali staging area", "hub", "CO", 3.45, -76.53, 2_250_000, None, ""),
    ("co-medellin", "Medellín staging area", "hub", "CO", 6.25, -75.56, 2_500_000, None, ""),
    (
        "ec-guayaquil-hub",
        "Guayaquil staging area (Guayas)",
        "hub",
        "EC",
        -2.1,
        -79.9,
        2_700_000,
        None,
        "",
    ),
    ("pe-lima", "Lima staging area", "hub", "PE", -12.05, -77.04, 10_000_000, None, ""),
    ("pe-piura", "Piura–Tumbes staging area", "hub", "PE", -5.2, -80.6, 2_000_000, None, ""),
    ("bo-santa-cruz", "Santa Cruz staging area", "hub", "BO", -17.8, -63.2, 1_700_000, None, ""),
    ("br-hub", "São Paulo staging area", "hub", "BR", -23.5, -46.6, 12_000_000, None, ""),
    ("ve-zulia", "Zulia (Maracaibo)", "hub", "VE", 10.6, -71.6, 4_000_000, None, ""),
    ("ve-apure", "Apure airstrips", "hub", "VE", 7.9, -67.5, 600_000, None, ""),
    (
        "ec-border-rumichaca",
        "Rumichaca crossing (Carchi–Nariño)",
        "border",
        "EC",
        0.81,
        -77.66,
        180_000,
        None,
        "",
    ),
    (
        "ec-border-san-miguel",
        "San Miguel crossing (Sucumbíos–Putumayo)",
        "border",
        "EC",
        0.35,
        -76.9,
        230_000,
        None,
        "",
    ),
    (
        "ec-border-mataje",
        "Mataje–San Lorenzo (Esmeraldas coast)",
        "border",
        "EC",
        1.35,
        -78.7,
        60_000,
        None,
        "",
    ),
    (
        "ec-border-huaquillas",
        "Huaquillas crossing (El Oro–Tumbes)",
        "border",
        "EC",
        -3.48,
        -80.23,
        60_000,
        None,
        "",
    ),
    ("co-border-cucuta", "Cúcuta crossing", "border", "CO", 7.9, -72.5, 800_000, None, ""),
    ("br-tabatinga", "Tabatinga triple frontier", "border", "BR", -4.25, -69.94, 70_000, None, ""),
    ("br-corumba", "Corumbá crossing", "border", "BR", -19.0, -57.65, 110_000, None, ""),
    (
        "us-southwest-border",
        "US southwest border",
        "border",
        "US",
        31.7,
        -106.4,
        1_000_000,
        None,
        "",
    ),
    ("co-tumaco", "Tumaco", "port", "CO", 1.8, -78.76, 260_000, None, ""),
    ("co-buenaventura", "Buenaventura", "port", "CO", 3.88, -77.03, 310_000, None, ""),
    ("co-cartagena", "Cartagena", "port", "CO", 10.4, -75.5, 1_000_000, None, ""),
    ("co-santa-marta", "Santa Marta", "port", "CO", 11.24, -74.2, 500_000, None, ""),
    ("co-uraba", "Urabá (Turbo)", "port", "CO", 8.1, -76.73, 170_000, None, ""),
    ("ec-guayaquil", "Port of Guayaquil", "port", "EC", -2.28, -79.91, None, None, ""),
    ("ec-posorja", "Posorja", "port", "EC", -2.7, -80.25, 30_000, None, ""),
    (
        "ec-puerto-bolivar",
        "Puerto Bolívar (Machala)",
        "port",
        "EC",
        -3.27,
        -80.0,
        290_000,
        None,
        "",
    ),
    ("ec-manta", "Manta", "port", "EC", -0.95, -80.72, 260_000, None, ""),
    ("ec-esmeraldas", "Esmeraldas", "port", "EC", 0.99, -79.65, 270_000, None, ""),
    ("pe-paita", "Paita", "port", "PE", -5.08, -81.11, 130_000, None, ""),
    ("pe-callao", "Callao", "port", "PE", -12.05, -77.15, 1_100_000, None, ""),
    ("br-santos", "Santos", "port", "BR", -23.96, -46.3, 430_000, None, ""),
    ("ve-falcon", "Falcón coast", "port", "VE", 11.7, -70.2, 1_000_000, None, ""),
    ("us-florida", "South Florida ports", "port", "US", 25.77, -80.19, 6_000_000, None, ""),
    ("be-antwerp", "Antwerp", "port", "BE", 51.26, 4.4, 530_000, None, ""),
    ("nl-rotterdam", "Rotterdam", "port", "NL", 51.95, 4.14, 650_000, None, ""),
    ("es-algeciras", "Algeciras", "port", "ES", 36.13, -5.44, 120_000, None, ""),
    ("es-valencia", "Valencia", "port", "ES", 39.45, -0.32, 800_000, None, ""),
    ("de-hamburg", "Hamburg", "port", "DE", 53.54, 9.97, 1_900_000, None, ""),
    ("sea-pac-colombia", "Pacific off Colombia", "sea", "XS", 3.0, -82.0, None, None, ""),
    ("sea-pac-galapagos", "Pacific around the Galápagos", "sea", "XS", -1.0, -88.0, None, None, ""),
    (
        "sea-pac-central-america",
        "Pacific off Central America",
        "sea",
        "XS",
        8.0,
        -90.0,
        None,
        None,
        "",
    ),
    ("sea-pac-mexico", "Pacific off southern Mexico", "sea", "XS", 14.0, -98.0, None, None, ""),
    ("sea-caribbean", "Caribbean Sea", "sea", "XS", 14.0, -75.0, None, None, ""),
    ("sea-atlantic", "Central Atlantic", "sea", "XS", 10.0, -35.0, None, None, ""),
    ("pa-panama", "Panama", "transit", "PA", 8.98, -79.52, None, None, ""),
    ("cr-costa-rica", "Costa Rica", "transit", "CR", 9.9, -84.1, None, None, ""),
    ("gt-guatemala", "Guatemala–Honduras", "transit", "GT", 14.6, -90.5, None, None, ""),
    ("mx-south", "Southern Mexico", "transit", "MX", 16.75, -93.1, None, None, ""),
    ("mx-north", "Northern Mexico", "transit", "MX", 25.7, -100.3, None, None, ""),
    ("do-hispaniola", "Hispaniola", "transit", "DO", 18.5, -69.9, None, None, ""),
    ("gw-bissau", "West Africa (Guinea-Bissau)", "transit", "GW", 11.86, -15.6, None, None, ""),
    ("mkt-us", "United States", "market", "US", 39.0, -95.0, None, None, ""),
    ("mkt-eu", "Europe", "market", "NL", 50.8, 6.5, None, None, ""),
    ("mkt-latam", "South America (domestic)", "market", "BR", -15.8, -47.9, None, None, ""),
    ("mkt-asia-oceania", "Asia and Oceania", "market", "AU", -33.9, 151.2, None, None, ""),
]

# ---------------------------------------------------------------------- mode defaults
# capacity kg/week, fixed cost USD/kg, cost per km USD/kg, base detection, km/day,
# sinuosity (road distance / great circle)
MODES = {
    "road": (60_000, 50, 0.20, 0.010, 500, 1.35),
    "trail": (8_000, 100, 0.30, 0.005, 30, 1.5),
    "river": (15_000, 80, 0.20, 0.005, 150, 1.5),
    "container": (40_000, 1500, 0.10, 0.005, 600, 1.2),
    "gofast": (30_000, 800, 0.30, 0.010, 800, 1.1),
    "semisub": (20_000, 1500, 0.30, 0.005, 300, 1.1),
    "fishing": (20_000, 800, 0.20, 0.008, 300, 1.1),
    "air": (3_000, 1500, 0.50, 0.010, 2000, 1.0),
}

# Weekly container throughput of origin ports, thousands of containers (exposure of the
# random-search law); split equally over the port's container edges.
PORT_KCONTAINERS_WEEK = {
    "ec-guayaquil": (23, "fig-guayaquil-teu"),
    "ec-posorja": (18, "fig-posorja-2024"),
    "ec-puerto-bolivar": (4, "net-port-throughput"),
    "co-buenaventura": (15, "net-port-throughput"),
    "co-cartagena": (35, "net-port-throughput"),
    "co-santa-marta": (5, "net-port-throughput"),
    "co-uraba": (2, "net-port-throughput"),
    "pe-callao": (30, "net-port-throughput"),
    "pe-paita": (4, "net-port-throughput"),
    "br-santos": (60, "net-port-throughput"),
    "do-hispaniola": (20, "net-port-throughput"),
    "be-antwerp": (130, "fig-antwerp-inspection"),
    "nl-rotterdam": (150, "net-port-throughput"),
    "es-algeciras": (50, "net-port-throughput"),
    "es-valencia": (55, "net-port-throughput"),
    "de-hamburg": (90, "net-port-throughput"),
    "us-florida": (40, "net-port-throughput"),
}

# from, to, mode, overrides (dict): capacity, cost, detection, jurisdiction
E = []


def e(a, b, mode, **kw):
    E.append((a, b, mode, kw))


# Colombia, south: to Ecuador's three crossings, to Tumaco/Buenaventura, to Cali
e("co-narino", "co-tumaco", "road")
e("co-narino", "ec-border-rumichaca", "road")
e("co-narino", "ec-border-mataje", "river")
e("co-narino", "co-cali", "road")
e("co-putumayo", "ec-border-san-miguel", "river")
e("co-putumayo", "ec-border-rumichaca", "road")
e("co-putumayo", "co-cali", "road")
e("co-cauca", "co-buenaventura", "road")
e("co-cauca", "co-cali", "road")
e("co-cauca", "co-tumaco", "trail")
e("co-cali", "co-buenaventura", "road")
e("co-cali", "co-medellin", "road")
e("co-cali", "ec-border-rumichaca", "road")
# Colombia, north
e("co-antioquia", "co-uraba", "road")
e("co-antioquia", "co-medellin", "road")
e("co-antioquia", "co-cartagena", "road")
e("co-catatumbo", "co-border-cucuta", "road")
e("co-catatumbo", "co-santa-marta", "road")
e("co-guaviare", "ve-apure", "river")
e("co-guaviare", "co-medellin", "road")
e("co-guaviare", "br-tabatinga", "river")
e("co-medellin", "co-cartagena", "road")
e("co-medellin", "co-uraba", "road")
e("co-border-cucuta", "ve-zulia", "road")
# Ecuador: crossings to the Guayaquil staging area and the coast
e("ec-border-rumichaca", "ec-guayaquil-hub", "road")
e("ec-border-san-miguel", "ec-guayaquil-hub", "road")
e("ec-border-mataje", "ec-esmeraldas", "road")
e("ec-esmeraldas", "ec-guayaquil-hub", "road")
e("ec-esmeraldas", "ec-manta", "road")
e("ec-guayaquil-hub", "ec-guayaquil", "road")
e("ec-guayaquil-hub", "ec-posorja", "road")
e("ec-guayaquil-hub", "ec-puerto-bolivar", "road")
e("ec-guayaquil-hub", "ec-manta", "road")
e("ec-border-huaquillas", "ec-puerto-bolivar", "road")
e("ec-border-huaquillas", "ec-guayaquil-hub", "road")
# Peru
e("pe-vraem", "pe-lima", "road")
e("pe-vraem", "bo-santa-cruz", "air")
e("pe-huallaga", "pe-piura", "road")
e("pe-huallaga", "pe-lima", "road")
e("pe-amazonas", "br-tabatinga", "river")
e("pe-amazonas", "ec-border-san-miguel", "river")
e("pe-piura", "pe-paita", "road")
e("pe-piura", "ec-border-huaquillas", "road")
e("pe-lima", "pe-callao", "road")
e("pe-lima", "pe-piura", "road")
e("pe-lima", "mkt-latam", "road", capacity=20_000)
# Bolivia and Brazil
e("bo-chapare", "bo-santa-cruz", "road")
e("bo-yungas", "bo-santa-cruz", "road")
e("bo-santa-cruz", "br-corumba", "road")
e("bo-santa-cruz", "br-hub", "air")
e("bo-santa-cruz", "mkt-latam", "road")
e("br-corumba", "br-hub", "road")
e("br-tabatinga", "br-hub", "river")
e("br-hub", "br-santos", "road")
e("br-hub", "mkt-latam", "road")
# Venezuela
e("ve-apure", "ve-falcon", "road")
e("ve-zulia", "ve-falcon", "road")
e("ve-apure", "do-hispaniola", "air")
e("ve-falcon", "sea-caribbean", "gofast")
e("ve-falcon", "sea-atlantic", "fishing")
# Colombian ports out
e("co-tumaco", "sea-pac-colombia", "gofast")
e("co-tumaco", "sea-pac-colombia", "semisub")
e("co-buenaventura", "sea-pac-colombia", "gofast")
e("co-buenaventura", "be-antwerp", "container")
e("co-buenaventura", "mkt-asia-oceania", "container", capacity=300)
e("co-cartagena", "nl-rotterdam", "container")
e("co-cartagena", "es-valencia", "container")
e("co-cartagena", "us-florida", "container")
e("co-santa-marta", "be-antwerp", "container")
e("co-santa-marta", "sea-caribbean", "gofast")
e("co-uraba", "pa-panama", "gofast")
e("co-uraba", "de-hamburg", "container")
e("co-cartagena", "sea-caribbean", "gofast")
# Ecuadorian ports out
e("ec-guayaquil", "be-antwerp", "container")
e("ec-guayaquil", "nl-rotterdam", "container")
e("ec-guayaquil", "es-algeciras", "container")
e("ec-guayaquil", "de-hamburg", "container")
e("ec-guayaquil", "mkt-asia-oceania", "container", capacity=300)
e("ec-posorja", "nl-rotterdam", "container")
e("ec-posorja", "es-valencia", "container")
e("ec-posorja", "us-florida", "container")
e("ec-puerto-bolivar", "es-algeciras", "container")
e("ec-puerto-bolivar", "be-antwerp", "container")
e("ec-manta", "sea-pac-galapagos", "gofast")
e("ec-manta", "sea-pac-galapagos", "fishing")
e("ec-esmeraldas", "sea-pac-colombia", "gofast")
e("ec-esmeraldas", "sea-pac-galapagos", "semisub")
# Peruvian ports out
e("pe-paita", "sea-pac-galapagos", "fishing")
e("pe-paita", "be-antwerp", "container")
e("pe-callao", "es-valencia", "container")
e("pe-callao", "nl-rotterdam", "container")
e("pe-callao", "mkt-asia-oceania", "container", capacity=300)
e("pe-callao", "mkt-asia-oceania", "semisub", capacity=300)
e("br-santos", "be-antwerp", "container")
e("br-santos", "es-valencia", "container")
e("br-santos", "sea-atlantic", "fishing")
# Eastern Pacific and Caribbean maritime legs (US Coast Guard / JIATF-South waters)
for a, b, m in [
    ("sea-pac-colombia", "sea-pac-central-america", "gofast"),
    ("sea-pac-colombia", "cr-costa-rica", "gofast"),
    ("sea-pac-galapagos", "sea-pac-central-america", "semisub"),
    ("sea-pac-galapagos", "sea-pac-central-america", "gofast"),
    ("sea-pac-galapagos", "sea-pac-mexico", "fishing"),
    ("sea-pac-central-america", "gt-guatemala", "gofast"),
    ("sea-pac-central-america", "sea-pac-mexico", "gofast"),
    ("sea-pac-mexico", "mx-south", "gofast"),
    ("sea-caribbean", "do-hispaniola", "gofast"),
    ("sea-caribbean", "gt-guatemala", "gofast"),
]:
    e(a, b, m, jurisdiction="US")
e("sea-atlantic", "gw-bissau", "fishing", jurisdiction="GW")
e("sea-atlantic", "es-algeciras", "semisub", jurisdiction="ES", capacity=4_000)
# Central America and Mexico to the United States
e("pa-panama", "cr-costa-rica", "road")
e("cr-costa-rica", "gt-guatemala", "road")
e("gt-guatemala", "mx-south", "road")
e("mx-south", "mx-north", "road")
e("mx-north", "us-southwest-border", "road")
e("us-southwest-border", "mkt-us", "road")
e("do-hispaniola", "us-florida", "gofast", jurisdiction="US")
e("do-hispaniola", "nl-rotterdam", "container")
e("gw-bissau", "es-algeciras", "fishing")
# Exit from entry ports to consumers (import inspection at the port)
for port in ("be-antwerp", "nl-rotterdam", "es-algeciras", "es-valencia", "de-hamburg"):
    e(port, "mkt-eu", "container", jurisdiction=port[:2].upper())
e("us-florida", "mkt-us", "container", jurisdiction="US")


def great_circle_km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[4], a[5], b[4], b[5]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def build_edges():
    nodes = {n[0]: n for n in NODES}
    ocean_edges: dict[str, int] = {}
    for a, _b, mode, kw in E:
        if mode == "container" and "jurisdiction" not in kw:
            ocean_edges[a] = ocean_edges.get(a, 0) + 1
    rows, seen = [], set()
    for a, b, mode, kw in E:
        cap, fixed, per_km, p0, speed, sinuosity = MODES[mode]
        dist = great_circle_km(nodes[a], nodes[b]) * sinuosity
        dist = max(dist, 5.0)
        exit_leg = mode == "container" and "jurisdiction" in kw
        if mode == "container" and not exit_leg:
            # Export inspection at the origin port: recorded where the container is loaded.
            juris = nodes[a][3]
            k, ref = PORT_KCONTAINERS_WEEK[a]
            exposure = k / ocean_edges[a]
            cost = fixed + per_km * dist
        elif exit_leg:
            juris = kw["jurisdiction"]
            k, ref = PORT_KCONTAINERS_WEEK[a]
            exposure, cost, dist = k, 600.0, max(dist, 50.0)
        else:
            juris = kw.get("jurisdiction", "")
            exposure, ref = None, ""  # default: corridor length (network.EdgeRow)
            cost = fixed + per_km * dist
        days = dist / speed + (3.0 if mode == "container" and not exit_leg else 0.5)
        eid = f"{a}--{b}--{mode}"
        assert eid not in seen, eid
        seen.add(eid)
        det_ref = f"net-detection-{mode}" + (f";{ref}" if ref else "")
        rows.append(
            dict(
                id=eid,
                **{"from": a},
                to=b,
                mode=mode,
                distance_km=round(dist, 1),
                transit_days=round(days, 2),
                capacity_kg_per_week=kw.get("capacity", cap),
                cost_usd_per_kg=round(kw.get("cost", cost), 1),
                base_detection=kw.get("detection", p0),
                exposure="" if exposure is None else round(exposure, 3),
                jurisdiction=juris,
                capacity_ref=f"net-capacity-{mode}",
                cost_ref=f"net-cost-{mode}",
                detection_ref=det_ref,
                time_ref="net-distance-time",
            )
        )
    return rows


# ------------------------------------------------------------------------ production
CO = {
    2015: 649,
    2016: 866,
    2017: 1379,
    2018: 1120,
    2019: 1137,
    2020: 1228,
    2021: 1400,
    2022: 1738,
    2023: 2664,
    2024: 3001,
}
WORLD = {2015: 1125, 2017: 1976, 2019: 1784, 2020: 1982, 2022: 2757, 2023: 3708}
# Peru's share of the Peru+Bolivia coca area, from the hectare figures in the evidence
PE_SHARE = {2015: 0.67, 2017: 0.70, 2019: 0.74, 2020: 0.68, 2022: 0.76, 2023: 0.75}


def production_rows():
    rows = []
    for y, t in CO.items():
        rows.append(dict(country="CO", year=y, tonnes=t, ref=f"simci-co-prod-{y}"))
    for y, w in WORLD.items():
        rest = w - CO[y]
        rows.append(
            dict(
                country="PE",
                year=y,
                tonnes=round(rest * PE_SHARE[y]),
                ref=f"derived-pe-bo-prod-{y};wdr-world-prod-{y}",
            )
        )
        rows.append(
            dict(
                country="BO",
                year=y,
                tonnes=round(rest * (1 - PE_SHARE[y])),
                ref=f"derived-pe-bo-prod-{y};wdr-world-prod-{y}",
            )
        )
    rows.append(dict(country="PE", year=2024, tonnes=760, ref="derived-pe-bo-prod-2024"))
    rows.append(dict(country="BO", year=2024, tonnes=287, ref="derived-pe-bo-prod-2024"))
    return sorted(rows, key=lambda r: (r["country"], r["year"]))


MARKETS = [
    dict(
        node="mkt-us",
        demand_t_per_year=300,
        price_usd_per_kg=28000,
        base_year=2019,
        demand_growth=0.0,
        ref="mkt-demand-us;price-us-wholesale",
    ),
    dict(
        node="mkt-eu",
        demand_t_per_year=300,
        price_usd_per_kg=40000,
        base_year=2019,
        demand_growth=0.04,
        ref="mkt-demand-eu;price-eu-wholesale",
    ),
    dict(
        node="mkt-latam",
        demand_t_per_year=250,
        price_usd_per_kg=5000,
        base_year=2019,
        demand_growth=0.03,
        ref="mkt-demand-latam;price-latam-wholesale",
    ),
    dict(
        node="mkt-asia-oceania",
        demand_t_per_year=40,
        price_usd_per_kg=150000,
        base_year=2019,
        demand_growth=0.05,
        ref="mkt-demand-asia;price-oceania-wholesale",
    ),
]

# iso2, name, population (2020, rounded), base homicide rate (/100k/yr not driven by the
# cocaine trade in the model)
COUNTRIES = [
    ("AU", "Australia", 25.7e6, 0.9),
    ("BE", "Belgium", 11.5e6, 1.0),
    ("BO", "Bolivia", 11.9e6, 6.0),
    ("BR", "Brazil", 213e6, 20.0),
    ("CO", "Colombia", 50.9e6, 18.0),
    ("CR", "Costa Rica", 5.1e6, 8.0),
    ("DE", "Germany", 83.2e6, 0.8),
    ("DO", "Dominican Republic", 10.8e6, 10.0),
    ("EC", "Ecuador", 17.6e6, 5.5),
    ("ES", "Spain", 47.4e6, 0.6),
    ("GT", "Guatemala", 16.9e6, 15.0),
    ("GW", "Guinea-Bissau", 2.0e6, 5.0),
    ("MX", "Mexico", 128.9e6, 20.0),
    ("NL", "Netherlands", 17.4e6, 0.6),
    ("PA", "Panama", 4.3e6, 8.0),
    ("PE", "Peru", 33.0e6, 5.0),
    ("US", "United States", 331e6, 5.0),
    ("VE", "Venezuela", 28.4e6, 30.0),
]


# -------------------------------------------------------------------------- evidence
def ev(
    id,
    kind,
    value,
    unit,
    year,
    place,
    publisher,
    title,
    date,
    link,
    quote,
    confidence,
    low,
    high,
    notes="",
):
    return dict(
        id=id,
        kind=kind,
        value=value,
        unit=unit,
        year=year,
        place=place,
        publisher=publisher,
        title=title,
        date=date,
        link=link,
        quote=quote,
        confidence=confidence,
        low=low,
        high=high,
        notes=notes,
    )


def evidence_rows(edges):
    rows = []
    NYT = (
        "The New York Times",
        "How the U.S. Focus on Fentanyl Helped Fuel the Cocaine Trade's Resurgence (seed 000)",
        "2025-12-05",
        "https://www.nytimes.com/2025/12/05/world/americas/ecuador-cocaine-trafficking.html",
    )
    S1 = ("News summary (seed 001)", "US military launches operations in Ecuador", "2026-03-04", "")
    S2 = (
        "News post (seed 002)",
        "Ecuador Seeks US Military Aid to Combat Rising Drug-Related Violence",
        "2024",
        "",
    )
    S3 = (
        "News report (seed 003)",
        "Major drug traffickers have left Colombia and relocated in "
        "Ecuador, says Colombia President Petro",
        "2025",
        "",
    )
    S4 = (
        "News report (seed 004)",
        "US and Ecuador joint operations against 'terrorists'",
        "2026-03-04",
        "",
    )
    para = "paraphrase of the source; original wording not quoted"
    rows += [
        ev(
            "seed-000-ecuador-share",
            "observation",
            0.70,
            "share of world supply",
            "2025",
            "Ecuador",
            *NYT,
            "as much as 70 percent of world's supply flowing through the nation",
            "low",
            0.3,
            0.7,
            "Claim attributed to US officials; the model's transit share is checked against a "
            "range, not fitted to this figure.",
        ),
        ev(
            "seed-000-manta-2009",
            "observation",
            2009,
            "year",
            "2009",
            "Manta, Ecuador",
            *NYT,
            "In 2009, it distanced itself from the United States by closing a U.S. military base.",
            "high",
            2009,
            2009,
        ),
        ev(
            "seed-000-fentanyl-2017",
            "observation",
            2017,
            "year",
            "2017",
            "United States",
            *NYT,
            "Since President Trump took office in 2017 ... the United States focused on battling fentanyl",
            "medium",
            2017,
            2019,
            "Start of the shift of US attention; used to date the decline of "
            "US maritime effort in the baseline.",
        ),
        ev(
            "seed-001-ec-seizures-2023",
            "observation",
            200,
            "t",
            "2023",
            "Ecuador",
            *S1,
            "In 2023, Ecuador seized over 200 metric tons of cocaine",
            "medium",
            200,
            220,
            "Police figures: 211 t (AP) or 219.2 t (EFE) of all drugs.",
        ),
        ev(
            "seed-001-joint-ops",
            "observation",
            2026.17,
            "year",
            "2026",
            "Ecuador",
            *S1,
            "The joint initiative marks a significant escalation in bilateral security cooperation",
            "high",
            2026.17,
            2026.17,
        ),
        ev(
            "seed-002-us-aid",
            "observation",
            81e6,
            "USD",
            "2018-2024",
            "Ecuador",
            *S2,
            "the United States having already invested $81 million since 2018",
            "medium",
            81e6,
            81e6,
        ),
        ev(
            "seed-002-bananas-6t",
            "observation",
            6,
            "t",
            "2023",
            "Guayaquil",
            *S2,
            "police dogs uncovered more than six tons of cocaine hidden under bananas",
            "medium",
            6,
            7,
        ),
        ev(
            "seed-002-spain-13t",
            "observation",
            13,
            "t",
            "2023",
            "Spain",
            *S2,
            "Spanish authorities reported their largest drug bust ever, intercepting 13 tons",
            "medium",
            13,
            13,
        ),
        ev(
            "seed-002-migrants-2022",
            "observation",
            24936,
            "people",
            "2022",
            "US border",
            *S2,
            "from 24,936 individuals in 2022",
            "high",
            24936,
            24936,
            "Undocumented Ecuadorian travellers encountered by US CBP.",
        ),
        ev(
            "seed-002-migrants-2024",
            "observation",
            124023,
            "people",
            "2024",
            "US border",
            *S2,
            "to 124,023 in 2024",
            "high",
            124023,
            124023,
        ),
        ev(
            "seed-002-bananas-share",
            "observation",
            0.2,
            "share of US banana imports",
            "2023",
            "Ecuador",
            *S2,
            "about one in five bananas imported to the United States",
            "medium",
            0.2,
            0.2,
        ),
        ev(
            "seed-003-ports",
            "observation",
            1,
            "qualitative",
            "2025",
            "Colombia",
            *S3,
            "Colombia has been effective in keeping cocaine shipments out of its ports",
            "low",
            1,
            1,
            "Claim by Colombia's president; dates the rise in Colombian port enforcement.",
        ),
        ev(
            "seed-003-presence",
            "observation",
            1,
            "qualitative",
            "2025",
            "Colombia-Ecuador border",
            *S3,
            "There must be constant presence for this approach to be effective.",
            "medium",
            1,
            1,
        ),
        ev(
            "seed-004-strikes",
            "observation",
            44,
            "strikes",
            "2025-09/2026-03",
            "Caribbean and Eastern Pacific",
            *S4,
            "At least 44 aerial strikes have been carried out against alleged drug-smuggling boats",
            "medium",
            44,
            45,
            "Other counts: 35 strikes by 2026-01-07 (SOUTHCOM), 45th strike "
            "2026-03-08 (NYT via Fox).",
        ),
        ev(
            "seed-004-deaths",
            "observation",
            150,
            "people",
            "2025-09/2026-03",
            "Caribbean and Eastern Pacific",
            *S4,
            "The result has been 150 known deaths.",
            "medium",
            144,
            156,
        ),
        ev(
            "seed-004-misidentified",
            "observation",
            1,
            "qualitative",
            "2025-2026",
            "Caribbean",
            *S4,
            "families ... have claimed that the deceased were fishermen or informal workers",
            "low",
            1,
            1,
        ),
        ev(
            "seed-004-tariffs",
            "observation",
            0.5,
            "tariff rate",
            "2026",
            "Ecuador-Colombia",
            *S4,
            "raise tariffs on Colombian imports to 50 percent",
            "high",
            0.5,
            0.5,
        ),
        ev(
            "seed-004-joint-ops-date",
            "observation",
            2026.17,
            "year",
            "2026-03-03",
            "Ecuador",
            *S4,
            "On March 3, Ecuadorian and US military forces launched operations",
            "high",
            2026.17,
            2026.17,
        ),
    ]
    # Colombia production (UNODC/SIMCI)
    simci = {
        2015: ("SCMP", "2017"),
        2016: ("AFP via istoe", "2018"),
        2017: ("AFP via istoe", "2018"),
        2018: ("derived from 2019 +1.5%", "2020"),
        2019: ("UNODC SIMCI", "2020"),
        2020: ("Dialogo", "2022"),
        2021: ("UNODC SIMCI", "2022"),
        2022: ("EFE/La FM/RT", "2023-09"),
        2023: ("La Opinión / Diario del Sur", "2024-10"),
        2024: ("Caracol / El Heraldo citing El País", "2025-11-18"),
    }
    for y, t in CO.items():
        pub, date = simci[y]
        note = (
            "UNODC changed Colombia's conversion method in 2023 (yield ~50% higher): 2023-2024 "
            "are not comparable with earlier years."
            if y >= 2023
            else ""
        )
        rows.append(
            ev(
                f"simci-co-prod-{y}",
                "estimate",
                t,
                "t pure HCl",
                str(y),
                "Colombia",
                pub,
                f"UNODC/SIMCI potential cocaine production {y} (reported)",
                date,
                "",
                para,
                "medium",
                round(t * 0.85),
                round(t * 1.15),
                note,
            )
        )
    wdr = {
        2015: "WDR2017",
        2017: "WDR2019",
        2019: "WDR2021",
        2020: "WDR2022",
        2022: "WDR2024",
        2023: "WDR2025",
    }
    for y, t in WORLD.items():
        rows.append(
            ev(
                f"wdr-world-prod-{y}",
                "estimate",
                t,
                "t pure HCl",
                str(y),
                "world",
                "UNODC (via news reports)",
                f"{wdr[y]}: global cocaine manufacture",
                str(y + 2),
                "",
                para,
                "medium",
                round(t * 0.9),
                round(t * 1.1),
                "World = Colombia + Peru + Bolivia in the model.",
            )
        )
        rest = t - CO[y]
        rows.append(
            ev(
                f"derived-pe-bo-prod-{y}",
                "derived",
                rest,
                "t pure HCl",
                str(y),
                "Peru+Bolivia",
                "Corredor (derived)",
                "World production minus Colombia, split by coca area",
                "2026",
                "",
                f"Peru share of Peru+Bolivia coca area {PE_SHARE[y]:.2f}",
                "low",
                round(rest * 0.7),
                round(rest * 1.3),
                "Peru/Bolivia areas from DEVIDA, ONDCP and UNODC figures; DEVIDA's ~870 t "
                "(2022) and ~800 t (2023) for Peru are cross-checks.",
            )
        )
    rows.append(
        ev(
            "derived-pe-bo-prod-2024",
            "derived",
            1047,
            "t pure HCl",
            "2024",
            "Peru+Bolivia",
            "Corredor (derived)",
            "2023 values scaled by coca area change",
            "2026",
            "",
            "Peru 89,755 ha (-3%), Bolivia 34,000 ha (+10%) in 2024",
            "low",
            730,
            1360,
        )
    )
    rows += [
        ev(
            "net-coca-shares-co",
            "assumption",
            0.2,
            "share",
            "2019-2023",
            "Colombia",
            A,
            "Split of Colombian production by region",
            "2026",
            "",
            "Nariño, Putumayo and Norte de Santander lead SIMCI's coca maps; shares are rounded.",
            "low",
            0.12,
            0.20,
        ),
        ev(
            "net-coca-shares-pe",
            "assumption",
            0.5,
            "share",
            "2019-2023",
            "Peru",
            A,
            "Split of Peruvian production by region",
            "2026",
            "",
            "VRAEM produces about half of Peru's coca; Huallaga and Putumayo the rest.",
            "low",
            0.25,
            0.5,
        ),
        ev(
            "net-coca-shares-bo",
            "assumption",
            0.6,
            "share",
            "2019-2023",
            "Bolivia",
            A,
            "Split of Bolivian production by region",
            "2026",
            "",
            "Chapare leaf is mostly diverted to cocaine; much Yungas leaf is legal use.",
            "low",
            0.4,
            0.6,
        ),
        ev(
            "net-distance-time",
            "derived",
            1.0,
            "-",
            "",
            "",
            "Corredor (derived)",
            "Distances and transit times",
            "2026",
            "",
            "Great-circle distance times a sinuosity factor by mode; days from typical speed by mode.",
            "medium",
            0.5,
            2.0,
            "Factors and speeds in tools/build_default_data.py (MODES).",
        ),
        ev(
            "net-port-throughput",
            "assumption",
            30,
            "thousand containers/week",
            "2020-2024",
            "container ports",
            A,
            "Weekly container throughput of ports (exposure)",
            "2026",
            "",
            "Rounded from published annual TEU; used only as relative weights of inspection effort.",
            "low",
            1,
            200,
        ),
        ev(
            "fig-guayaquil-teu",
            "observation",
            23,
            "thousand containers/week",
            "2015-2024",
            "Guayaquil",
            "mundomaritimo / Forbes Ecuador",
            "Guayaquil terminals' throughput",
            "2024",
            "",
            para,
            "medium",
            15,
            30,
            "About 2.1M TEU/yr across TPG, Contecon and others.",
        ),
        ev(
            "fig-posorja-2024",
            "observation",
            18,
            "thousand containers/week",
            "2024",
            "Posorja",
            "El Universo via AmericaEconomia",
            "DP World Posorja record year",
            "2025",
            "",
            "955,728 containers in 2024 (paraphrase)",
            "medium",
            10,
            20,
        ),
        ev(
            "fig-antwerp-inspection",
            "observation",
            0.005,
            "share inspected",
            "2023",
            "Antwerp",
            "PBS NewsHour",
            "Antwerp port inspections",
            "2023",
            "",
            "fewer than 1 in 200 containers examined (paraphrase)",
            "medium",
            0.005,
            0.1,
            "Europol: 2-10% physically inspected in EU ports (2023).",
        ),
    ]
    for mode, (cap, fixed, per_km, p0, _speed, _) in MODES.items():
        caps = [r["capacity_kg_per_week"] for r in edges if r["mode"] == mode]
        costs = [r["cost_usd_per_kg"] for r in edges if r["mode"] == mode]
        dets = [r["base_detection"] for r in edges if r["mode"] == mode]
        rows.append(
            ev(
                f"net-capacity-{mode}",
                "assumption",
                cap,
                "kg/week",
                "",
                "",
                A,
                f"Weekly capacity of a {mode} edge",
                "2026",
                "",
                "An upper bound on what traffickers can move on one leg per week.",
                "low",
                min(caps + [cap]) * 0.5,
                max(caps + [cap]) * 2,
            )
        )
        rows.append(
            ev(
                f"net-cost-{mode}",
                "assumption",
                fixed,
                "USD/kg",
                "",
                "",
                A,
                f"Cost per kg of a {mode} leg ({fixed} + {per_km}/km)",
                "2026",
                "",
                "Transport, wages and bribes; consistent with prices rising from ~2,000 "
                "USD/kg in Ecuador to ~12,000 in Mexico.",
                "low",
                round(min(costs + [fixed]) * 0.5, 1),
                round(max(costs) * 1.5, 1),
            )
        )
        rows.append(
            ev(
                f"net-detection-{mode}",
                "assumption",
                p0,
                "probability",
                "",
                "",
                A,
                f"Detection of a {mode} shipment with no dedicated effort",
                "2026",
                "",
                "Chance detections (tips, routine checks); dedicated effort is modelled "
                "by the agencies.",
                "low",
                0.0,
                max(dets) * 3,
            )
        )
    rows += [
        ev(
            "mkt-demand-us",
            "assumption",
            300,
            "t/year",
            "2019",
            "United States",
            A,
            "US cocaine consumption (pure)",
            "2026",
            "",
            "Order of magnitude consistent with flows and seizures; RAND's estimates are lower.",
            "low",
            145,
            450,
        ),
        ev(
            "mkt-demand-eu",
            "assumption",
            300,
            "t/year",
            "2019",
            "Europe",
            A,
            "European cocaine consumption (pure)",
            "2026",
            "",
            "European seizures exceed North America's for five years (WDR2025).",
            "low",
            150,
            450,
        ),
        ev(
            "mkt-demand-latam",
            "assumption",
            250,
            "t/year",
            "2019",
            "South America",
            A,
            "South American consumption incl. Brazil",
            "2026",
            "",
            "Brazil and the Southern Cone are large consumer markets.",
            "low",
            100,
            400,
        ),
        ev(
            "mkt-demand-asia",
            "assumption",
            40,
            "t/year",
            "2019",
            "Asia and Oceania",
            A,
            "Asia–Oceania consumption",
            "2026",
            "",
            "A small, very high-priced market.",
            "low",
            10,
            80,
        ),
        ev(
            "price-us-wholesale",
            "observation",
            28000,
            "USD/kg",
            "2017-2026",
            "United States",
            "Albuquerque Journal; EFE",
            "US wholesale cocaine price",
            "2026-02-21",
            "",
            "Ecuadorian police value 1.25 t at $37.2M in the US (~$29,760/kg) (paraphrase)",
            "medium",
            20000,
            35000,
        ),
        ev(
            "price-eu-wholesale",
            "observation",
            40000,
            "USD/kg",
            "2020-2026",
            "Europe",
            "EFE; Belgian finance ministry",
            "European wholesale cocaine price",
            "2026-02-21",
            "",
            "1.25 t valued at $58M in Europe (~$46,400/kg) (paraphrase)",
            "medium",
            30000,
            50000,
        ),
        ev(
            "price-latam-wholesale",
            "assumption",
            5000,
            "USD/kg",
            "2020",
            "South America",
            A,
            "Wholesale price in South American consumer markets",
            "2026",
            "",
            "Between Ecuador (~2,000 USD/kg) and US prices.",
            "low",
            2500,
            8000,
        ),
        ev(
            "price-oceania-wholesale",
            "observation",
            150000,
            "USD/kg",
            "2023-2025",
            "Asia-Oceania",
            "SENAN Panama; El Universo",
            "Asia–Oceania cocaine prices",
            "2025",
            "",
            "up to $250k/kg in Oceania (SENAN, paraphrase)",
            "low",
            100000,
            250000,
        ),
        ev(
            "price-ec-2024",
            "observation",
            2012,
            "USD/kg",
            "2024",
            "Ecuador",
            "Ecuavisa",
            "Police valuation of a seizure",
            "2024-09-30",
            "",
            "96 kg valued at $193,200 in Ecuador",
            "medium",
            2000,
            2300,
        ),
        ev(
            "wdr2022-price-co-2019",
            "observation",
            1491,
            "USD/kg",
            "2019",
            "Colombia",
            "UNODC WDR2022 via The Economist",
            "Wholesale cocaine price in Colombia",
            "2022-10-25",
            "",
            "UNODC 2019 wholesale price: Colombia $1,491/kg (paraphrase)",
            "medium",
            1000,
            2500,
        ),
        ev(
            "country-population",
            "estimate",
            17.6e6,
            "people",
            "2020",
            "all",
            "UN DESA",
            "World Population Prospects 2022 (rounded)",
            "2022",
            "",
            "2020 populations rounded to three figures",
            "medium",
            1.0e6,
            400e6,
            "Value shown is Ecuador; rounded from memory of WPP 2022, ±3%.",
        ),
        ev(
            "country-base-homicide",
            "assumption",
            5.5,
            "per 100k/yr",
            "2015-2017",
            "all",
            A,
            "Homicide rate not driven by the cocaine trade",
            "2026",
            "",
            "For Ecuador, the 2015-2017 rate before the surge; others approximate national levels.",
            "low",
            0.5,
            35,
        ),
    ]
    # Ecuador homicide rate (observed series, calibration target)
    hom = [
        (2015, 6.4, "Cuenca Highlife citing the interior ministry", 5.7, 6.5),
        (2016, 5.8, "Fuentes (Jan 2017)", 5.6, 5.8),
        (2017, 5.6, "Police via La Calle", 5.6, 5.8),
        (2019, 6.9, "Igarapé / Statista", 6.7, 7.0),
        (2020, 7.8, "Police (1,372 homicides)", 7.5, 8.0),
        (2021, 14.0, "AFP via pledgetimes", 13.5, 14.5),
        (2022, 25.5, "Police via La Calle", 25.5, 26.7),
        (2023, 44.5, "InSight Crime (EFE)", 43.2, 47.3),
        (2024, 38.8, "vtv", 38.0, 39.0),
    ]
    for y, v, pub, lo, hi in hom:
        rows.append(
            ev(
                f"ec-homicide-rate-{y}",
                "observation",
                v,
                "per 100k",
                str(y),
                "Ecuador",
                pub,
                f"Ecuador intentional homicide rate {y}",
                str(y + 1),
                "",
                para,
                "medium",
                lo,
                hi,
                "Sources differ by a few tenths; the middle figure is used.",
            )
        )
    # Ecuador police seizures (all drugs, mostly cocaine) 2020-2024
    pol = [
        (2020, 128, "AP", 120, 128),
        (2021, 210, "AFP", 190, 210),
        (2022, 201, "AP", 201, 220),
        (2023, 211, "AP", 211, 219.2),
        (2024, 294.6, "EFE via proceso.hn", 277, 294.6),
    ]
    for y, v, pub, lo, hi in pol:
        rows.append(
            ev(
                f"ec-police-seizures-{y}",
                "observation",
                v,
                "t",
                str(y),
                "Ecuador",
                pub,
                f"Ecuador police drug seizures {y}",
                str(y + 1),
                "",
                para,
                "medium",
                lo,
                hi,
                "All drugs, mostly cocaine; higher than UNODC's cocaine-only series.",
            )
        )
    # UNODC seizures 2015-2020 for calibration countries (from shared/evidence CSV)
    wanted = {
        "ECU": "EC",
        "COL": "CO",
        "PER": "PE",
        "PAN": "PA",
        "USA": "US",
        "BEL": "BE",
        "NLD": "NL",
        "ESP": "ES",
    }
    if SHARED.exists():
        with SHARED.open() as fh:
            for r in csv.DictReader(fh):
                code = wanted.get(r["iso3"])
                y = int(r["year"])
                if code and 2015 <= y <= 2020:
                    t = float(r["total_kg"]) / 1000
                    note = (
                        "Looks incomplete: police reported 79 t in 2019."
                        if code == "EC" and y == 2019
                        else ""
                    )
                    rows.append(
                        ev(
                            f"unodc-seiz-{code.lower()}-{y}",
                            "observation",
                            round(t, 1),
                            "t",
                            str(y),
                            r["country"],
                            "UNODC",
                            "Annual drug seizure data (republished)",
                            str(y + 2),
                            "",
                            "cocaine salts, base/paste and other forms summed",
                            "high",
                            round(t * 0.9, 1),
                            round(max(t * 1.1, 79 if note else 0), 1),
                            note,
                        )
                    )
    return rows


# Transit-zone basin of sea nodes, to split departures to sea as SOUTHCOM reports them
# (Eastern Pacific against Caribbean); the Atlantic route to Africa and Europe is not
# part of that split.
BASINS = {
    "sea-pac-colombia": "eastern-pacific",
    "sea-pac-galapagos": "eastern-pacific",
    "sea-pac-central-america": "eastern-pacific",
    "sea-pac-mexico": "eastern-pacific",
    "sea-caribbean": "caribbean",
}


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    nodes = [
        dict(
            id=n[0],
            name=n[1],
            kind=n[2],
            country=n[3],
            lat=n[4],
            lon=n[5],
            population="" if n[6] is None else n[6],
            production_share="" if n[7] is None else n[7],
            ref=n[8],
            basin=BASINS.get(n[0], ""),
        )
        for n in NODES
    ]
    edges = build_edges()
    write(NET / "nodes.csv", nodes)
    write(NET / "edges.csv", edges)
    write(NET / "production.csv", production_rows())
    write(NET / "markets.csv", MARKETS)
    write(
        NET / "countries.csv",
        [
            dict(
                iso2=c,
                name=n,
                population=int(p),
                base_homicide_rate=r,
                ref="country-population;country-base-homicide",
            )
            for c, n, p, r in COUNTRIES
        ],
    )
    rows = evidence_rows(edges)
    extra = ROOT / "tools" / "model_evidence.csv"
    if extra.exists():
        with extra.open(newline="", encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    # The committed table is the reference: entries have been added and revised by hand
    # since this script first wrote it, so it only adds the entries it knows and the
    # table lacks, and never rewrites or drops one.
    with EVIDENCE.open(newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    known = {r["id"] for r in table}
    added = [r for r in rows if r["id"] not in known]
    if added:
        with EVIDENCE.open("a", newline="", encoding="utf-8") as fh:
            csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n").writerows(added)
    print(f"{len(nodes)} nodes, {len(edges)} edges, {len(added)} evidence entries added")


if __name__ == "__main__":
    main()
