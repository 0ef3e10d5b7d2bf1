"""Global sensitivity analysis: which uncertain parameters drive an outcome (SALib).

The design space is the unit hypercube of quantiles of the uncertain parameters
(`uncertainty.uncertain_parameters`): SALib samples quantiles in [0, 1], and each is
turned into a parameter value through that parameter's declared distribution within its
evidence range. Indices therefore answer "how much of the outcome's variance comes from
what we do not know about this parameter, as the evidence states it".

- Sobol (Saltelli sampling, N·(D+2) runs): first-order S1 and total ST indices with
  bootstrap 95% confidence intervals.
- Morris (elementary effects, N·(D+1) runs): mu* (mean absolute effect, in the
  outcome's units per full range of the quantile) and sigma (interactions/non-linearity);
  cheap screening for many parameters.

Every sample point is one run with its own stochastic noise (one replicate): noise adds
variance no parameter explains, so S1 sums to less than one even for additive models.
A dummy input that changes nothing (`NOISE`) is analysed like a parameter: its index is
the noise floor, and a parameter ranked below it is indistinguishable from noise.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corredor.analysis.uncertainty import (
    Uncertain,
    draw,
    make_chunks,
    run_chunks,
    uncertain_parameters,
)
from corredor.errors import CorredorError
from corredor.scenario import Scenario

METHODS = ("sobol", "morris")
NOISE = "(noise floor: no parameter)"


def problem(names: list[str]) -> dict:
    """A SALib problem over quantiles in [0, 1] of the named parameters."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def design(method: str, names: list[str], n: int, seed: int) -> np.ndarray:
    """Sample points (rows) of uniform quantiles for a method."""
    prob = problem(names)
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, n, calc_second_order=False, seed=seed)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, n, num_levels=4, seed=seed)
    raise CorredorError(f"unknown method {method!r}", field="--method", fix="use sobol or morris")


def analyse(method: str, names: list[str], u: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Indices of one outcome `y` (one value per design row), ranked, as a table."""
    prob = problem(names)
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(prob, y, calc_second_order=False, seed=seed)
        df = pd.DataFrame(
            {
                "parameter": names,
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
        return df.sort_values("ST", ascending=False).reset_index(drop=True)
    from SALib.analyze import morris

    res = morris.analyze(prob, u, y, num_levels=4, seed=seed)
    df = pd.DataFrame(
        {
            "parameter": names,
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )
    return df.sort_values("mu_star", ascending=False).reset_index(drop=True)


AGAINST_ONLY = ("displacement_index", "displaced_t")


def outcome_names(against: bool = False) -> list[str]:
    from corredor.analysis.compare import OUTCOMES

    return list(OUTCOMES) + (list(AGAINST_ONLY) if against else [])


def _window(ds, first: int, last: int):
    window = ds.isel(time=(ds["year"] >= first) & (ds["year"] <= last))
    if window.sizes["time"] == 0:
        raise CorredorError(
            f"no simulated year in {first}-{last}",
            field="--from/--to",
            fix="choose years inside the scenario's period",
        )
    return window


def outcome_against(
    datasets, references, outcome: str, first: int, last: int, targeted: np.ndarray
) -> np.ndarray:
    """Per run: the outcome of the scenario minus that of the reference run with the
    same parameter draw and seed; or the run's displacement index (1 - fall in
    delivered flow / fall in flow on the targeted legs; NaN where that fall is not
    positive); or the displaced tonnes (fall on the targeted legs minus fall in
    delivered flow: what left the targeted legs and still reached consumers), which is
    defined in every run."""
    from corredor.analysis.compare import OUTCOMES

    out = []
    for ds, ref in zip(datasets, references, strict=True):
        w, r = _window(ds, first, last), _window(ref, first, last)
        if outcome in AGAINST_ONLY:
            legs = np.flatnonzero(targeted)
            fall = (
                r["flow_kg"].isel(edge=legs).sum(("time", "edge")).values
                - w["flow_kg"].isel(edge=legs).sum(("time", "edge")).values
            )
            kept = (
                r["delivered_kg"].sum(("time", "market")).values
                - w["delivered_kg"].sum(("time", "market")).values
            )
            if outcome == "displaced_t":
                out.append((fall - kept) / 1e3)
                continue
            with np.errstate(divide="ignore", invalid="ignore"):
                out.append(np.where(fall > 0, 1.0 - kept / fall, np.nan))
        else:
            _, fn = OUTCOMES[outcome]
            out.append(np.asarray(fn(w).values - fn(r).values, dtype=float))
    return np.concatenate(out)


def outcome_values(datasets, outcome: str, first: int, last: int) -> np.ndarray:
    """One value per run (replicate) of an outcome over the years [first, last]."""
    from corredor.analysis.compare import OUTCOMES

    _, fn = OUTCOMES[outcome]
    out = [np.asarray(fn(_window(ds, first, last)).values, dtype=float) for ds in datasets]
    return np.concatenate(out)


@dataclass
class Sensitivity:
    method: str
    params: list[Uncertain]
    indices: dict[str, pd.DataFrame]  # outcome -> ranked table
    runs: int
    first: int
    last: int
    against: str | None = None  # reference scenario: outcomes are differences from it

    def table(self) -> pd.DataFrame:
        frames = []
        for outcome, df in self.indices.items():
            df = df.copy()
            df.insert(0, "outcome", outcome)
            df.insert(1, "rank", np.arange(1, len(df) + 1))
            frames.append(df)
        return pd.concat(frames, ignore_index=True)


def sensitivity(
    scenario: Scenario,
    *,
    method: str,
    outcomes: list[str],
    n: int,
    seed: int = 1,
    first: int | None = None,
    last: int | None = None,
    only: list[str] | None = None,
    chunk: int = 100,
    against: Scenario | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Sensitivity:
    """Run the design of `method` with n base samples and rank parameters per outcome.

    With `against` (a reference scenario, e.g. baseline), the reference runs with the
    same parameter draws and seeds, and each outcome is the scenario's value minus the
    reference's in the same run; `displacement_index` and `displaced_t` are then
    available too (see `outcome_against`)."""
    if method not in METHODS:
        raise CorredorError(
            f"unknown method {method!r}", field="--method", fix="use sobol or morris"
        )
    if n < 2:
        raise CorredorError("must be at least 2", field="--n", fix="use 2 or more (e.g. 64)")
    known = outcome_names(against is not None)
    if not outcomes:
        raise CorredorError(
            "no outcome named", field="--outcome", fix="e.g. --outcome delivered_eu_t"
        )
    for o in outcomes:
        if o not in known:
            from corredor.errors import suggest

            fix = suggest(o, known)
            if o in AGAINST_ONLY:
                fix = "it is measured against a reference: add --against baseline"
            raise CorredorError(f"unknown outcome {o!r}", field="--outcome", fix=fix)
    first = scenario.start if first is None else first
    last = scenario.end if last is None else last
    if first > last:
        raise CorredorError(f"{first} is after {last}", field="--from", fix="make --from <= --to")
    params = uncertain_parameters(scenario, only)
    if len(params) < 2:
        raise CorredorError(
            "needs at least two parameters", field="--param", fix="name two or more"
        )
    names = [p.name for p in params] + [NOISE]
    u = design(method, names, n, seed)
    values = draw(params, u[:, :-1])
    chunks = make_chunks(scenario, values, len(u), 1, seed, chunk)
    if against is not None:
        # the reference gets the same draws and chunk seeds: paired runs
        chunks += make_chunks(against, values, len(u), 1, seed, chunk)
    datasets = run_chunks(chunks, executor=executor, progress=progress)
    n_own = len(datasets) if against is None else len(datasets) // 2
    indices = {}
    for o in outcomes:
        if against is None:
            y = outcome_values(datasets, o, first, last)
        else:
            from corredor.analysis.compare import targeted_edges

            y = outcome_against(
                datasets[:n_own], datasets[n_own:], o, first, last, targeted_edges(scenario)
            )
            if np.isnan(y).any():
                raise CorredorError(
                    f"{o} is undefined in {int(np.isnan(y).sum())} of {len(y)} runs (the "
                    "scenario does not lower flow on the legs it targets there)",
                    field="--outcome",
                    fix="use displaced_t (tonnes moved rather than removed), defined in every run",
                )
        indices[o] = analyse(method, names, u, y, seed)
    return Sensitivity(method, params, indices, len(u), first, last, getattr(against, "name", None))
