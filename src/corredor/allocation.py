"""Allocation policies: how an agency spreads each capability's weekly effort over the
edges it covers.

- `static`: in proportion to each edge's exposure (the same search density everywhere).
- `reactive`: a mix of the static split and the split of recent interdictions on the
  agency's covered edges (exponentially smoothed over `allocation.memory_weeks`), with
  weight `allocation.reactive_weight` on the latter. Effort follows past seizures, so it
  lags traffickers who have already moved.
- `intelligence`: a mix of the static split and an *estimate* of recent flow on each
  edge, with weight `allocation.intel_weight`. The estimate is the smoothed true flow
  times mean-one lognormal noise whose coefficient of variation is
  `allocation.intel_noise_cv / (1 + interdiction.intel_gain * intelligence effort)`:
  intelligence effort (and sharing it, e.g. joint operations) sharpens the estimate.

Every policy spends exactly the budget: effort per (agency, capability) sums to the
budget over the covered edges (tested). An optimised policy belongs here as a fourth
entry, computed outside the time loop and passed in as a fixed split.
"""

from __future__ import annotations

import numpy as np

from corredor.interdiction import SEARCH, InterdictionModel

POLICIES = ("static", "reactive", "intelligence")


class Allocation:
    """Weekly effort (R, A, E) of every agency under its policy, with the state it needs."""

    def __init__(self, model: InterdictionModel, policies: list[str]) -> None:
        unknown = [p for p in policies if p not in POLICIES]
        if unknown:
            raise ValueError(f"unknown allocation policy {unknown[0]!r}")
        self.m = model
        self.policy = np.array([POLICIES.index(p) for p in policies], dtype=np.int64)
        self.dynamic = bool((self.policy > 0).any())
        # (E, 4) one-hot of each edge's capability: sums over an agency's edges by capability
        self.cap_onehot = np.zeros((model.n_edges, len(SEARCH)))
        self.cap_onehot[np.arange(model.n_edges), model.cap_index] = 1.0
        self.signal: np.ndarray | None = None

    def init_state(self, n_rep: int) -> None:
        self.recent_seized = np.zeros((n_rep, self.m.n_edges))
        self.recent_flow = np.zeros((n_rep, self.m.n_edges))

    def observe(self, interdicted: np.ndarray, flow: np.ndarray, memory_weeks) -> None:
        """Smooth this week's interdicted kg and flow per edge (R, E) into the state."""
        rate = 1.0 / np.asarray(memory_weeks)
        self.recent_seized += (interdicted - self.recent_seized) * rate
        self.recent_flow += (flow - self.recent_flow) * rate

    def _split(self, signal: np.ndarray) -> np.ndarray:
        """(R, A, E) share of each (agency, capability) budget per covered edge, in
        proportion to `signal` ((R, E) for all agencies, or (R, A, E) per agency); falls
        back on exposure where the signal is zero."""
        covered = self.m.covered[None, :, :]
        mass = (signal[:, None, :] if signal.ndim == 2 else signal) * covered  # (R, A, E)
        per_cap = mass @ self.cap_onehot  # (R, A, 4)
        total = per_cap[:, :, self.m.cap_index]  # (R, A, E)
        fallback = self.m.exposure_weight[None, :, :]
        return np.where(total > 0, mass / np.where(total > 0, total, 1.0), fallback)

    def effort(
        self,
        t: int,
        rng: np.random.Generator | None,
        reactive_weight,
        intel_weight,
        intel_noise_cv,
        intel_gain,
    ) -> np.ndarray:
        """(R|1, A, E) effort this week."""
        m = self.m
        base = m.exposure_weight  # (A, E)
        budget = m.budget[t][:, m.cap_index]  # (A, E)
        if not self.dynamic:
            return (budget * base)[None]
        n_rep = self.recent_flow.shape[0]
        weight = np.broadcast_to(base, (n_rep, *base.shape)).copy()
        if (self.policy == 1).any():
            lam = np.asarray(reactive_weight).reshape(-1, 1, 1)
            mixed = (1.0 - lam) * base[None] + lam * self._split(self.recent_seized)
            sel = self.policy == 1
            weight[:, sel, :] = mixed[:, sel, :]
        if (self.policy == 2).any():
            sel = self.policy == 2
            cv = np.asarray(intel_noise_cv).reshape(-1, 1) / (
                1.0 + np.asarray(intel_gain).reshape(-1, 1) * m.intel[t][None, sel]
            )  # (R|1, A_sel)
            sigma2 = np.log1p(cv * cv)[:, :, None]
            z = rng.standard_normal((n_rep, int(sel.sum()), m.n_edges))
            noise = np.exp(z * np.sqrt(sigma2) - 0.5 * sigma2)
            lam = np.asarray(intel_weight).reshape(-1, 1, 1)
            # each agency's own noisy estimate of recent flow (only the selected ones count)
            estimate = np.repeat(self.recent_flow[:, None, :], len(self.policy), axis=1)
            estimate[:, sel, :] *= noise
            split = self._split(estimate)[:, sel, :]
            weight[:, sel, :] = (1.0 - lam) * base[None, sel, :] + lam * split
        return budget[None] * weight
