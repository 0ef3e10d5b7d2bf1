"""Sweeps: run a scenario over a design of lever values and store every replicate's
outcomes in a Zarr store that grows one chunk per finished task and can be resumed.

The design is either the full grid of STEPS values per lever or a Latin hypercube of N
points (scipy.stats.qmc, seeded). Each design point runs `replicates` stochastic
replicates together (one `corredor.api.run` call, yearly resolution) with its own seed,
spawned from the sweep seed with `numpy.random.SeedSequence.spawn`, so a point's results
do not depend on how points are grouped into tasks or on which backend ran them. With
`common_seeds`, every point uses the same seed instead (common random numbers, as
`corredor compare` does): differences between points are then the levers' effect alone.

Outcomes are those of `corredor.analysis.compare.OUTCOMES`, summed over a window of years
(`first`..`last`) and, separately, per calendar year of the whole run.

Store layout (Zarr v3, `OUT/`):

- `lever_values` (point, lever) float64: the design, written when the store is created
- `point_seed` (point,) int64: the seed each point's replicates ran with
- `outcomes` (point, replicate, outcome) float64: totals over the window
- `yearly` (point, replicate, year, outcome) float64: the same outcomes per year
- `done` (task,) bool: set once a task's chunk of `outcomes` and `yearly` is written
- attribute `corredor_sweep`: scenario name and merged TOML, levers, design, seed,
  replicates, window, lever year, task layout and corredor version

`outcomes` and `yearly` are chunked along `point` exactly as tasks are, so each finished
task writes whole chunks, from the main process only, and sets its `done` flag after
them: an interruption loses at most the tasks that were running.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from corredor.analysis.levers import FIELD, LEVER_YEAR, Lever, find_lever
from corredor.errors import CorredorError
from corredor.limits import check_run_size, check_seed
from corredor.scenario import Scenario, build_scenario, load_scenario
from corredor.version import __version__

FORMAT = 1  # layout version of the store
ATTR = "corredor_sweep"
DEFAULT_REPLICATES = 8
DEFAULT_SEED = 1
# Replicate-years of simulation per task when --chunk-points is not given: a few seconds
# on the default network (about 0.01 s per replicate-year plus 0.2 s per point to build).
TARGET_REPLICATE_YEARS = 256


# -- lever ranges and the design --------------------------------------------------------


@dataclass(frozen=True)
class LeverRange:
    """One `--lever NAME=LOW:HIGH:STEPS` option: the values a sweep gives a lever.

    `steps` is the number of grid values from `low` to `high` (None: not given, as for
    a Latin hypercube); `NAME=VALUE` holds the lever at one value.
    """

    name: str
    low: float
    high: float
    steps: int | None = None

    def __str__(self) -> str:
        if self.low == self.high and self.steps in (None, 1):
            return f"{self.name}={self.low:g}"
        tail = f":{self.steps}" if self.steps is not None else ""
        return f"{self.name}={self.low:g}:{self.high:g}{tail}"


def parse_lever_range(text: str) -> LeverRange:
    """Parse `NAME=LOW:HIGH:STEPS`, `NAME=LOW:HIGH` or `NAME=VALUE`."""
    fix = "write NAME=LOW:HIGH:STEPS, e.g. --lever ec_container_effort=1:4:4"
    name, sep, rest = text.partition("=")
    name = name.strip()
    if not sep or not name or not rest.strip():
        raise CorredorError(f"{text!r} is not NAME=LOW:HIGH:STEPS", field=FIELD, fix=fix)
    parts = [p.strip() for p in rest.split(":")]
    if len(parts) > 3:
        raise CorredorError(f"{text!r} has more than three parts after '='", field=FIELD, fix=fix)
    try:
        numbers = [float(p) for p in parts[:2]]
    except ValueError:
        raise CorredorError(
            f"{text!r}: LOW and HIGH must be numbers", field=FIELD, fix=fix
        ) from None
    if not all(math.isfinite(x) for x in numbers):
        raise CorredorError(f"{text!r}: values must be finite", field=FIELD, fix=fix)
    steps = None
    if len(parts) == 3:
        if not re.fullmatch(r"\d+", parts[2]) or int(parts[2]) < 1:
            raise CorredorError(
                f"{text!r}: STEPS must be a whole number of at least 1", field=FIELD, fix=fix
            )
        steps = int(parts[2])
    low, high = numbers[0], numbers[-1]
    if low > high:
        raise CorredorError(
            f"{text!r}: LOW {low:g} is above HIGH {high:g}",
            field=FIELD,
            fix=f"write {name}={high:g}:{low:g}" + (f":{steps}" if steps else ""),
        )
    if steps == 1 and low != high:
        raise CorredorError(
            f"{text!r}: one step cannot span {low:g} to {high:g}",
            field=FIELD,
            fix=f"use 2 or more steps, or hold the lever with {name}={low:g}",
        )
    if len(numbers) == 1:
        steps = 1
    return LeverRange(name, low, high, steps)


def design_points(ranges: list[LeverRange], design: str, n: int | None, seed: int) -> np.ndarray:
    """Lever values of every design point, (point, lever).

    "grid": every combination of each lever's STEPS values, the first lever varying
    slowest. "lhs": `n` points of a Latin hypercube scaled to each lever's [LOW, HIGH],
    drawn from a stream of the sweep seed separate from the run seeds.
    """
    if design == "grid":
        axes = [np.linspace(r.low, r.high, r.steps or 1) for r in ranges]
        return np.array(list(product(*axes)), dtype=float).reshape(-1, len(ranges))
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[0])
    unit = qmc.LatinHypercube(d=len(ranges), rng=rng).random(n)
    low = np.array([r.low for r in ranges])
    high = np.array([r.high for r in ranges])
    return low + unit * (high - low)


def point_seeds(seed: int, n_points: int, *, common: bool = False) -> np.ndarray:
    """The run seed of every point: child i of the sweep seed's run stream (or child 0 for
    all points with `common`), as a non-negative 63-bit integer for `corredor.api.run`."""
    runs = np.random.SeedSequence(seed).spawn(2)[1]
    children = runs.spawn(1 if common else n_points)
    seeds = [int(c.generate_state(1, dtype=np.uint64)[0]) & (2**63 - 1) for c in children]
    return np.array(seeds * n_points if common else seeds, dtype=np.int64)


def task_ranges(n_points: int, chunk_points: int) -> list[tuple[int, int]]:
    """Contiguous point ranges [start, stop) of the tasks, `chunk_points` points each."""
    return [(s, min(s + chunk_points, n_points)) for s in range(0, n_points, chunk_points)]


def auto_chunk_points(n_points: int, replicates: int, years: int, workers: int) -> int:
    """Points per task: about TARGET_REPLICATE_YEARS of simulation, but at least two
    tasks per worker when there are enough points, so no worker idles at the end."""
    by_cost = math.ceil(TARGET_REPLICATE_YEARS / max(1, replicates * years))
    by_balance = math.ceil(n_points / (2 * max(1, workers)))
    return max(1, min(by_cost, by_balance))


# -- the spec: what makes two sweeps the same -------------------------------------------


@dataclass
class SweepSpec:
    """Everything that determines a sweep's results (and the task layout)."""

    scenario: str
    scenario_digest: str
    network_digest: str
    levers: list[LeverRange]
    design: str
    n: int | None
    replicates: int
    seed: int
    first: int
    last: int
    lever_year: int
    common_seeds: bool
    chunk_points: int
    version: str = __version__

    # (attribute, option naming it, what it is) checked when a sweep is resumed
    CHECKED = (
        ("scenario", "SCENARIO", "scenario"),
        ("scenario_digest", "SCENARIO", "merged scenario file"),
        ("network_digest", "SCENARIO", "network"),
        ("levers", "--lever", "levers and ranges"),
        ("design", "--design", "design"),
        ("n", "--n", "number of points"),
        ("replicates", "--replicates", "replicates"),
        ("seed", "--seed", "seed"),
        ("first", "--from", "first year of the window"),
        ("last", "--to", "last year of the window"),
        ("lever_year", "--lever-from", "lever year"),
        ("common_seeds", "--common-seeds", "seeding"),
        ("version", "--resume", "corredor version"),
    )

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["levers"] = [asdict(r) for r in self.levers]
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SweepSpec:
        data = dict(data)
        data["levers"] = [LeverRange(**r) for r in data["levers"]]
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names})


def _digest(obj: Any) -> str:
    text = json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def scenario_digest(sc: Scenario) -> str:
    """Fingerprint of the merged scenario table (not where its files live)."""
    return _digest({k: v for k, v in sc.raw.items() if not k.startswith("_")})


def network_digest(sc: Scenario) -> str:
    """Fingerprint of the network's tables."""
    net = sc.network
    tables = [net.nodes, net.edges, net.production, net.markets, net.countries]
    return _digest([[row.model_dump() for row in rows] for rows in tables])


# -- TOML (to keep the merged scenario in the store, readable) --------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def to_toml(table: dict[str, Any]) -> str:
    """A TOML text of a scenario table: top-level tables and their entries as [sections],
    deeper tables inline. Keys starting with '_' (internal) are left out."""
    lines: list[str] = []

    def emit(tbl: dict[str, Any], prefix: str, depth: int) -> None:
        plain = {k: v for k, v in tbl.items() if not (isinstance(v, dict) and depth < 2)}
        tables = {k: v for k, v in tbl.items() if isinstance(v, dict) and depth < 2}
        if prefix and (plain or not tables):
            lines.append(f"\n[{prefix}]")
        for k, v in plain.items():
            lines.append(f"{_toml_key(str(k))} = {_toml_value(v)}")
        for k, v in tables.items():
            is_series = bool(v) and all(str(x)[:4].isdigit() for x in v)
            if is_series:
                lines.append(f"{_toml_key(str(k))} = {_toml_value(v)}")
            else:
                emit(v, f"{prefix}.{_toml_key(str(k))}" if prefix else _toml_key(str(k)), depth + 1)

    emit({k: v for k, v in table.items() if not str(k).startswith("_")}, "", 0)
    return "\n".join(lines).lstrip("\n") + "\n"


# -- what a worker runs -------------------------------------------------------------------


@dataclass(frozen=True)
class SweepTask:
    """A chunk of design points, all run in one worker: what is sent to it.

    The scenario travels as its merged table and network (not a file path), so workers on
    other machines need no copy of the scenario's files.
    """

    index: int
    start: int
    values: np.ndarray  # (k, lever) lever values of the points
    seeds: np.ndarray  # (k,) run seeds
    raw: dict[str, Any]
    name: str
    file: str
    network: Any
    levers: tuple[Lever, ...]
    replicates: int
    first: int
    last: int


@dataclass
class TaskResult:
    """Outcomes of one task's points: totals (k, replicate, outcome) and yearly
    (k, replicate, year, outcome); `seconds` of compute (not stored)."""

    index: int
    outcomes: np.ndarray
    yearly: np.ndarray
    seconds: float = 0.0


def outcome_names() -> list[str]:
    from corredor.analysis.compare import OUTCOMES

    return list(OUTCOMES)


def point_outcomes(ds: Any, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes of one run (a yearly-resolution Results dataset): totals over
    [first, last], (replicate, outcome), and per year, (replicate, year, outcome).

    An outcome the network cannot give (e.g. no market 'mkt-us') is NaN.
    """
    from corredor.analysis.compare import OUTCOMES

    window = ds.isel(time=(ds["year"] >= first) & (ds["year"] <= last))
    # The outcome functions sum over "time"; with each year moved to its own dimension
    # and a length-one "time" added, the same functions give per-year values.
    by_year = ds.drop_vars("year").rename({"time": "run_year"}).expand_dims("time")
    n_rep, n_year = ds.sizes["replicate"], ds.sizes["time"]
    totals = np.full((n_rep, len(OUTCOMES)), np.nan)
    yearly = np.full((n_rep, n_year, len(OUTCOMES)), np.nan)
    for j, (_, fn) in enumerate(OUTCOMES.values()):
        try:
            totals[:, j] = np.asarray(fn(window).transpose("replicate").values, dtype=float)
            per_year = fn(by_year).transpose("replicate", "run_year")
            yearly[:, :, j] = np.asarray(per_year.values, dtype=float)
        except KeyError:
            continue
    return totals, yearly


def run_task(task: SweepTask) -> TaskResult:
    """Run every point of a task: levers applied, scenario rebuilt and validated, all
    replicates in one simulation."""
    from corredor.analysis.executors import tune_worker_memory
    from corredor.api import run

    tune_worker_memory()
    t0 = time.perf_counter()
    outs, years = [], []
    for values, seed in zip(task.values, task.seeds, strict=True):
        raw = task.raw
        for lever, value in zip(task.levers, values, strict=True):
            raw = lever.apply(raw, float(value))
        sc = build_scenario(raw, name=task.name, file=task.file, network=task.network)
        res = run(sc, replicates=task.replicates, seed=int(seed), resolution="year", progress=False)
        totals, yearly = point_outcomes(res.data, task.first, task.last)
        outs.append(totals)
        years.append(yearly)
    return TaskResult(task.index, np.stack(outs), np.stack(years), seconds=time.perf_counter() - t0)


# -- the store ----------------------------------------------------------------------------


def _zarr():
    import zarr

    return zarr


def is_store(path: Path) -> bool:
    return (path / "zarr.json").is_file()


def read_spec(path: Path) -> SweepSpec:
    """The spec of an existing sweep store."""
    zarr = _zarr()
    try:
        root = zarr.open_group(str(path), mode="r")
        attrs = dict(root.attrs)[ATTR]
        return SweepSpec.from_json(attrs["spec"])
    except (KeyError, TypeError, ValueError, FileNotFoundError) as exc:
        raise CorredorError(
            f"not a corredor sweep store ({type(exc).__name__}: {exc})",
            file=path,
            field="--out",
            fix="choose another --out, or delete the directory",
        ) from None


def create_store(
    path: Path,
    spec: SweepSpec,
    sc: Scenario,
    levers: list[Lever],
    values: np.ndarray,
    seeds: np.ndarray,
) -> None:
    """Create the store with its design, seeds, empty result arrays and attributes.

    It is built in a temporary directory and renamed into place, so an interrupted
    creation never leaves a half-made store behind.
    """
    from corredor.analysis.compare import OUTCOMES

    zarr = _zarr()
    n_points, n_levers = values.shape
    n_out = len(OUTCOMES)
    years = list(range(sc.start, sc.end + 1))
    chunks = task_ranges(n_points, spec.chunk_points)
    k, r = spec.chunk_points, spec.replicates
    tmp = path.with_name(f".{path.name}.creating-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    root = zarr.open_group(str(tmp), mode="w-")
    root.attrs[ATTR] = {
        "format": FORMAT,
        "spec": spec.to_json(),
        "scenario_title": sc.title,
        "scenario_file": sc.file,
        "scenario_toml": to_toml(sc.raw),
        "levers": [
            dict(
                name=lv.name,
                unit=lv.unit,
                low=lv.low,
                high=lv.high,
                default=lv.default,
                target=lv.target,
                kind=lv.kind,
                doc=lv.doc,
            )
            for lv in levers
        ],
        "outcomes": list(OUTCOMES),
        "outcome_labels": [label for label, _ in OUTCOMES.values()],
        "years": years,
        "n_points": n_points,
        "n_tasks": len(chunks),
        "corredor_version": __version__,
    }
    arr = root.create_array(
        "lever_values",
        shape=(n_points, n_levers),
        chunks=(max(1, n_points), max(1, n_levers)),
        dtype="float64",
        dimension_names=["point", "lever"],
    )
    arr[...] = values
    arr = root.create_array(
        "point_seed",
        shape=(n_points,),
        chunks=(max(1, n_points),),
        dtype="int64",
        dimension_names=["point"],
    )
    arr[...] = seeds
    root.create_array(
        "outcomes",
        shape=(n_points, r, n_out),
        chunks=(k, r, n_out),
        dtype="float64",
        fill_value=np.nan,
        dimension_names=["point", "replicate", "outcome"],
    )
    root.create_array(
        "yearly",
        shape=(n_points, r, len(years), n_out),
        chunks=(k, r, len(years), n_out),
        dtype="float64",
        fill_value=np.nan,
        dimension_names=["point", "replicate", "year", "outcome"],
    )
    root.create_array(
        "done",
        shape=(len(chunks),),
        chunks=(1,),
        dtype="bool",
        fill_value=False,
        dimension_names=["task"],
    )
    os.replace(tmp, path)


def _check_same(stored: SweepSpec, wanted: SweepSpec, path: Path) -> None:
    for attr, option, what in SweepSpec.CHECKED:
        a, b = getattr(stored, attr), getattr(wanted, attr)
        if a != b and attr.endswith("_digest"):
            raise CorredorError(
                f"the {what} of {wanted.scenario!r} changed since the sweep in {path} started",
                field=option,
                fix="restore the scenario (and network) the sweep started with, or start a new "
                "sweep with another --out",
            )
        if a != b:
            shown_a = " ".join(map(str, a)) if isinstance(a, list) else a
            shown_b = " ".join(map(str, b)) if isinstance(b, list) else b
            raise CorredorError(
                f"the sweep in {path} was started with {what} {shown_a}, not {shown_b}",
                field=option,
                fix="resume with the sweep's own options (leave them out to reuse the stored "
                "ones), or start a new sweep with another --out",
            )


# -- running a sweep ---------------------------------------------------------------------


@dataclass
class SweepRun:
    """What `run_sweep` did: the store, its spec, and tasks run now or found done."""

    path: Path
    spec: SweepSpec
    n_points: int
    n_tasks: int
    already_done: int
    ran: int
    seconds: float
    task_seconds: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _pick(given: Any, stored: Any, default: Any) -> Any:
    return given if given is not None else (stored if stored is not None else default)


def _holding_out_lock(fn: Callable) -> Callable:
    """Run `fn` holding the lock on its `out` store: a second sweep on the same store is
    refused at once, naming the first (see `corredor.outset.OutputLock`)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from corredor.outset import OutputLock, command_line

        with OutputLock(Path(kwargs["out"]), command=command_line(), field="--out"):
            return fn(*args, **kwargs)

    return wrapper


def check_sweep_size(
    path: Path, n_points: int, n_levers: int, replicates: int, sc: Scenario, *, new: bool
) -> None:
    """Refuse a design too large for this machine before it is built: its points in
    memory, and (for a new store) its arrays on disk."""
    from corredor.limits import check_memory
    from corredor.outset import check_free_space

    # lever values, seeds and the task list: a few hundred bytes a point
    check_memory(
        n_points * (300 + 16 * n_levers),
        field=FIELD,
        what=f"a design of {n_points:,} points",
        fix="use fewer STEPS per lever (or a smaller --n)",
    )
    if new:
        years = sc.end - sc.start + 1
        store = 8 * n_points * replicates * (years + 1) * len(outcome_names())
        check_free_space(
            path.parent,
            store,
            field="--out",
            fix="free some space, choose another --out, or sweep fewer points or replicates",
        )


@_holding_out_lock
def run_sweep(
    scenario: str | Path | Scenario,
    levers: list[str] | list[LeverRange] | None = None,
    *,
    out: str | Path,
    design: str | None = None,
    n: int | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    first: int | None = None,
    last: int | None = None,
    lever_year: int | None = None,
    common_seeds: bool | None = None,
    chunk_points: int | None = None,
    resume: bool = False,
    workers: int | None = None,
    scheduler: str | None = None,
    retries: int = 2,
    progress: Callable[[int, int], None] | None = None,
    on_task: Callable[[int], None] | None = None,
    task_fn: Callable[[SweepTask], TaskResult] = run_task,
) -> SweepRun:
    """Run (or resume) a sweep of `scenario` over lever ranges; results go to the Zarr
    store `out`. Options left as None take the stored value when resuming, else defaults:
    grid design (Latin hypercube if `n` is given), 8 replicates, seed 1, levers acting
    from 2026, window from the lever year to the scenario's last year.

    `progress(done, total)` counts tasks (done includes those finished before a resume);
    `on_task(i)` is called after task i is stored; `task_fn` is what workers run.
    """
    from corredor.analysis.executors import capacity, executor, run_tasks

    t0 = time.perf_counter()
    path = Path(out)
    notes: list[str] = []
    # We hold the store's lock: a creation folder beside it belongs to a killed sweep.
    for stale in sorted(path.parent.glob(f".{path.name}.creating-*")):
        shutil.rmtree(stale, ignore_errors=True)
        notes.append(f"removed {stale.name}, left unfinished by a sweep that was stopped")
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    stored: SweepSpec | None = None
    if path.exists():
        if not resume:
            raise CorredorError(
                "already exists",
                file=path,
                field="--out",
                fix="add --resume to continue that sweep, or choose another --out",
            )
        if not is_store(path):
            raise CorredorError(
                "exists and is not a sweep store",
                file=path,
                field="--out",
                fix="choose another --out",
            )
        stored = read_spec(path)
    elif resume:
        notes.append(f"no sweep in {path} yet: starting it")

    # -- the spec: given options, else the stored ones, else defaults --------------------
    s = stored
    ranges = [parse_lever_range(x) if isinstance(x, str) else x for x in levers or []]
    if not ranges:
        if s is None:
            raise CorredorError(
                "no lever to vary",
                field=FIELD,
                fix="give one or more --lever NAME=LOW:HIGH:STEPS "
                f"(`corredor levers {sc.name}` lists them)",
            )
        ranges = list(s.levers)
    names = [r.name for r in ranges]
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise CorredorError(
            f"lever {dup[0]!r} is given twice", field=FIELD, fix="give each lever once"
        )
    if n is not None and n < 1:
        raise CorredorError("must be at least 1", field="--n", fix="use 1 or more points")
    design = _pick(design, s and s.design, "lhs" if n is not None else "grid")
    if design not in ("grid", "lhs"):
        raise CorredorError(f"unknown design {design!r}", field="--design", fix="use grid or lhs")
    n = _pick(n, s and s.n, None)
    if design == "grid":
        if n is not None:
            raise CorredorError(
                "a grid has one point per combination of lever steps; --n is for --design lhs",
                field="--n",
                fix="leave --n out, or add --design lhs",
            )
        missing = [r for r in ranges if r.steps is None]
        if missing:
            raise CorredorError(
                f"{missing[0]} gives no number of steps for the grid",
                field=FIELD,
                fix=f"write {missing[0]}:STEPS, or sample a Latin hypercube with --n N",
            )
    elif n is None:
        raise CorredorError(
            "a Latin hypercube needs a number of points", field="--n", fix="add --n N"
        )
    else:
        # STEPS means nothing to a hypercube; drop it so spec comparisons ignore it
        ranges = [LeverRange(r.name, r.low, r.high, None) for r in ranges]
    replicates = _pick(replicates, s and s.replicates, DEFAULT_REPLICATES)
    if replicates < 1:
        raise CorredorError("must be at least 1", field="--replicates", fix="use 1 or more")
    seed = _pick(seed, s and s.seed, DEFAULT_SEED)
    check_seed(seed)
    lever_year = _pick(lever_year, s and s.lever_year, LEVER_YEAR)
    resolved = [find_lever(sc, r.name, lever_year) for r in ranges]
    for lever, r in zip(resolved, ranges, strict=True):
        lever.check(r.low)
        lever.check(r.high)
    first = _pick(first, s and s.first, max(lever_year, sc.start))
    last = _pick(last, s and s.last, sc.end)
    if first > last:
        raise CorredorError(
            f"first year {first} is after last year {last}",
            field="--from",
            fix="choose --from no later than --to",
        )
    if first < sc.start or last > sc.end:
        raise CorredorError(
            f"window {first}-{last} is outside the scenario's period {sc.start}-{sc.end}",
            field="--from/--to",
            fix=f"choose years from {sc.start} to {sc.end}",
        )
    common_seeds = bool(_pick(common_seeds, s and s.common_seeds, False))
    if chunk_points is not None and chunk_points < 1:
        raise CorredorError("must be at least 1", field="--chunk-points", fix="use 1 or more")
    # The extreme lever values must give a valid scenario before any worker starts.
    for lever, r in zip(resolved, ranges, strict=True):
        for value in {r.low, r.high}:
            build_scenario(
                lever.apply(sc.raw, value), name=sc.name, file=sc.file, network=sc.network
            )

    planned = math.prod(r.steps or 1 for r in ranges) if design == "grid" else n
    check_sweep_size(path, planned, len(ranges), replicates, sc, new=stored is None)
    check_run_size(sc, replicates, resolution="year", what=f"a point of {replicates:,} replicates")
    values = design_points(ranges, design, n, seed)
    n_points = len(values)
    seeds = point_seeds(seed, n_points, common=common_seeds)
    spec = SweepSpec(
        scenario=sc.name,
        scenario_digest=scenario_digest(sc),
        network_digest=network_digest(sc),
        levers=ranges,
        design=design,
        n=n,
        replicates=replicates,
        seed=seed,
        first=first,
        last=last,
        lever_year=lever_year,
        common_seeds=common_seeds,
        chunk_points=chunk_points or 1,
    )
    if stored is not None:
        _check_same(stored, spec, path)
        if chunk_points is not None and chunk_points != stored.chunk_points:
            notes.append(
                f"--chunk-points {chunk_points} ignored: the stored sweep has "
                f"{stored.chunk_points} points per task"
            )
        spec.chunk_points = stored.chunk_points

    zarr = _zarr()
    preload = ("corredor.api", "corredor.analysis.compare", "corredor.analysis.sweep")
    with executor(workers, scheduler, preload=preload) as pool:
        if stored is None:
            if chunk_points is None:
                spec.chunk_points = auto_chunk_points(
                    n_points, replicates, sc.end - sc.start + 2, capacity(pool)
                )
            create_store(path, spec, sc, resolved, values, seeds)
        else:
            # The store is the reference: its design and seeds, even if a newer scipy
            # would draw the hypercube differently.
            root = zarr.open_group(str(path), mode="r")
            values, seeds = root["lever_values"][...], root["point_seed"][...]
        root = zarr.open_group(str(path), mode="r+")
        done_flags = root["done"][...]
        ranges_ = task_ranges(n_points, spec.chunk_points)
        pending = [i for i, flag in enumerate(done_flags) if not flag]
        already = len(ranges_) - len(pending)
        tasks = [
            SweepTask(
                index=i,
                start=ranges_[i][0],
                values=values[slice(*ranges_[i])],
                seeds=seeds[slice(*ranges_[i])],
                raw=sc.raw,
                name=sc.name,
                file=sc.file,
                network=sc.network,
                levers=tuple(resolved),
                replicates=replicates,
                first=first,
                last=last,
            )
            for i in pending
        ]
        outcomes, yearly, done = root["outcomes"], root["yearly"], root["done"]
        task_seconds: list[float] = []

        def store(j: int, result: TaskResult) -> None:
            # Chunks first, flag last: a kill in between only redoes this task.
            i = tasks[j].index
            start, stop = ranges_[i]
            outcomes[start:stop] = result.outcomes
            yearly[start:stop] = result.yearly
            done[i] = True
            task_seconds.append(result.seconds)
            if on_task is not None:
                on_task(i)

        run_tasks(
            task_fn,
            tasks,
            executor=pool,
            on_result=store,
            retries=retries,
            progress=(lambda d, t: progress(already + d, len(ranges_))) if progress else None,
        )
    return SweepRun(
        path=path,
        spec=spec,
        n_points=n_points,
        n_tasks=len(ranges_),
        already_done=already,
        ran=len(tasks),
        seconds=time.perf_counter() - t0,
        task_seconds=task_seconds,
        notes=notes,
    )


# -- reading a sweep ---------------------------------------------------------------------


def open_sweep(path: str | Path) -> Any:
    """The sweep store as an xarray Dataset: `outcomes` (point, replicate, outcome) and
    `yearly` (point, replicate, year, outcome), with each lever's value, the point's seed
    and whether it is done as coordinates along `point`; the spec in the attributes.

    Points of unfinished tasks hold NaN. For a grid, `as_grid(ds)` gives one dimension
    per lever.
    """
    import xarray as xr

    zarr = _zarr()
    path = Path(path)
    if not is_store(path):
        raise CorredorError("no sweep store here", file=path, fix="give the sweep's --out path")
    spec = read_spec(path)
    root = zarr.open_group(str(path), mode="r")
    meta = dict(root.attrs)[ATTR]
    values = root["lever_values"][...]
    n_points = values.shape[0]
    done_task = root["done"][...]
    done_point = np.repeat(done_task, spec.chunk_points)[:n_points]
    coords: dict[str, Any] = {
        "point": np.arange(n_points),
        "replicate": np.arange(spec.replicates),
        "outcome": meta["outcomes"],
        "outcome_label": ("outcome", meta["outcome_labels"]),
        "year": meta["years"],
        "point_seed": ("point", root["point_seed"][...]),
        "done": ("point", done_point),
    }
    for j, lv in enumerate(meta["levers"]):
        coords[lv["name"]] = ("point", values[:, j], {"units": lv["unit"], "doc": lv["doc"]})
    spec_json = spec.to_json()
    attrs = {
        "scenario": spec.scenario,
        "scenario_title": meta.get("scenario_title", ""),
        "scenario_toml": meta["scenario_toml"],
        "levers": [lv["name"] for lv in meta["levers"]],
        "lever_ranges": [str(r) for r in spec.levers],
        "lever_year": spec.lever_year,
        "design": spec.design,
        "seed": spec.seed,
        "common_seeds": int(spec.common_seeds),
        "replicates": spec.replicates,
        "window": f"{spec.first}-{spec.last}",
        "corredor_version": spec.version,
        "spec_json": json.dumps(spec_json, sort_keys=True),
    }
    return xr.Dataset(
        {
            "outcomes": (("point", "replicate", "outcome"), root["outcomes"][...]),
            "yearly": (("point", "replicate", "year", "outcome"), root["yearly"][...]),
        },
        coords=coords,
        attrs=attrs,
    )


def as_grid(ds: Any) -> Any:
    """A grid sweep's Dataset (from `open_sweep`) with one dimension per lever instead of
    `point`, e.g. outcomes (ec_container_effort, us_strike_share, replicate, outcome)."""
    levers = list(ds.attrs["levers"])
    if ds.attrs["design"] != "grid":
        raise CorredorError(
            "only a grid sweep has one axis per lever",
            field="--design",
            fix="use the point dimension (with lever coordinates) for a Latin hypercube",
        )
    if len(levers) == 1:
        return ds.swap_dims(point=levers[0]).drop_vars("point")
    grid = ds.drop_vars("point").set_index(point=levers).unstack("point")
    return grid.transpose(*levers, ...)


def summarize(ds: Any) -> Any:
    """Tidy table of finished points: one row per point and outcome with the lever
    values, and the mean, 5% and 95% quantiles across replicates of the window total."""
    import pandas as pd

    levers = list(ds.attrs["levers"])
    done = ds["done"].values
    values = ds["outcomes"].values[done]  # (point, replicate, outcome)
    points = ds["point"].values[done]
    rows = []
    labels = ds["outcome_label"].values
    for k, p in enumerate(points):
        base = {"point": int(p), **{lv: float(ds[lv].values[p]) for lv in levers}}
        for j, name in enumerate(ds["outcome"].values):
            v = values[k, :, j]
            rows.append(
                dict(
                    base,
                    outcome=str(name),
                    label=str(labels[j]),
                    mean=float(np.mean(v)),
                    p05=float(np.quantile(v, 0.05)),
                    p95=float(np.quantile(v, 0.95)),
                )
            )
    return pd.DataFrame(rows)
