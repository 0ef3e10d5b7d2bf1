"""Progress of long work, shown where the user is looking.

`Progress(label, total, unit)` is called with the units done so far (`update(done)`, or
the object itself as a `(done, total)` callback, the form every long function of the
package accepts) and shows:

- on a terminal: a bar with the units done and the time left (rich, on stderr, gone
  when the work ends);
- in a Jupyter notebook: an HTML bar updated in place (IPython's display handles, no
  widget library needed), replaced at the end by one line saying how long it took;
- anywhere else (a pipe, a log file, a batch job): one plain line each time another
  ~10% of the work is done, with the time elapsed and left, so a long run sent to a log
  is never silent.

`delay` seconds pass before anything is shown, so quick work stays quiet; `mode="off"`
shows nothing. The module is part of the model's support code: the Python API
(`corredor.run`) and the command line both use it.
"""

from __future__ import annotations

import math
import sys
import time
from typing import IO, Any

MODES = ("auto", "terminal", "notebook", "lines", "off")


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where an HTML bar can be displayed)."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    try:
        ip = shell.get_ipython()
    except Exception:  # pragma: no cover - IPython without a running shell
        return False
    return ip is not None and getattr(ip, "kernel", None) is not None


def duration(seconds: float) -> str:
    """Seconds as '8 s', '2 min 05 s' or '1 h 04 min'."""
    if not math.isfinite(seconds):
        return "?"
    s = int(round(max(seconds, 0.0)))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def resolve_mode(mode: str | bool | None, stream: IO[str]) -> str:
    """'auto' (or True) becomes notebook, terminal or lines; False or None is 'off'."""
    if mode is True:
        mode = "auto"
    if mode is False or mode is None:
        return "off"
    if mode not in MODES:
        raise ValueError(f"unknown progress mode {mode!r}; use one of {', '.join(MODES)}")
    if mode != "auto":
        return mode
    if in_notebook():
        return "notebook"
    isatty = getattr(stream, "isatty", None)
    return "terminal" if isatty is not None and isatty() else "lines"


class Progress:
    """Progress of `total` units of work (see the module docstring)."""

    def __init__(
        self,
        label: str,
        total: float | None,
        unit: str = "",
        *,
        mode: str | bool = "auto",
        delay: float = 0.0,
        stream: IO[str] | None = None,
        step: float = 0.1,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.mode = resolve_mode(mode, self.stream)
        self.delay = delay
        self.step = step  # share of the work between two plain lines
        self.done = 0.0
        self.start = time.perf_counter()
        self._shown = False
        self._next_line = step
        self._rich: Any = None
        self._task: Any = None
        self._handle: Any = None
        self._last_html = 0.0
        self._base = 0.0

    # -- the interface callers use --------------------------------------------------------

    def __call__(self, done: float, total: float | None = None) -> None:
        self.update(done, total)

    def update(self, done: float, total: float | None = None, label: str | None = None) -> None:
        """Record that `done` units (of `total`, if it changed) are finished."""
        if total is not None:
            self.total = total
        if label is not None:
            self.label = label
        self.done = done
        if self.mode == "off":
            return
        elapsed = time.perf_counter() - self.start
        if not self._shown:
            if elapsed < self.delay:
                return
            self._open()
        if self.mode == "terminal":
            self._rich.update(self._task, completed=done, total=self.total, description=self.label)
        elif self.mode == "notebook":
            if time.perf_counter() - self._last_html > 0.25 or self._finished():
                self._show_html()
        elif self.mode == "lines":
            self._maybe_line(elapsed)

    def close(self) -> None:
        """End the display: the terminal bar disappears; a notebook or a log keeps one
        line saying how long the work took (only if something was shown)."""
        if not self._shown:
            return
        elapsed = time.perf_counter() - self.start
        if self.mode == "terminal":
            self._rich.stop()
        elif self.mode == "notebook":
            self._handle.update(self._html(final=True))
        elif self.mode == "lines" and self._finished():
            self._line(f"{self.label}: done, {self._count()} in {duration(elapsed)}")
        self._shown = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def restart(self, done: float = 0.0, total: float | None = None) -> None:
        """Count time from now, with `done` units already finished before (work found
        done, e.g. a resumed sweep, is not speed)."""
        if total is not None:
            self.total = total
        self.start = time.perf_counter()
        self._base = done
        frac = done / self.total if self.total else 0.0
        self._next_line = (math.floor(frac / self.step) + 1) * self.step
        self.update(done)

    # -- displays ---------------------------------------------------------------------------

    def _finished(self) -> bool:
        return bool(self.total) and self.done >= self.total

    def _fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 0.0

    def _eta(self, elapsed: float) -> float:
        base = self._base
        frac = self._fraction()
        start_frac = base / self.total if self.total else 0.0
        if frac <= start_frac or frac >= 1.0:
            return 0.0 if frac >= 1.0 else math.inf
        return elapsed * (1.0 - frac) / (frac - start_frac)

    def _count(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        done = f"{self.done:,.0f}"
        if self.done != int(self.done) and (self.total or 0) < 100:
            done = f"{self.done:,.1f}"  # a share of a few big units (scenarios)
        if self.total:
            return f"{done}/{self.total:,.0f}{unit}"
        return f"{self.done:,.0f}{unit}"

    def _open(self) -> None:
        self._shown = True
        if self.mode == "terminal":
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                TextColumn("{task.description}", style="bold", markup=False),
                BarColumn(),
                TextColumn(
                    ("{task.completed:,.0f}/{task.total:,.0f} " if self.total else "") + self.unit
                ),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._rich.start()
            self._task = self._rich.add_task(self.label, total=self.total)
        elif self.mode == "notebook":
            from IPython.display import display

            self._handle = display(self._html(), display_id=True)
            self._last_html = time.perf_counter()

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def _maybe_line(self, elapsed: float) -> None:
        if not self.total:
            return
        frac = self._fraction()
        if frac < self._next_line or frac >= 1.0:
            return
        while self._next_line <= frac:
            self._next_line += self.step
        self._line(
            f"{self.label}: {100 * frac:.0f}% ({self._count()}), {duration(elapsed)} elapsed, "
            f"about {duration(self._eta(elapsed))} left"
        )

    def _html(self, final: bool = False) -> Any:
        from html import escape

        from IPython.display import HTML

        elapsed = time.perf_counter() - self.start
        self._last_html = time.perf_counter()
        if final:
            return HTML(
                f"<div style='font-size:12px;color:#555'>{escape(self.label)}: "
                f"{escape(self._count())} in {duration(elapsed)}</div>"
            )
        pct = 100 * self._fraction()
        left = duration(self._eta(elapsed))
        return HTML(
            "<div style='font-size:12px'>"
            f"<progress value='{pct:.1f}' max='100' style='width:240px;vertical-align:middle'>"
            f"</progress> {escape(self.label)}: {pct:.0f}% ({escape(self._count())}), "
            f"{duration(elapsed)} elapsed, about {left} left</div>"
        )

    def _show_html(self) -> None:
        self._handle.update(self._html())


def reporter(
    progress: Any, label: str, total: float | None, unit: str, *, delay: float = 3.0
) -> tuple[Any, Progress | None]:
    """The callback to hand to long work, from a user's `progress=` argument: a callable
    is used as given; True/"auto"/None shows a `Progress` after `delay` seconds (so runs
    of a few seconds stay quiet); False shows nothing. Returns (callback, Progress to
    close or None)."""
    if callable(progress):
        return progress, None
    if progress is False:
        return None, None
    mode = "auto" if progress in (None, True) else progress
    bar = Progress(label, total, unit, mode=mode, delay=delay if progress is None else 0.0)
    return bar, bar
