"""Default run settings of the dashboard, read from the environment.

`corredor dashboard` and the tests set them to start the app with other defaults (a
quick demo, a short period in a browser test); the sidebar changes them per session.

| variable                        | setting                         | default |
|---------------------------------|---------------------------------|---------|
| CORREDOR_DASHBOARD_REPLICATES   | replicates per run              | 16      |
| CORREDOR_DASHBOARD_SEED         | seed shared by every run        | 1       |
| CORREDOR_DASHBOARD_START        | first year simulated            | 2015    |
| CORREDOR_DASHBOARD_END          | last year simulated             | 2030    |
| CORREDOR_DASHBOARD_LEVER_YEAR   | year policies act from (1 Jan)  | 2026    |
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from corredor.dashboard.model import Settings
from corredor.errors import CorredorError

ENV = {
    "replicates": "CORREDOR_DASHBOARD_REPLICATES",
    "seed": "CORREDOR_DASHBOARD_SEED",
    "start": "CORREDOR_DASHBOARD_START",
    "end": "CORREDOR_DASHBOARD_END",
    "lever_year": "CORREDOR_DASHBOARD_LEVER_YEAR",
}


def default_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment (unset variables keep `Settings`' defaults), or a
    CorredorError naming the variable and the fix."""
    environ = os.environ if environ is None else environ
    values = {}
    for field, var in ENV.items():
        raw = environ.get(var, "").strip()
        if not raw:
            continue
        try:
            values[field] = int(raw)
        except ValueError:
            raise CorredorError(
                f"{raw!r} is not a whole number",
                field=var,
                fix=f"set {var} to an integer such as {getattr(Settings(), field)}, or unset it",
            ) from None
    try:
        return Settings(**values).check()
    except CorredorError as exc:
        names = ", ".join(v for f, v in ENV.items() if f in values)
        raise CorredorError(exc.what, field=names or exc.field, fix=exc.fix) from None
