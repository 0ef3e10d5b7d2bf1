"""Results: labelled arrays (xarray) with provenance, tidy summaries and files.

Every result carries its scenario (name and the merged TOML), seed, replicates,
resolution and code version as dataset attributes.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from corredor.engine import MEANS, WEEKS_PER_YEAR, Compiled, Simulation
from corredor.limits import memory_available
from corredor.version import __version__, code_digest

# Pin the code digest to the code loaded with the model (see version.code_digest).
code_digest()

UNITS = {
    "produced_kg": ("kg", "potential production of pure cocaine HCl"),
    "delivered_kg": ("kg", "cocaine reaching consumer markets"),
    "consumed_kg": ("kg", "cocaine consumed by users in each consumer market"),
    "delivered_via_kg": (
        "kg",
        "cocaine reaching each consumer market, by the countries its last route crossed "
        "(counted once per country; dispatched week)",
    ),
    "arriving_kg": (
        "kg",
        "cocaine dispatched on routes to each consumer market that reaches the route's end "
        "(dispatched week: the denominator of delivered_via_kg's shares)",
    ),
    "seized_kg": ("kg", "cocaine seized, by country where the seizure is recorded"),
    "seized_origin_kg": (
        "kg",
        "the part of seized_kg taken at origin (labs, stockpiles), by producing country",
    ),
    "destroyed_kg": (
        "kg",
        "cocaine destroyed in lethal strikes, by country of the striking agency",
    ),
    "lost_kg": ("kg", "cocaine lost in transit (sinking, jettison, spoilage) or from stocks"),
    "stock_kg": (
        "kg",
        "cocaine held at production areas and markets or in transit, end of period",
    ),
    "flow_kg": ("kg", "cocaine entering each edge"),
    "interdicted_kg": ("kg", "cocaine seized or destroyed on each edge"),
    "corridor_kg": ("kg", "cocaine dispatched, by departure country of its route"),
    "transit_kg": ("kg", "cocaine entering a country's nodes (origin country included)"),
    "transit_by_origin_kg": ("kg", "transit_kg split by the producing country of the cocaine"),
    "price_usd_per_kg": ("USD/kg", "wholesale price in each consumer market (period mean)"),
    "trade_price_usd_per_kg": (
        "USD/kg",
        "price where cocaine changes hands: production areas, hand-offs, consumer markets "
        "(period mean)",
    ),
    "trade_stock_kg": ("kg", "stock held at each trading node (period mean)"),
    "shipped_share": ("1/week", "share of the stock at each trading node sent off per week"),
    "homicides": ("people", "homicides attributed to the cocaine trade at each node"),
    "homicides_country": ("people", "all homicides in a country (trade-driven plus base rate)"),
    "group_profit_usd": ("USD", "expected profit of each group on shipments sent"),
    "strikes": ("strikes", "lethal strikes on trafficking vessels"),
    "deaths_crew": ("people", "trafficking crew killed in strikes"),
    "deaths_misidentified": ("people", "people killed in strikes on vessels not trafficking"),
    "cost_usd": ("USD", "spending on interdiction by agency, container inspection and treatment"),
}


def build_dataset(sim: Simulation, data: dict[str, np.ndarray]) -> xr.Dataset:
    """Wrap recorded arrays with coordinates and provenance."""
    c: Compiled = sim.c
    scenario = sim.scenario
    net = scenario.network
    if sim.resolution == "week":
        years = sim.years
        week = np.tile(np.arange(WEEKS_PER_YEAR), scenario.end - scenario.start + 1)
        time = pd.to_datetime([f"{y}-01-01" for y in years]) + pd.to_timedelta(week * 7, unit="D")
    else:
        years = np.arange(scenario.start, scenario.end + 1)
        time = pd.to_datetime([f"{y}-01-01" for y in years])
    dims = {
        "produced_kg": ("area",),
        "delivered_kg": ("market",),
        "consumed_kg": ("market",),
        "delivered_via_kg": ("market", "country"),
        "arriving_kg": ("market",),
        "seized_kg": ("country",),
        "seized_origin_kg": ("country",),
        "destroyed_kg": ("country",),
        "lost_kg": (),
        "stock_kg": (),
        "flow_kg": ("edge",),
        "interdicted_kg": ("edge",),
        "corridor_kg": ("corridor",),
        "transit_kg": ("country",),
        "transit_by_origin_kg": ("origin", "country"),
        "price_usd_per_kg": ("market",),
        "trade_price_usd_per_kg": ("trade_node",),
        "trade_stock_kg": ("trade_node",),
        "shipped_share": ("trade_node",),
        "homicides": ("node",),
        "homicides_country": ("country",),
        "group_profit_usd": ("group",),
        "strikes": ("country",),
        "deaths_crew": ("country",),
        "deaths_misidentified": ("country",),
        "cost_usd": ("payer",),
    }
    variables = {}
    for name, arr in data.items():
        unit, doc = UNITS[name]
        variables[name] = xr.Variable(
            ("replicate", "time", *dims[name]), arr, attrs={"units": unit, "description": doc}
        )
    nodes = net.nodes
    coords = {
        "replicate": np.arange(sim.R),
        "time": time,
        "year": ("time", np.asarray(years, dtype=np.int64)),
        "area": c.areas,
        "area_country": ("area", [net.node(a).country for a in c.areas]),
        "market": c.markets,
        "market_name": ("market", [net.node(m).name for m in c.markets]),
        "trade_node": c.trade_nodes,
        "trade_node_role": (
            "trade_node",
            ["production"] * len(c.areas)
            + ["wholesale"] * len(c.wholesale)
            + ["retail"] * len(c.markets),
        ),
        "trade_node_country": ("trade_node", [net.node(n).country for n in c.trade_nodes]),
        "trade_node_ref_price": ("trade_node", c.trade_ref_price),
        "country": c.countries,
        "origin": c.producers,
        "corridor": c.routes.corridor_labels,
        "group": c.groups,
        "payer": sim.payers,
        "node": [n.id for n in nodes],
        "node_name": ("node", [n.name for n in nodes]),
        "node_kind": ("node", [n.kind for n in nodes]),
        "node_country": ("node", [n.country for n in nodes]),
        "node_lat": ("node", [n.lat for n in nodes]),
        "node_lon": ("node", [n.lon for n in nodes]),
        "node_basin": ("node", [n.basin for n in nodes]),
        "edge": [e.id for e in net.edges],
        "edge_from": ("edge", [e.from_ for e in net.edges]),
        "edge_to": ("edge", [e.to for e in net.edges]),
        "edge_mode": ("edge", [e.mode for e in net.edges]),
        "edge_jurisdiction": ("edge", [net.jurisdiction(e) for e in net.edges]),
        "edge_capacity_kg_per_week": ("edge", net.edge_array("capacity_kg_per_week")),
        # the searched domain of each leg (domains.csv), "" where none is declared
        "edge_domain": (
            "edge",
            [(lambda d: d[1].split("/")[0] if d else "")(net.edge_domain(e)) for e in net.edges],
        ),
    }
    raw = {k: v for k, v in scenario.raw.items() if not k.startswith("_")}
    attrs = {
        "title": f"Corredor results: {scenario.title}",
        "scenario": scenario.name,
        "scenario_file": scenario.file,
        "scenario_json": json.dumps(raw, sort_keys=True, default=str),
        "parameters_json": json.dumps(scenario.params.as_dict(), sort_keys=True),
        "network": net.name,
        "seed": int(sim.seed),
        "replicates": int(sim.R),
        "resolution": sim.resolution,
        "corredor_version": __version__,
        "initial_stock_kg_mean": float(np.mean(sim.initial_stock)),
        # how candidate routes were found: every simple path listed, or best-first
        # search where a pair had more than routes.max_enumerated (routes.py)
        "route_search": c.routes.search_note or "complete: every simple path listed",
        # fixed candidate routes, or how they evolved (routes.refresh_weeks, route_evolution)
        "route_refresh": sim.evolution.summary() if sim.evolution is not None else "fixed",
        "country_population_json": json.dumps({c.iso2: c.population for c in net.countries}),
    }
    ds = xr.Dataset(variables, coords=coords, attrs=attrs)
    ds["initial_stock_kg"] = xr.Variable(("replicate",), sim.initial_stock, {"units": "kg"})
    return ds


def write_netcdf(ds: xr.Dataset, path: Path, encoding: dict | None = None) -> None:
    """Write `ds` as NetCDF-4 (HDF5) to `path`.

    The file is built in memory when it fits comfortably, and its bytes then written by
    Python: the HDF5 library never meets a full disk itself, which it does not survive
    (a write error during the save ends in a segmentation fault when the file is closed).
    A result too large to copy in memory is written directly."""
    available = memory_available()
    if available is None or 3 * ds.nbytes < available:
        buf = io.BytesIO()
        ds.to_netcdf(buf, engine="h5netcdf", encoding=encoding)
        with open(path, "wb") as fh:
            fh.write(buf.getbuffer())
    else:
        ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)


def _annual(da: xr.DataArray) -> xr.DataArray:
    return da.groupby("year").sum("time")


# Statistics across replicates in tidy summaries: a run reports the mean and a 90% band;
# an ensemble (parameter draws) the median with 50% and 90% intervals.
STATS = {
    "run": {"mean": "mean", "p05": 0.05, "p95": 0.95},
    "ensemble": {"median": 0.5, "p05": 0.05, "p25": 0.25, "p75": 0.75, "p95": 0.95},
}


def _quantiles(df: pd.DataFrame, metric: str, stats: str = "run") -> pd.DataFrame:
    g = df.groupby(["year", "region"])["value"]
    out = pd.DataFrame(
        {k: (g.mean() if q == "mean" else g.quantile(q)) for k, q in STATS[stats].items()}
    ).reset_index()
    out.insert(1, "metric", metric)
    return out


def _tidy(
    da: xr.DataArray, region_dim: str | None, metric: str, labels=None, stats: str = "run"
) -> pd.DataFrame:
    if region_dim is None:
        df = da.to_dataframe(name="value").reset_index()
        df["region"] = "world"
    else:
        df = da.to_dataframe(name="value").reset_index().rename(columns={region_dim: "region"})
        if labels is not None:
            df["region"] = df["region"].map(labels).fillna(df["region"])
    return _quantiles(df[["year", "region", "replicate", "value"]], metric, stats)


_tidy_module = _tidy


# results.nc compresses every variable losslessly (zlib with byte shuffling: the mostly
# zero strike, death and per-edge arrays shrink several-fold) and stores per-edge arrays
# as float32 (kg to 7 significant digits, far finer than the model's precision).
COMPRESSION = {"zlib": True, "complevel": 4, "shuffle": True}


def encoding(ds: xr.Dataset) -> dict[str, dict]:
    """The netCDF encoding of each data variable for `Results.save`."""
    out = {}
    for name, var in ds.data_vars.items():
        enc = dict(COMPRESSION) if var.ndim else {}
        if "edge" in var.dims and var.dtype.kind == "f":
            enc["dtype"] = "float32"
        out[name] = enc
    return out


class Results:
    """The outcome of a run: `.data` is the xarray Dataset."""

    def __init__(self, data: xr.Dataset, timings: dict[str, float] | None = None) -> None:
        self.data = data
        # Seconds spent in each phase of the weekly step, when the run was profiled.
        self.timings = timings

    @property
    def scenario(self) -> str:
        return str(self.data.attrs.get("scenario", ""))

    # -- what a notebook shows ---------------------------------------------------------------

    def key_totals(self) -> list[tuple[str, float, float, float, str]]:
        """Totals over the whole period, across replicates: (label, mean, p05, p95, unit)
        for production, seizures, strike losses, deliveries, Ecuador's transit and
        homicides, and deaths in strikes (those the results hold)."""
        ds = self.data
        rows = []
        specs = (
            ("produced", "produced_kg", None, 1e-3, "t"),
            ("seized", "seized_kg", None, 1e-3, "t"),
            ("destroyed in strikes", "destroyed_kg", None, 1e-3, "t"),
            ("delivered to consumers", "delivered_kg", None, 1e-3, "t"),
            ("through Ecuador", "transit_kg", "EC", 1e-3, "t"),
            ("homicides in Ecuador", "homicides_country", "EC", 1.0, "people"),
            ("crew killed in strikes", "deaths_crew", None, 1.0, "people"),
        )
        for label, name, country, scale, unit in specs:
            if name not in ds:
                continue
            da = ds[name]
            if country is not None:
                if "country" not in da.dims or country not in da["country"].values:
                    continue
                da = da.sel(country=country)
            per_run = da.sum([d for d in da.dims if d != "replicate"]) * scale
            values = np.atleast_1d(np.asarray(per_run.values, dtype=float))
            rows.append(
                (
                    label,
                    float(values.mean()),
                    float(np.quantile(values, 0.05)),
                    float(np.quantile(values, 0.95)),
                    unit,
                )
            )
        return rows

    def _headline(self) -> tuple[str, str]:
        ds = self.data
        years = np.asarray(ds["year"].values) if "year" in ds.coords else np.array([])
        span = f"{years.min()}–{years.max()}" if years.size else "no years"
        reps = int(ds.sizes.get("replicate", 1))
        title = str(ds.attrs.get("title", "")).removeprefix("Corredor results: ")
        parts = [
            f"{span}",
            f"{reps} replicate{'s' if reps != 1 else ''}",
            f"seed {ds.attrs.get('seed', '?')}",
            f"{ds.attrs.get('resolution', '?')}ly" if ds.attrs.get("resolution") else "",
        ]
        if ds.attrs.get("draws"):
            parts.insert(1, f"{ds.attrs['draws']} parameter draws")
        return f"{self.scenario or 'results'}: {title}", ", ".join(p for p in parts if p)

    def __repr__(self) -> str:
        from corredor.numbers import human

        head, what = self._headline()
        lines = [f"<Results {head}>", f"  {what}", "  totals over the period (mean [5%–95%]):"]
        reps = int(self.data.sizes.get("replicate", 1))
        for label, mean, lo, hi, unit in self.key_totals():
            band = f" [{human(lo)}–{human(hi)}]" if reps > 1 else ""
            lines.append(f"    {label}: {human(mean, unit)}{band}")
        lines.append("  .data (xarray), .summary(), .annual(name), .plot(kind), .save(dir)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        from corredor.numbers import human

        head, what = self._headline()
        reps = int(self.data.sizes.get("replicate", 1))
        rows = "".join(
            f"<tr><td style='text-align:left'>{escape(label)}</td>"
            f"<td style='text-align:right'>{escape(human(mean))}</td>"
            + (
                f"<td style='text-align:right'>{escape(human(lo))}–{escape(human(hi))}</td>"
                if reps > 1
                else ""
            )
            + f"<td style='text-align:left'>{escape(unit)}</td></tr>"
            for label, mean, lo, hi, unit in self.key_totals()
        )
        band = "<th>5%–95%</th>" if reps > 1 else ""
        return (
            f"<div><strong>{escape(head)}</strong><br><span>{escape(what)}</span>"
            "<table><thead><tr><th style='text-align:left'>total over the period</th>"
            f"<th>mean</th>{band}<th></th></tr></thead><tbody>{rows}</tbody></table>"
            "<span style='color:#777;font-size:smaller'>.data (xarray), .summary(), "
            ".annual(name), .plot(kind), .save(dir)</span></div>"
        )

    def plot(self, kind: str = "map", **kw):
        """A matplotlib Figure of the results: "map" (mean flow per edge, with an inset
        of the Ecuador–Colombia–Peru corridor), "corridors" (flows by departure
        country), "seizures" (per country, against the observed series) or "fan"
        (median, 50% and 90% bands across replicates of key series, against observed
        history). Save it with `fig.savefig("file.png")`.

        The figures live in `corredor.outputs.charts`; this method is the model layer's
        one door to them (docs/layout.md)."""
        from corredor.outputs.charts import results_figure

        summary = self.summary("ensemble") if kind == "fan" else None
        return results_figure(self.data, kind, summary=summary, **kw)

    def annual(self, name: str) -> xr.DataArray:
        """A variable summed by calendar year (levels like stock: last value)."""
        da = self.data[name]
        if name == "stock_kg":
            return da.groupby("year").last("time")
        if name in MEANS:
            return da.groupby("year").mean("time")
        return _annual(da)

    def summary(self, stats: str = "run") -> pd.DataFrame:
        """Tidy table: year, metric, region and statistics across replicates: mean, p05,
        p95 (`stats="run"`) or median, p05, p25, p75, p95 (`stats="ensemble"`)."""
        ds = self.data
        frames = []

        def _tidy(*args, **kw) -> pd.DataFrame:
            return _tidy_module(*args, stats=stats, **kw)

        produced = self.annual("produced_kg").groupby(ds["area_country"]).sum() / 1000.0
        frames.append(_tidy(produced, "area_country", "produced_t"))
        frames.append(_tidy(produced.sum("area_country"), None, "produced_t"))
        for name, metric in (
            ("seized_kg", "seized_t"),
            ("destroyed_kg", "destroyed_t"),
            ("transit_kg", "transit_t"),
        ):
            frames.append(_tidy(self.annual(name) / 1000.0, "country", metric))
        frames.append(_tidy(self.annual("seized_kg").sum("country") / 1000.0, None, "seized_t"))
        delivered = self.annual("delivered_kg") / 1000.0
        frames.append(_tidy(delivered, "market", "delivered_t"))
        frames.append(_tidy(delivered.sum("market"), None, "delivered_t"))
        if "consumed_kg" in ds:
            consumed = self.annual("consumed_kg") / 1000.0
            frames.append(_tidy(consumed, "market", "consumed_t"))
            frames.append(_tidy(consumed.sum("market"), None, "consumed_t"))
        frames.append(_tidy(self.annual("lost_kg") / 1000.0, None, "lost_t"))
        world = produced.sum("area_country")
        share = self.annual("transit_kg") / 1000.0 / world
        frames.append(_tidy(share, "country", "transit_share"))
        # share of one producing country's output passing through another: region "CO>EC"
        by_origin = self.annual("transit_by_origin_kg") / 1000.0
        for origin in ds["origin"].values:
            made = produced.sel(area_country=origin)
            part = by_origin.sel(origin=origin) / made
            df = _tidy(part, "country", "transit_share_of_origin")
            df["region"] = f"{origin}>" + df["region"]
            frames.append(df)
        frames += self._sea_departures(_tidy)
        frames += self._route_composition(_tidy, stats)
        frames.append(_tidy(self.annual("homicides_country"), "country", "homicides"))
        pop = self._population()
        if pop is not None:
            rate = self.annual("homicides_country") / pop * 1e5
            frames.append(_tidy(rate.where(pop > 0), "country", "homicide_rate"))
        frames.append(_tidy(self.annual("price_usd_per_kg"), "market", "price_usd_per_kg"))
        if "trade_price_usd_per_kg" in ds:
            prices = self.annual("trade_price_usd_per_kg")
            frames.append(_tidy(prices, "trade_node", "stage_price_usd_per_kg"))
        for name in ("strikes", "deaths_crew", "deaths_misidentified"):
            frames.append(_tidy(self.annual(name).sum("country"), None, name))
        first = next(iter(STATS[stats]))
        out = pd.concat(frames, ignore_index=True).dropna(subset=[first])
        return out.sort_values(["metric", "region", "year"]).reset_index(drop=True)

    def _sea_departures(self, tidy) -> list[pd.DataFrame]:
        """Tonnes leaving land for a sea node of each transit-zone basin, and each basin's
        share of them (`sea_departures_t`, `sea_departure_share`; region = basin)."""
        ds = self.data
        if "node_basin" not in ds.coords:
            return []
        basin = dict(zip(ds["node"].values, ds["node_basin"].values, strict=True))
        kind = dict(zip(ds["node"].values, ds["node_kind"].values, strict=True))
        dest = [
            basin[t] if kind[f] != "sea" else ""
            for f, t in zip(ds["edge_from"].values, ds["edge_to"].values, strict=True)
        ]
        if not any(dest):
            return []
        leg = xr.DataArray(dest, dims="edge", name="basin")
        flow = self.annual("flow_kg") / 1000.0
        by_basin = flow.where(leg != "").groupby(leg).sum("edge")
        by_basin = by_basin.sel(basin=[b for b in by_basin["basin"].values if b])
        total = by_basin.sum("basin")
        share = by_basin / total.where(total > 0)
        return [
            tidy(by_basin, "basin", "sea_departures_t"),
            tidy(share, "basin", "sea_departure_share"),
        ]

    def _route_composition(self, tidy, stats: str = "run") -> list[pd.DataFrame]:
        """How the trade goes, for the validation checks:

        - `delivered_via_share`, region "MARKET>CC": share of what reaches a consumer market
          whose last route crossed country CC (e.g. "mkt-us>MX");
        - `interdicted_share`, region a searched domain (e.g. "us-mx-border"): kg seized or
          destroyed on its legs over kg entering them;
        - `sea_removal_share`, region a basin or "transit-zone" (every basin): kg seized
          or destroyed on maritime legs touching the basin's sea nodes over the kg
          leaving land for them (`sea_departures_t`).
        """
        ds = self.data
        out = []
        if "delivered_via_kg" in ds:
            via = self.annual("delivered_via_kg")
            # both counted in the week of dispatch (a share of delivered_kg, counted at
            # delivery, exceeds 1 while the flow grows); files without it fall back
            total = self.annual("arriving_kg" if "arriving_kg" in ds else "delivered_kg")
            share = via / total.where(total > 0)
            df = share.to_dataframe(name="value").reset_index()
            df["region"] = df["market"].astype(str) + ">" + df["country"].astype(str)
            out.append(
                _quantiles(
                    df[["year", "region", "replicate", "value"]].dropna(subset=["value"]),
                    "delivered_via_share",
                    stats,
                )
            )
        flow = self.annual("flow_kg")
        removed = self.annual("interdicted_kg")
        if "edge_domain" in ds.coords:
            dom = ds["edge_domain"]
            labels = [d for d in dict.fromkeys(dom.values.tolist()) if d]
            for label in labels:
                on = dom == label
                f = flow.where(on).sum("edge")
                share = removed.where(on).sum("edge") / f.where(f > 0)
                out.append(tidy(share, None, "interdicted_share").assign(region=label))
        if "node_basin" in ds.coords:
            basin = dict(zip(ds["node"].values, ds["node_basin"].values, strict=True))
            kind = dict(zip(ds["node"].values, ds["node_kind"].values, strict=True))
            ends = list(zip(ds["edge_from"].values, ds["edge_to"].values, strict=True))
            maritime = [m in ("gofast", "semisub", "fishing") for m in ds["edge_mode"].values]
            basins = sorted({b for b in basin.values() if b})
            for name in [*basins, "transit-zone"]:
                wanted = basins if name == "transit-zone" else [name]
                touch = [
                    mar and (basin[f] in wanted or basin[t] in wanted)
                    for (f, t), mar in zip(ends, maritime, strict=True)
                ]
                enter = [kind[f] != "sea" and basin[t] in wanted for (f, t) in ends]
                if not any(enter):
                    continue
                touch_da = xr.DataArray(touch, dims="edge")
                enter_da = xr.DataArray(enter, dims="edge")
                entered = flow.where(enter_da).sum("edge")
                share = removed.where(touch_da).sum("edge") / entered.where(entered > 0)
                out.append(tidy(share, None, "sea_removal_share").assign(region=name))
        return out

    def _population(self) -> xr.DataArray | None:
        pops = self.data.attrs.get("country_population_json")
        if not pops:
            return None
        table = json.loads(pops)
        return xr.DataArray(
            [table.get(c, 0.0) for c in self.data["country"].values],
            coords={"country": self.data["country"].values},
            dims="country",
        )

    def save(self, outdir: str | Path) -> list[Path]:
        """Write results.nc and summary.csv into `outdir` (created); returns the paths.

        Files are written to a temporary directory first and moved into place only when
        all of them are complete, so a failure never leaves half-written output.
        """
        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        written = []
        with tempfile.TemporaryDirectory(dir=outdir, prefix=".tmp-") as tmp:
            tmp = Path(tmp)
            write_netcdf(self.data, tmp / "results.nc", encoding(self.data))
            self.summary().to_csv(tmp / "summary.csv", index=False, float_format="%.6g")
            for name in ("results.nc", "summary.csv"):
                shutil.move(tmp / name, outdir / name)
                written.append(outdir / name)
        return written

    @classmethod
    def load(cls, path: str | Path) -> Results:
        """Read results written by `save` (a directory or a results.nc file)."""
        path = Path(path)
        if path.is_dir():
            path = path / "results.nc"
        return cls(xr.load_dataset(path, engine="h5netcdf"))
