"""Validation: one scorecard of what the model gets right and wrong, and how much each
result is worth.

Every check of the registry (`data/validation/checks.toml`) compares a simulated series
of `Results.summary()` with observed data or a published range, and carries a status:

- `fitted`: the data is in the calibration objective, so a good fit is in-sample;
- `blind`: never used to design or fit the model, a real test;
- `post hoc`: the model was changed after its builders had seen this data miss;
- `input`: the data is (nearly) a model input, so the check is circular and does not
  count.

Observed seizures are bulk weights, the model's quantities pure cocaine hydrochloride:
observed `seized_t` is converted to pure equivalents with the sourced purity of
`data/history/purity.csv` (`history.pure_equivalent`), and the scorecard shows the
factor and the bulk value.

A scorecard is computed from a run (`score`) or by running a scenario (`validate`). With
parameter draws, the intervals are those of the ensemble, and each row says whether the
point run lies inside the ensemble's 50% band.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from corredor.errors import CorredorError, check_out_dir
from corredor.evidence import default_evidence
from corredor.history import SERIES, load_history, pure_equivalent
from corredor.results import Results
from corredor.scenario import Scenario, load_scenario
from corredor.version import __version__

STATUSES = ("fitted", "blind", "post hoc", "input")
# What each status is worth, in the scorecard's words.
STATUS_MEANING = {
    "fitted": "in the calibration objective: an in-sample fit",
    "blind": "never used to design or fit the model: a real test",
    "post hoc": "the model was changed after this data had been seen to miss",
    "input": "the data is a model input: circular, does not count",
}
METRICS = ("MAPE %", "in range", "ratio", "at least", "share in range", "years at bound")
# Observed sources that are not a history series or one evidence entry:
#   "prices"  the stage prices of data/validation/prices.csv (metric "share in range")
#   "model"   the model's own guards (metric "years at bound")
SPECIAL_SOURCES = ("prices", "model")
OPTIONAL = ("low", "high")  # a range written in the check, instead of the source's
FIELDS = (
    "id",
    "title",
    "series",
    "region",
    "years",
    "observed",
    "metric",
    "threshold",
    "status",
    "registered",
    "bears_on",
    "note",
    "caveat",
)
COLUMNS = [
    "check",
    "title",
    "series",
    "region",
    "source",
    "years",
    "simulated",
    "sim_low",
    "sim_high",
    "observed",
    "obs_low",
    "obs_high",
    "metric",
    "threshold",
    "score",
    "passed",
    "status",
    "bears_on",
    "note",
    "observed_bulk",
    "purity",
    "caveat",
]
DEFAULT_REPLICATES = 8  # as the calibration report's final run


def registry_path() -> Path:
    return Path(str(resources.files("corredor") / "data" / "validation" / "checks.toml"))


@dataclass(frozen=True)
class Check:
    """One registered comparison of a simulated series with observations."""

    id: str
    title: str
    series: str
    region: str
    first: int
    last: int
    observed: str  # "history" or an evidence id (value with a low-high range)
    metric: str
    threshold: float
    status: str
    registered: _dt.date
    bears_on: tuple[str, ...]
    note: str
    caveat: str
    low: float | None = None  # the range to fall in, when the check states its own
    high: float | None = None

    @property
    def years(self) -> str:
        return f"{self.first}" if self.first == self.last else f"{self.first}–{self.last}"


def load_checks(path: str | Path | None = None) -> list[Check]:
    """Read and validate the registry of checks (TOML, one [[check]] table each)."""
    path = Path(path) if path is not None else registry_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorredorError("file not found", file=path, fix="check the path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CorredorError(f"not valid TOML: {exc}", file=path, fix="fix the syntax") from None
    items = raw.get("check")
    if not isinstance(items, list) or not items:
        raise CorredorError("no [[check]] tables", file=path, fix="add checks")
    evidence = default_evidence()
    out: list[Check] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        # errors name the check by its id once it is known, else by its position
        label = f"check {item['id']!r}" if "id" in item else f"check {i}"

        def bad(what: str, name: str, fix: str, label: str = label) -> CorredorError:
            return CorredorError(what, file=path, field=f"{label}, {name}", fix=fix)

        missing = [k for k in FIELDS if k not in item]
        if missing:
            raise bad("missing", missing[0], f"add `{missing[0]} = ...`")
        extra = [k for k in item if k not in FIELDS and k not in OPTIONAL]
        if extra:
            raise bad("unknown field", extra[0], f"use only {', '.join(FIELDS)}")
        cid = str(item["id"])
        if cid in seen:
            raise bad("id appears twice", "id", "make ids unique")
        seen.add(cid)
        if item["series"] not in SERIES and item["series"] not in (
            "sea_departure_share",
            "sea_departures_t",
            "delivered_via_share",
            "interdicted_share",
            "sea_removal_share",
            "stage_price_usd_per_kg",
        ):
            raise bad(f"unknown series {item['series']!r}", "series", "use a summary metric")
        years = item["years"]
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) for y in years)
            or years[0] > years[1]
        ):
            raise bad(f"{years!r} is not [first, last]", "years", "write e.g. [2022, 2024]")
        if (
            item["observed"] not in ("history", *SPECIAL_SOURCES)
            and item["observed"] not in evidence
        ):
            raise bad(
                f"{item['observed']!r} is neither 'history' nor an evidence id",
                "observed",
                "cite an id listed by `corredor evidence`",
            )
        if item["metric"] not in METRICS:
            raise bad(f"unknown metric {item['metric']!r}", "metric", f"use one of {METRICS}")
        if item["status"] not in STATUSES:
            raise bad(f"unknown status {item['status']!r}", "status", f"use one of {STATUSES}")
        threshold = item["threshold"]
        if not isinstance(threshold, int | float) or threshold <= 0:
            raise bad(f"{threshold!r} is not a positive number", "threshold", "e.g. 30")
        if ("low" in item) != ("high" in item):
            raise bad("a range needs both low and high", "low", "give both, or neither")
        if item["metric"] == "ratio" and threshold < 1:
            raise bad("a ratio's threshold is a factor >= 1", "threshold", "e.g. 2")
        if not isinstance(item["registered"], _dt.date):
            raise bad("not a date", "registered", "write e.g. registered = 2026-12-03")
        bears = item["bears_on"]
        if not isinstance(bears, list) or not all(isinstance(b, str) for b in bears):
            raise bad("not a list of outcome keys", "bears_on", 'write e.g. ["seized_t"]')
        out.append(
            Check(
                id=cid,
                title=str(item["title"]),
                series=str(item["series"]),
                region=str(item["region"]),
                first=int(years[0]),
                last=int(years[1]),
                observed=str(item["observed"]),
                metric=str(item["metric"]),
                threshold=float(threshold),
                status=str(item["status"]),
                registered=item["registered"],
                bears_on=tuple(bears),
                note=str(item["note"]),
                caveat=str(item["caveat"]),
                low=float(item["low"]) if "low" in item else None,
                high=float(item["high"]) if "high" in item else None,
            )
        )
    return out


# Fields that define what a check measures; a blind check may not change them.
DEFINITION = (
    "series",
    "region",
    "first",
    "last",
    "observed",
    "metric",
    "threshold",
    "low",
    "high",
)


def registry_violations(versions: list[tuple[str, list[Check]]]) -> list[str]:
    """Breaches of the registry's rule across its successive versions (oldest first,
    each labelled, e.g. by commit): a status never returns to `blind`, a registered
    date never changes, and a blind check's definition never changes while it stays
    blind."""
    problems: list[str] = []
    seen: dict[str, Check] = {}
    ever_seen: dict[str, str] = {}  # id -> label of the version where it stopped being blind
    for label, checks in versions:
        for c in checks:
            old = seen.get(c.id)
            if c.status == "blind" and c.id in ever_seen:
                problems.append(f"{label}: {c.id} is blind again after being {ever_seen[c.id]}")
            if old is not None:
                if c.registered != old.registered:
                    problems.append(
                        f"{label}: {c.id} changed its registered date "
                        f"{old.registered} -> {c.registered}"
                    )
                if old.status == "blind" and c.status == "blind":
                    changed = [f for f in DEFINITION if getattr(c, f) != getattr(old, f)]
                    if changed:
                        problems.append(
                            f"{label}: blind check {c.id} changed its {', '.join(changed)}; "
                            "a changed check is post hoc"
                        )
            if c.status != "blind" and c.id not in ever_seen:
                ever_seen[c.id] = f"{c.status} in {label}"
            seen[c.id] = c
    return problems


# --- the scorecard -----------------------------------------------------------------------


def fmt(x: float) -> str:
    """A number for a scorecard cell: about three significant digits."""
    if x is None or not math.isfinite(float(x)):
        return "–"
    a = abs(x)
    if a >= 100 or (a >= 1 and float(x).is_integer()):
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:.3g}"
    return f"{x:.2g}" if a > 0 else "0"


@dataclass
class Scorecard:
    """The result of every check on one scenario: `table` has one row per check."""

    table: pd.DataFrame
    scenario: str = ""
    seed: int | None = None
    replicates: int = 0
    draws: int = 0
    skipped: list[str] = field(default_factory=list)  # checks the run could not evaluate
    detail: pd.DataFrame | None = None  # per year: check, year, simulated, observed, ...

    def counted(self) -> pd.DataFrame:
        """The checks that count (every status but `input`)."""
        return self.table[self.table.status != "input"]

    def summary(self) -> pd.DataFrame:
        """Checks and passes per status, in the order of STATUSES."""
        return status_summary(self.table)

    def failed_for(self, outcomes: list[str]) -> pd.DataFrame:
        """Failed checks that bear on any of these outcome keys (compare's OUTCOMES)."""
        wanted = set(outcomes)
        mask = [
            (not bool(p)) and bool(wanted & set(str(b).split(";")) - {""})
            for p, b in zip(self.table.passed, self.table.bears_on.fillna(""), strict=True)
        ]
        return self.table[mask]

    def caveats(self, outcomes: list[str]) -> dict[str, list[str]]:
        """Plain-words warnings per outcome key, from the failed checks bearing on it."""
        out: dict[str, list[str]] = {}
        failed = self.failed_for(outcomes)
        for outcome in outcomes:
            for _, r in failed.iterrows():
                if outcome in str(r.bears_on).split(";"):
                    out.setdefault(outcome, []).append(caveat_text(r))
        return out

    def save(self, out_dir: str | Path) -> list[Path]:
        """Write validation.csv, validation.md and a self-contained validation.html into
        `out_dir`; each file is written whole, then moved into place."""
        out_dir = Path(out_dir)
        check_out_dir(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        texts = {
            "validation.csv": self.table.to_csv(index=False, float_format="%.6g"),
            "validation.md": markdown(self),
            "validation.html": html_page(self),
        }
        written = []
        for name, text in texts.items():
            target = out_dir / name
            tmp = out_dir / f".{name}.tmp"
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
            written.append(target)
        return written


def status_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Checks, passes and failures per status (in the order of STATUSES)."""
    rows = []
    for status in STATUSES:
        sel = table[table.status == status]
        rows.append(
            dict(
                status=status,
                checks=len(sel),
                passed=int(sel.passed.astype(bool).sum()),
                failed=int((~sel.passed.astype(bool)).sum()),
                meaning=STATUS_MEANING[status],
            )
        )
    return pd.DataFrame(rows)


def load_scorecard(path: str | Path) -> Scorecard:
    """A scorecard read back from its validation.csv (e.g. the committed one)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorredorError(
            f"cannot read it ({exc})", file=path, fix="give a validation.csv"
        ) from None
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise CorredorError(
            f"column {missing[0]!r} is missing",
            file=path,
            fix="give a validation.csv written by `corredor validate`",
        )
    for col in ("purity", "note", "caveat", "bears_on", "source"):
        table[col] = table[col].fillna("").astype(str)
    table["passed"] = table["passed"].astype(str).str.lower().isin(("true", "1"))
    return Scorecard(table=table)


def caveat_text(row) -> str:
    """A failed check's caveat with its numbers filled in."""
    if row.metric == "in range":
        observed = f"{fmt(row.obs_low)}–{fmt(row.obs_high)}"
    else:
        observed = fmt(row.observed)
    values = dict(
        simulated=fmt(row.simulated),
        observed=observed,
        score=fmt(row.score),
        score_pct=f"{100 * float(row.score):.0f}%" if pd.notna(row.score) else "n/a",
        threshold=fmt(row.threshold),
        years=row.years,
    )
    try:
        text = str(row.caveat).format(**values)
    except (KeyError, IndexError, ValueError):
        text = str(row.caveat)
    return f"{text} (check {row.check}, {row.status})"


def _observations(check: Check, observed: pd.DataFrame) -> pd.DataFrame:
    """year, value, low, high, value_bulk, purity, purity_low, purity_high, ref rows."""
    evidence = default_evidence()
    years = range(check.first, check.last + 1)
    if check.observed != "history":
        e = evidence[check.observed]
        low = e.low if check.low is None else check.low
        high = e.high if check.high is None else check.high
        return pd.DataFrame(
            [
                dict(
                    year=y,
                    value=e.value,
                    low=low,
                    high=high,
                    value_bulk=np.nan,
                    purity=1.0,
                    purity_low=1.0,
                    purity_high=1.0,
                    purity_ref="",
                    ref=e.id,
                )
                for y in years
            ]
        )
    sel = observed[
        (observed.series == check.series)
        & (observed.region == check.region)
        & observed.year.between(check.first, check.last)
    ].copy()
    lows, highs = [], []
    for _, r in sel.iterrows():
        e = evidence.get(r.ref)
        bulk = r.value_bulk
        lo = min(e.low, bulk) if e is not None else bulk
        hi = max(e.high, bulk) if e is not None else bulk
        lows.append(lo * r.purity_low)
        highs.append(hi * r.purity_high)
    sel["low"], sel["high"] = lows, highs
    if not (sel.purity != 1.0).any():
        sel["value_bulk"] = np.nan
    return sel[
        [
            "year",
            "value",
            "low",
            "high",
            "value_bulk",
            "purity",
            "purity_low",
            "purity_high",
            "purity_ref",
            "ref",
        ]
    ]


def _summed(check: Check, obs, observed: pd.DataFrame, summary: pd.DataFrame):
    """Observations and simulated yearly means summed over the regions of "A+B+C"
    (years where every region has an observation)."""
    regions = check.region.split("+")
    years = range(check.first, check.last + 1)
    hist = observed[
        (observed.series == check.series)
        & observed.region.isin(regions)
        & observed.year.isin(years)
    ]
    complete = hist.groupby("year").region.nunique()
    complete = complete[complete == len(regions)].index
    hist = hist[hist.year.isin(complete)]
    agg = hist.groupby("year").agg(
        value=("value", "sum"), value_bulk=("value_bulk", "sum"), purity=("purity", "mean")
    )
    evidence = default_evidence()
    lo = (
        hist.assign(
            low=[
                min(evidence[r].low, b) * pl if r in evidence else b * pl
                for r, b, pl in zip(hist.ref, hist.value_bulk, hist.purity_low, strict=True)
            ],
            high=[
                max(evidence[r].high, b) * ph if r in evidence else b * ph
                for r, b, ph in zip(hist.ref, hist.value_bulk, hist.purity_high, strict=True)
            ],
        )
        .groupby("year")[["low", "high"]]
        .sum()
    )
    out = agg.join(lo).reset_index()
    first = hist.drop_duplicates("year").set_index("year")
    out["purity_low"] = out.year.map(first.purity_low)
    out["purity_high"] = out.year.map(first.purity_high)
    out["purity_ref"] = out.year.map(first.purity_ref)
    out["ref"] = ";".join(dict.fromkeys(hist.ref.astype(str)))
    stats = [c for c in ("mean", "p05", "p95") if c in summary.columns]
    sim = (
        summary[
            (summary.metric == check.series)
            & summary.region.isin(regions)
            & summary.year.between(check.first, check.last)
        ]
        .groupby("year")[stats]
        .sum()
    )
    return out, sim


def _stage_prices(results: Results) -> pd.DataFrame:
    """Replicate-mean yearly prices by trading node (year x node), and each node's
    reference price."""
    ds = results.data
    price = ds["trade_price_usd_per_kg"].groupby("year").mean("time").mean("replicate")
    return price.to_pandas(), dict(
        zip(ds["trade_node"].values, ds["trade_node_ref_price"].values, strict=True)
    )


def _special_row(check: Check, results: Results) -> dict | None:
    """Checks on stage prices, which the summary's one-region rows cannot express."""
    ds = getattr(results, "data", None)
    if ds is None or "trade_price_usd_per_kg" not in ds:
        return None
    prices, ref = _stage_prices(results)
    years = [y for y in prices.index if check.first <= y <= check.last]
    if not years:
        return None
    if check.metric == "years at bound":
        params = __import__("json").loads(ds.attrs.get("parameters_json", "{}"))
        floor, cap = params.get("markets.price_floor", 0.0), params.get("markets.price_cap", 1e9)
        at = {}
        for node in prices.columns:
            p = prices.loc[years, node] / ref[node]
            at[node] = int(((p <= 1.01 * floor) | (p >= 0.99 * cap)).sum())
        worst = max(at, key=at.get)
        value = float(at[worst])
        sim = obs = value
        lo = hi = value
        note = f"Most years at a bound: {worst} ({at[worst]}). " + check.note
        source = "model"
        passed = value <= check.threshold
        n_obs = len(at)
    else:
        evidence = default_evidence()
        table = pd.read_csv(Path(registry_path()).with_name("prices.csv"))
        table = table[table.year.between(check.first, check.last)]
        inside, sims, obs_v, lows, highs, refs = [], [], [], [], [], []
        for _, r in table.iterrows():
            if r.year not in prices.index:
                continue
            nodes = str(r.node).split("+")
            if not set(nodes) <= set(prices.columns):
                continue  # another network: these markets are not in it
            sim_p = float(prices.loc[r.year, nodes].mean())
            e = evidence[r.ref]
            lo, hi = e.low * r.usd_per_unit, e.high * r.usd_per_unit
            inside.append(lo <= sim_p <= hi)
            sims.append(sim_p)
            obs_v.append(e.value * r.usd_per_unit)
            lows.append(lo)
            highs.append(hi)
            refs.append(r.ref)
        if not inside:
            return None
        value = float(np.mean(inside))
        passed = value >= check.threshold
        sim, obs = float(np.mean(sims)), float(np.mean(obs_v))
        lo, hi = float(np.mean(lows)), float(np.mean(highs))
        source = ";".join(refs)
        n_obs = len(inside)
        note = f"{sum(inside)} of {n_obs} country-years inside their published range. " + (
            check.note
        )
    return dict(
        check=check.id,
        title=check.title,
        series=check.series,
        region=check.region,
        source=source,
        years=f"{min(years)}–{max(years)}" if min(years) != max(years) else f"{min(years)}",
        simulated=sim,
        sim_low=sim,
        sim_high=sim,
        observed=obs,
        obs_low=lo,
        obs_high=hi,
        metric=check.metric,
        threshold=check.threshold,
        score=value,
        passed=bool(passed),
        status=check.status,
        bears_on=";".join(check.bears_on),
        note=note,
        observed_bulk=np.nan,
        purity="",
        caveat=check.caveat,
    )


def _span(years: np.ndarray) -> str:
    first, last = int(years.min()), int(years.max())
    return f"{first}" if first == last else f"{first}–{last}"


def _origin_share(results: Results, region: str, first: int, last: int) -> float:
    """Share of a country's simulated seizures made at origin (labs, stockpiles)."""
    ds = results.data
    if "seized_origin_kg" not in ds or region not in ds["country"].values:
        return float("nan")
    years = ds["year"].values
    inside = (years >= first) & (years <= last)
    total = float(ds["seized_kg"].sel(country=region).isel(time=inside).sum())
    origin = float(ds["seized_origin_kg"].sel(country=region).isel(time=inside).sum())
    return origin / total if total > 0 else float("nan")


def score(
    results: Results,
    *,
    checks: list[Check] | None = None,
    observed: pd.DataFrame | None = None,
    ensemble: Results | None = None,
    scenario: str = "",
    seed: int | None = None,
    draws: int = 0,
) -> Scorecard:
    """Evaluate every check on a run (the point run) and, when given, the intervals of
    an ensemble of parameter draws. Checks whose years the run does not cover are
    listed in `skipped`."""
    checks = load_checks() if checks is None else checks
    observed = pure_equivalent(load_history()) if observed is None else observed
    summary = results.summary()
    ens = ensemble.summary("ensemble") if ensemble is not None else None
    rows, details, skipped = [], [], []
    for check in checks:
        if check.metric in ("share in range", "years at bound"):
            row = _special_row(check, results)
            if row is None:
                skipped.append(check.id)
            else:
                rows.append(row)
            continue
        obs = _observations(check, observed)
        if "+" in check.region:  # several regions together: sums of both sides
            obs, sim = _summed(check, obs, observed, summary)
        else:
            sim = summary[
                (summary.metric == check.series)
                & (summary.region == check.region)
                & summary.year.between(check.first, check.last)
            ].set_index("year")
        obs = obs[obs.year.isin(sim.index)]
        if obs.empty:
            skipped.append(check.id)
            continue
        years = obs.year.to_numpy()
        s_mean = sim.loc[years, "mean"].to_numpy(dtype=float)
        s_lo = sim.loc[years, "p05"].to_numpy(dtype=float)
        s_hi = sim.loc[years, "p95"].to_numpy(dtype=float)
        o = obs.value.to_numpy(dtype=float)
        o_lo, o_hi = obs.low.to_numpy(dtype=float), obs.high.to_numpy(dtype=float)
        if check.metric == "MAPE %":
            value = float(np.mean(np.abs(s_mean - o) / np.maximum(o, 1e-9)) * 100)
            passed = value <= check.threshold
        elif check.metric == "in range":
            inside = (s_mean >= o_lo) & (s_mean <= o_hi)
            value = float(inside.mean())
            passed = bool(inside.all())
        elif check.metric == "at least":
            value = float(s_mean.min())
            passed = bool((s_mean >= check.threshold).all())
        else:  # ratio
            value = float(s_mean.mean() / max(o.mean(), 1e-9))
            passed = 1.0 / check.threshold <= value <= check.threshold
        notes = [check.note]
        purity_text = ""
        bulk = obs.value_bulk.to_numpy(dtype=float)
        if np.isfinite(bulk).any():
            p = obs.iloc[0]
            purity_text = f"{p.purity:g} ({p.purity_low:g}–{p.purity_high:g})"
            notes.append(
                f"Observed bulk weights ×{p.purity:g} purity ({p.purity_low:g}–"
                f"{p.purity_high:g}, {p.purity_ref}) to pure equivalents."
            )
            if check.metric == "MAPE %":
                as_bulk = float(np.mean(np.abs(s_mean - bulk) / np.maximum(bulk, 1e-9)) * 100)
                notes.append(f"Against the bulk weights: MAPE {as_bulk:.1f}%.")
        if check.series == "seized_t" and check.region not in ("world",):
            share = _origin_share(results, check.region, check.first, check.last)
            if math.isfinite(share) and share >= 0.5:
                notes.append(f"{share:.0%} of the simulated seizures are made at origin.")
        row = dict(
            check=check.id,
            title=check.title,
            series=check.series,
            region=check.region,
            source=";".join(dict.fromkeys(obs.ref.astype(str))),
            # the years evaluated: the check's own, or those of them the run covers
            years=f"{years.min()}"
            if years.min() == years.max()
            else f"{years.min()}–{years.max()}",
            simulated=float(s_mean.mean()),
            sim_low=float(s_lo.mean()),
            sim_high=float(s_hi.mean()),
            observed=float(o.mean()),
            obs_low=float(o_lo.mean()),
            obs_high=float(o_hi.mean()),
            metric=check.metric,
            threshold=check.threshold,
            score=value,
            passed=bool(passed),
            status=check.status,
            bears_on=";".join(check.bears_on),
            note=" ".join(n for n in notes if n),
            observed_bulk=float(np.nanmean(bulk)) if np.isfinite(bulk).any() else np.nan,
            purity=purity_text,
            caveat=check.caveat,
        )
        if ens is not None:
            e = ens[
                (ens.metric == check.series) & (ens.region == check.region) & ens.year.isin(years)
            ].set_index("year")
            if len(e) == len(years):
                row["sim_low"] = float(e.loc[years, "p05"].mean())
                row["sim_high"] = float(e.loc[years, "p95"].mean())
                row["ens_median"] = float(e.loc[years, "median"].mean())
                row["ens_p25"] = float(e.loc[years, "p25"].mean())
                row["ens_p75"] = float(e.loc[years, "p75"].mean())
                row["in_ens_50"] = bool(row["ens_p25"] <= row["simulated"] <= row["ens_p75"])
        rows.append(row)
        for j, y in enumerate(years):
            details.append(
                dict(
                    check=check.id,
                    year=int(y),
                    simulated=s_mean[j],
                    sim_low=s_lo[j],
                    sim_high=s_hi[j],
                    observed=o[j],
                    obs_low=o_lo[j],
                    obs_high=o_hi[j],
                    observed_bulk=bulk[j],
                )
            )
    extra = [c for c in ("ens_median", "ens_p25", "ens_p75", "in_ens_50") if ensemble]
    table = pd.DataFrame(rows, columns=COLUMNS + extra)
    table["passed"] = table["passed"].astype(bool)
    return Scorecard(
        table=table,
        scenario=scenario or results.scenario,
        seed=seed,
        replicates=int(results.data.sizes.get("replicate", 0)),
        draws=draws,
        skipped=skipped,
        detail=pd.DataFrame(details),
    )


def validate(
    scenario: str | Path | Scenario = "baseline",
    draws: int = 0,
    seed: int = 1,
    replicates: int | None = None,
    executor=None,
    progress: Callable[[str], None] | None = None,
) -> Scorecard:
    """Run `scenario` over the checks' years and score every registered check.

    `replicates` (default 8) stochastic replicates of the scenario's own values make the
    point run; with `draws` > 0 the scenario also runs `draws` parameter draws from the
    evidence ranges (`replicates` per draw, default 1; on `executor` when given) and the
    intervals become the ensemble's. `progress` receives short status messages."""
    from corredor.api import run

    if draws < 0:
        raise CorredorError("must not be negative", field="--draws", fix="use 0 or more")
    if replicates is not None and replicates < 1:
        raise CorredorError("must be at least 1", field="--replicates", fix="use 1 or more")
    if seed < 0:
        raise CorredorError("must not be negative", field="--seed", fix="use 0 or more")
    say = progress or (lambda _: None)
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    checks = load_checks()
    observed = pure_equivalent(load_history())
    last = max(c.last for c in checks)
    if sc.start > last:
        raise CorredorError(
            f"scenario {sc.name!r} starts in {sc.start}, after every check's years",
            field="scenario",
            fix="validate a scenario that covers the observed history (e.g. baseline)",
        )
    period = sc.with_period(end=min(sc.end, last))
    point_reps = replicates if (replicates and not draws) else DEFAULT_REPLICATES
    say(f"running {sc.name} ×{point_reps}")
    results = run(period, replicates=point_reps, seed=seed, resolution="year")
    ensemble = None
    if draws:
        from corredor.analysis.uncertainty import run_batches, sample, uncertain_parameters

        per_draw = replicates or 1
        say(f"running {draws} parameter draws ×{per_draw}")
        values = sample(uncertain_parameters(period), draws, seed)
        data = run_batches(period, values, draws, replicates=per_draw, seed=seed, executor=executor)
        ensemble = Results(data)
    say("scoring")
    return score(
        results,
        checks=checks,
        observed=observed,
        ensemble=ensemble,
        scenario=sc.name,
        seed=seed,
        draws=draws,
    )


# --- text: Markdown and HTML ----------------------------------------------------------------


def _interval(x: float, lo: float, hi: float) -> str:
    if not (math.isfinite(lo) and math.isfinite(hi)) or (lo == hi == x):
        return fmt(x)
    return f"{fmt(x)} [{fmt(lo)}–{fmt(hi)}]"


def _observed_cell(r) -> str:
    if r.metric == "in range":
        return f"{fmt(r.obs_low)}–{fmt(r.obs_high)}"
    text = _interval(r.observed, r.obs_low, r.obs_high)
    if r.purity:
        text += f" (bulk {fmt(r.observed_bulk)} ×{str(r.purity).split()[0]})"
    return text


def _score_cell(r) -> str:
    if r.metric == "at least":
        return f"lowest {fmt(r.score)} (≥ {r.threshold:g})"
    if r.metric == "share in range":
        return f"{r.score:.0%} in range (≥ {r.threshold:.0%})"
    if r.metric == "years at bound":
        return f"{r.score:g} years at a bound (≤ {r.threshold:g})"
    if r.metric == "MAPE %":
        return f"MAPE {r.score:.1f}% (≤ {r.threshold:g}%)"
    if r.metric == "in range":
        if r.score >= 1:
            return "in range"
        return "outside the range" if r.score <= 0 else f"in range {r.score:.0%} of years"
    return f"ratio {r.score:.2f} (×{r.threshold:g} either way)"


def rows_for_text(table: pd.DataFrame) -> list[dict[str, str]]:
    """A scorecard table's rows as display strings (Markdown, HTML, console, README)."""
    out = []
    for _, r in table.iterrows():
        out.append(
            dict(
                check=r.check,
                title=r.title,
                status=r.status,
                years=str(r.years),
                simulated=_interval(r.simulated, r.sim_low, r.sim_high),
                observed=_observed_cell(r),
                score=_score_cell(r),
                result="pass" if r.passed else "FAIL",
                source=str(r.source).replace(";", ", "),
                note=str(r.note),
            )
        )
    return out


def header_lines(card: Scorecard) -> list[str]:
    runs = f"{card.replicates} replicates"
    if card.draws:
        runs += (
            f" of the scenario's own values; intervals from {card.draws} parameter draws (5–95%)"
        )
    else:
        runs += "; intervals are the 5–95% range across replicates (noise only)"
    seed = "" if card.seed is None else f", seed {card.seed}"
    return [
        f"Scenario `{card.scenario}`{seed}, {runs}. Corredor {__version__}.",
        "Simulated and observed values are means over the check's years; tonnes are pure "
        "cocaine hydrochloride (observed bulk seizures are converted with the purity shown).",
    ]


def markdown(card: Scorecard) -> str:
    lines = ["# Validation scorecard", ""] + header_lines(card) + [""]
    lines += [
        "| status | checks | passed | failed | what it is worth |",
        "|---|---|---|---|---|",
    ]
    for _, s in card.summary().iterrows():
        lines.append(f"| {s.status} | {s.checks} | {s.passed} | {s.failed} | {s.meaning} |")
    lines += [
        "",
        "| check | status | years | simulated | observed | score | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows_for_text(card.table):
        lines.append(
            f"| {r['title']} (`{r['check']}`) | {r['status']} | {r['years']} | "
            f"{r['simulated']} | {r['observed']} | {r['score']} | {r['result']} |"
        )
    lines += ["", "## Notes", ""]
    for r in rows_for_text(card.table):
        lines.append(f"- `{r['check']}` ({r['source']}): {r['note']}")
    if card.skipped:
        lines += [
            "",
            "Not evaluated (the run does not cover their years): " + ", ".join(card.skipped),
        ]
    if "in_ens_50" in card.table:
        outside = card.table[~card.table.in_ens_50.fillna(True).astype(bool)]
        lines += [
            "",
            "Point run inside the ensemble's 50% band: "
            f"{len(card.table) - len(outside)} of {len(card.table)} checks"
            + (f" (outside: {', '.join(outside.check)})" if len(outside) else "")
            + ".",
        ]
    return "\n".join(lines) + "\n"


CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #222; max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
p.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 1em 0; }
th, td { padding: 6px 8px; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
th { background: #f6f4ee; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.pass { color: #1d6b2f; font-weight: 600; }
.fail { color: #9b1c1c; font-weight: 700; }
.status { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 0.85em;
  white-space: nowrap; }
.status.fitted { background: #e3ecf7; } .status.blind { background: #e2f3e5; }
.status.post-hoc { background: #fbefd9; } .status.input { background: #eee; color: #666; }
tr.input td { color: #777; }
.note { color: #555; font-size: 0.88em; }
"""


def html_page(card: Scorecard) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Validation scorecard: {e(card.scenario)}</title><style>{CSS}</style>",
        "</head><body><h1>Validation scorecard</h1>",
    ]
    parts += [f"<p class='sub'>{e(line).replace('`', '')}</p>" for line in header_lines(card)]
    parts.append(
        "<table><thead><tr><th>status</th><th>checks</th><th>passed</th><th>failed</th>"
        "<th>what it is worth</th></tr></thead><tbody>"
    )
    for _, s in card.summary().iterrows():
        cls = s.status.replace(" ", "-")
        parts.append(
            f"<tr><td><span class='status {cls}'>{e(s.status)}</span></td>"
            f"<td class='num'>{s.checks}</td><td class='num'>{s.passed}</td>"
            f"<td class='num'>{s.failed}</td><td>{e(s.meaning)}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        "<table><thead><tr><th>check</th><th>status</th><th>years</th><th>simulated</th>"
        "<th>observed</th><th>score</th><th>result</th></tr></thead><tbody>"
    )
    for r in rows_for_text(card.table):
        cls = r["status"].replace(" ", "-")
        result = "pass" if r["result"] == "pass" else "fail"
        parts.append(
            f"<tr class='{cls}'><td><strong>{e(r['title'])}</strong><br>"
            f"<code>{e(r['check'])}</code><div class='note'>{e(r['note'])}<br>"
            f"Source: {e(r['source'])}</div></td>"
            f"<td><span class='status {cls}'>{e(r['status'])}</span></td>"
            f"<td class='num'>{e(r['years'])}</td><td class='num'>{e(r['simulated'])}</td>"
            f"<td class='num'>{e(r['observed'])}</td><td class='num'>{e(r['score'])}</td>"
            f"<td class='{result}'>{e(r['result'])}</td></tr>"
        )
    parts.append("</tbody></table>")
    if card.skipped:
        parts.append(
            "<p class='note'>Not evaluated (the run does not cover their years): "
            + e(", ".join(card.skipped))
            + "</p>"
        )
    parts.append(
        "<p class='note'>The rule of the registry (src/corredor/data/validation/checks.toml): "
        "a check's status may only move from blind to post hoc, never back.</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
