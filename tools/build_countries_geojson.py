"""Build src/corredor/data/geo/countries.geojson from Natural Earth 1:110m (naturalearth_lowres).

Run in a throwaway venv: pip install geopandas==0.14.4 pyshp pycountry shapely
    python build_countries.py OUT.geojson
"""

from __future__ import annotations

import json
import sys
from importlib import resources

import pycountry
import shapefile
from shapely.geometry import box, mapping, shape
from shapely.ops import unary_union

BBOX = box(-130.0, -60.0, 45.0, 65.0)
EXTRA = {"AUS"}  # Asia-Oceania market
# Natural Earth rows without a proper ISO 3166-1 alpha-3 code, mapped by name.
BY_NAME = {
    "France": "FRA",
    "Norway": "NOR",
    "Kosovo": "XKX",  # user-assigned code, as used by the EU and the IMF
    "N. Cyprus": "CYP",  # merged into Cyprus
    "Somaliland": "SOM",  # merged into Somalia
}
ISO2_EXTRA = {"XKX": "XK"}


def rnd(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 2), round(coords[1], 2)]
    out = [rnd(c) for c in coords]
    if out and isinstance(out[0][0], float):  # a ring: drop repeats made by rounding
        out = [p for i, p in enumerate(out) if i == 0 or p != out[i - 1]]
    return out


def main(out: str) -> None:
    src = resources.files("geopandas") / "datasets" / "naturalearth_lowres"
    reader = shapefile.Reader(str(src / "naturalearth_lowres.shp"))
    groups: dict[str, list] = {}
    names: dict[str, str] = {}
    for sr in reader.shapeRecords():
        rec = sr.record.as_dict()
        iso3 = rec["iso_a3"]
        if rec["name"] in BY_NAME:
            iso3 = BY_NAME[rec["name"]]
        elif iso3 == "-99" or pycountry.countries.get(alpha_3=iso3) is None:
            print("skipped (no ISO code):", rec["name"], iso3)
            continue
        geom = shape(sr.shape.__geo_interface__)
        groups.setdefault(iso3, []).append(geom)
        if rec["name"] not in ("N. Cyprus", "Somaliland"):
            names[iso3] = rec["name"]
    features = []
    for iso3, geoms in sorted(groups.items()):
        geom = geoms[0] if len(geoms) == 1 else unary_union(geoms)
        if not (geom.intersects(BBOX) or iso3 in EXTRA):
            continue
        iso2 = ISO2_EXTRA.get(iso3) or pycountry.countries.get(alpha_3=iso3).alpha_2
        g = mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"iso2": iso2, "iso3": iso3, "name": names[iso3]},
                "geometry": {
                    "type": g["type"],
                    "coordinates": rnd(json.loads(json.dumps(g["coordinates"]))),
                },
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(f"{len(features)} countries, {len(text) // 1024} KB -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
