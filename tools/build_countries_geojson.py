"""Extract country outlines for the offline maps from Natural Earth (public domain).

Natural Earth 1:110m ships inside the geopandas 0.14.x wheel as `naturalearth_lowres`.
Run once (needs `pip download --no-deps geopandas==0.14.4` unzipped and `pyshp`):

    python tools/build_countries_geojson.py path/to/geopandas/datasets/naturalearth_lowres

Writes src/corredor/data/geo/countries.geojson (Americas, Europe, West Africa, Australia).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapefile  # pyshp

OUT = Path(__file__).resolve().parents[1] / "src/corredor/data/geo/countries.geojson"
BBOX = (-130.0, -60.0, 45.0, 65.0)  # lon_min, lat_min, lon_max, lat_max
ISO2 = {  # ISO 3166-1 alpha-3 to alpha-2 for the countries kept
    "ARG": "AR",
    "BOL": "BO",
    "BRA": "BR",
    "CHL": "CL",
    "COL": "CO",
    "ECU": "EC",
    "GUY": "GY",
    "PRY": "PY",
    "PER": "PE",
    "SUR": "SR",
    "URY": "UY",
    "VEN": "VE",
    "PAN": "PA",
    "CRI": "CR",
    "NIC": "NI",
    "HND": "HN",
    "SLV": "SV",
    "GTM": "GT",
    "BLZ": "BZ",
    "MEX": "MX",
    "USA": "US",
    "CAN": "CA",
    "CUB": "CU",
    "DOM": "DO",
    "HTI": "HT",
    "JAM": "JM",
    "PRI": "PR",
    "BHS": "BS",
    "TTO": "TT",
    "BEL": "BE",
    "NLD": "NL",
    "ESP": "ES",
    "DEU": "DE",
    "FRA": "FR",
    "PRT": "PT",
    "GBR": "GB",
    "IRL": "IE",
    "ITA": "IT",
    "CHE": "CH",
    "AUT": "AT",
    "POL": "PL",
    "CZE": "CZ",
    "DNK": "DK",
    "NOR": "NO",
    "SWE": "SE",
    "MAR": "MA",
    "DZA": "DZ",
    "TUN": "TN",
    "LBY": "LY",
    "MRT": "MR",
    "SEN": "SN",
    "GMB": "GM",
    "GNB": "GW",
    "GIN": "GN",
    "SLE": "SL",
    "LBR": "LR",
    "CIV": "CI",
    "GHA": "GH",
    "TGO": "TG",
    "BEN": "BJ",
    "NGA": "NG",
    "MLI": "ML",
    "BFA": "BF",
    "NER": "NE",
    "ESH": "EH",
    "CMR": "CM",
    "AUS": "AU",
    "GRL": "GL",
    "FLK": "FK",
    "LUX": "LU",
    "ISL": "IS",
    "FIN": "FI",
    "EST": "EE",
    "LVA": "LV",
    "LTU": "LT",
    "SVK": "SK",
    "HUN": "HU",
    "SVN": "SI",
    "HRV": "HR",
    "ROU": "RO",
    "BGR": "BG",
    "GRC": "GR",
    "SRB": "RS",
    "BIH": "BA",
    "ALB": "AL",
    "MKD": "MK",
    "MNE": "ME",
    "BLR": "BY",
    "UKR": "UA",
    "MDA": "MD",
    "TCD": "TD",
    "GNQ": "GQ",
    "GAB": "GA",
    "EGY": "EG",
    "SDN": "SD",
    "TUR": "TR",
    "CYP": "CY",
}
BY_NAME = {"France": "FRA", "Norway": "NOR", "Kosovo": None, "N. Cyprus": None, "Somaliland": None}


def main(src: str) -> None:
    reader = shapefile.Reader(str(Path(src) / "naturalearth_lowres"))
    fields = [f[0] for f in reader.fields[1:]]
    features = []
    for sr in reader.shapeRecords():
        rec = dict(zip(fields, sr.record, strict=True))
        iso3 = rec["iso_a3"] if rec["iso_a3"] != "-99" else BY_NAME.get(rec["name"])
        if iso3 is None or iso3 not in ISO2:
            continue
        geom = sr.shape.__geo_interface__
        x0, y0, x1, y1 = sr.shape.bbox
        outside = x1 < BBOX[0] or x0 > BBOX[2] or y1 < BBOX[1] or y0 > BBOX[3]
        if outside and iso3 != "AUS":
            continue

        def rnd(obj):
            if isinstance(obj, (list, tuple)):
                if obj and isinstance(obj[0], float):
                    return [round(obj[0], 2), round(obj[1], 2)]
                return [rnd(o) for o in obj]
            return obj

        geom = {"type": geom["type"], "coordinates": rnd(geom["coordinates"])}
        features.append(
            {
                "type": "Feature",
                "geometry": geom,
                "properties": {"iso2": ISO2[iso3], "iso3": iso3, "name": rec["name"]},
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    )
    print(f"{len(features)} countries -> {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(sys.argv[1])
