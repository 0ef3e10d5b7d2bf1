"""The HTML report: its contents, that it is self-contained, findings that follow the
numbers, atomic writing and bad input."""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest

from conftest import invoke_cli
from corredor.evidence import default_evidence
from corredor.outputs import report
from corredor.outputs.plots import plot_flow_change_map, plot_scenario_panels
from corredor.outputs.report import findings, fmt_number, split_header, write_report
from corredor.scenario import load_scenario
from test_plots import assert_png, synthetic

HEADER = "# A short copy of {parent} for tests.\n#\n# Only the period differs.\n"


@pytest.fixture(scope="module")
def short(tmp_path_factory) -> dict[str, str]:
    """Built-in scenarios cut to 2024-2027 (same name, question and refs), so a report runs
    in seconds; keyed by the built-in name, values are the file paths."""
    folder = tmp_path_factory.mktemp("scenarios")
    paths = {}
    for parent in ("baseline", "boat-strikes"):
        path = folder / f"short-{parent}.toml"
        path.write_text(
            HEADER.format(parent=parent) + f'extends = "{parent}"\nstart = 2024\nend = 2027\n',
            encoding="utf-8",
        )
        paths[parent] = str(path)
    return paths


@pytest.fixture(scope="module")
def two(short, tmp_path_factory):
    """A report of baseline against boat strikes: (path of report.html, its text)."""
    out = tmp_path_factory.mktemp("two") / "report"
    path = write_report(
        [short["baseline"], short["boat-strikes"]],
        out=out,
        replicates=2,
        seed=3,
        first=2025,
        command="corredor report (test)",
    )
    return path, path.read_text(encoding="utf-8")


def test_report_has_every_section(two, short):
    path, page = two
    assert path.name == "report.html" and path.exists()
    for name in ("baseline", "boat-strikes"):
        sc = load_scenario(short[name])
        assert html.escape(sc.raw["question"]) in page
        assert html.escape(sc.title) in page
        for ref in sc.raw["refs"]:
            assert ref in page
            entry = default_evidence()[ref]
            assert html.escape(entry.quote) in page  # the source, not only its id
    assert "A short copy of boat-strikes for tests." in page  # the file's header comment
    table = pd.read_csv(path.parent / "comparison.csv")
    assert set(table.scenario) == {short["baseline"], short["boat-strikes"]}
    for label in table.label.unique():
        assert html.escape(label) in page
    assert "Compared with Baseline, Boat strikes widened" in page  # generated findings
    assert "90% interval of the difference" in page
    # provenance
    assert "corredor report (test)" in page and "2025–2027" in page
    assert re.search(r"<dt>seed</dt><dd>3</dd>", page)
    assert re.search(r"<dt>replicates</dt><dd>2</dd>", page)


def test_report_is_self_contained(two):
    path, page = two
    images = re.findall(r"src='data:image/png;base64,[A-Za-z0-9+/=]{1000,}'", page)
    assert len(images) >= 5  # key outcomes, violence, corridors, countries, change map
    lowered = page.lower()
    assert not re.search(r"src\s*=\s*['\"]?\s*(https?:)?//", lowered)
    assert "<link" not in lowered and "<script" not in lowered
    assert "@import" not in lowered and "url(" not in lowered
    names = {p.name for p in (path.parent / "figures").iterdir()}
    assert {"key-outcomes.png", "corridors.png", "countries.png", "map-change-1.png"} <= names
    assert not [p for p in path.parent.parent.iterdir() if ".tmp-" in p.name]


def test_cli_single_scenario_into_an_existing_directory(short, tmp_path, capsys, monkeypatch):
    out = tmp_path / "rep"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, text = invoke_cli(
        ["report", short["baseline"], "-r", "1", "--from", "2026", "-o", str(out)],
        capsys,
        monkeypatch,
    )
    assert code == 0, text
    assert str(out / "report.html") in text.replace("\n", "")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert (out / "notes.txt").read_text() == "mine"  # other files are left alone
    assert "Δ" not in page and "Compared with" not in page  # nothing to compare against
    assert "Over 2026–2027 in Baseline:" in page
    assert "Map of flows" in page and page.count("data:image/png;base64,") >= 4
    assert "report " + short["baseline"] in page  # the command line, in the footer


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["no-such-scenario"], "no-such-scenario"),
        (["baseline", "-r", "0"], "--replicates"),
        (["baseline", "--from", "2028", "--to", "2026"], "--from"),
        (["baseline", "--from", "2001"], "--from/--to"),
        (["baseline", "baseline"], "given twice"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(args, field, tmp_path, capsys, monkeypatch):
    out = tmp_path / "rep"
    code, text = invoke_cli(["report", *args, "-o", str(out)], capsys, monkeypatch)
    assert code == 2, text
    assert field in text and "Fix:" in text
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused(tmp_path, capsys, monkeypatch):
    out = tmp_path / "report.html"
    out.write_text("keep")
    code, text = invoke_cli(["report", "baseline", "-o", str(out)], capsys, monkeypatch)
    assert code == 2 and "--out" in text
    assert out.read_text() == "keep"


def test_a_failure_while_drawing_leaves_nothing(short, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("figure failed")

    monkeypatch.setattr(report, "make_figures", broken)
    with pytest.raises(RuntimeError):
        write_report([short["baseline"]], out=tmp_path / "rep", replicates=1)
    assert list(tmp_path.iterdir()) == []


# --- findings: generated from the numbers ---------------------------------------------------

LABELS = {
    "delivered_t": "Delivered, all markets (t)",
    "seized_t": "Seized (t)",
    "transit_ec_t": "Flow through Ecuador (t)",
    "deaths_crew": "Crew killed in strikes",
    "cost_usd_per_kg": "Cost per kg kept from consumers (USD/kg)",
}


def table(policy: dict[str, tuple[float, float, float]], deaths: float = 0.0) -> pd.DataFrame:
    """A comparison table: reference levels fixed; the policy's (diff, p05, p95) by outcome."""
    base = {"delivered_t": 10_000.0, "seized_t": 2_000.0, "transit_ec_t": 4_000.0}
    base |= {"deaths_crew": deaths, "cost_usd_per_kg": math.nan}
    rows = []
    for outcome, level in base.items():
        row = dict(outcome=outcome, label=LABELS[outcome], mean=level, p05=0.9 * level)
        rows.append(row | dict(scenario="base", p95=1.1 * level, diff_mean=0.0))
        d, lo, hi = policy.get(outcome, (math.nan, math.nan, math.nan))
        rows.append(
            row
            | dict(scenario="policy", mean=level + d, p95=1.1 * level + d)
            | dict(diff_mean=d, diff_p05=lo, diff_p95=hi)
        )
    df = pd.DataFrame(rows)
    df.loc[df.scenario == "base", ["diff_p05", "diff_p95"]] = 0.0
    return df


TITLES = {"base": "Baseline", "policy": "Ports secured"}


def test_findings_follow_the_sign_and_the_interval():
    down = table({"delivered_t": (-577.0, -631.0, -507.0)})
    text = " ".join(findings(down, 2027, 2030, titles=TITLES, replicates=16))
    assert (
        "Compared with Baseline, Ports secured reduces cocaine delivered to consumer markets "
        "by 577 t over 2027–2030" in text
    )
    assert "90% interval of the difference −631 to −507 t" in text
    assert "−5.8%" in text
    assert "not distinguishable" not in text

    up = table({"delivered_t": (577.0, 507.0, 631.0)})
    text = " ".join(findings(up, 2027, 2030, titles=TITLES))
    assert "Ports secured increases cocaine delivered to consumer markets by 577 t" in text
    assert "+507 to +631 t" in text and "reduces" not in text

    # an effect whose interval includes zero gets no direction: neither "reduces" nor
    # "increases" (the old wording said "reduces ... by 10 t")
    unclear = table({"delivered_t": (-10.0, -30.0, 12.0)})
    text = " ".join(findings(unclear, 2027, 2030, titles=TITLES))
    assert "reduces" not in text and "increases" not in text
    assert (
        "Ports secured has no effect on cocaine delivered to consumer markets "
        "distinguishable from zero over 2027–2030: the difference is −10 t" in text
    )
    assert "90% interval of the difference −30 to +12 t)." in text


def test_findings_name_the_largest_relative_changes_and_the_unclear_ones():
    df = table(
        {
            "delivered_t": (-500.0, -600.0, -400.0),
            "seized_t": (600.0, 500.0, 700.0),  # +30%
            "transit_ec_t": (400.0, 300.0, 500.0),  # +10%
        }
    )
    text = " ".join(findings(df, 2027, 2030, titles=TITLES))
    assert "seizures +30% (2,000 to 2,600 t) and flow through Ecuador +10%" in text
    df = table({"delivered_t": (-500.0, -600.0, -400.0), "seized_t": (5.0, -50.0, 60.0)})
    text = " ".join(findings(df, 2027, 2030, titles=TITLES))
    assert "Not distinguishable from zero: seizures." in text
    # an outcome defined only against the reference (no level of its own there)
    sel = (df.scenario == "policy") & (df.outcome == "cost_usd_per_kg")
    df.loc[sel, ["mean", "p05", "p95"]] = [1234.0, 1000.0, 1500.0]
    text = " ".join(findings(df, 2027, 2030, titles=TITLES))
    assert (
        "Measured against the reference: cost per kg kept from consumers 1,234 USD/kg "
        "(90% interval 1,000 to 1,500 USD/kg)." in text
    )


def test_findings_mention_strike_deaths_only_when_there_are_any():
    quiet = " ".join(findings(table({"delivered_t": (-1.0, -2.0, -0.5)}), 2026, 2030))
    assert "Lethal strikes" not in quiet
    df = table({"delivered_t": (-1.0, -2.0, -0.5), "deaths_crew": (20.0, 15.0, 26.0)}, 40.0)
    text = findings(df, 2026, 2030, titles=TITLES)
    assert "Lethal strikes kill 40 crew members (90% range 36 to 44) over 2026–2030" in text[0]
    assert "Lethal strikes kill 60 crew members" in text[1]
    assert "compared with Baseline that is +20 (90% interval +15 to +26)" in text[1]


def test_findings_of_one_scenario_and_of_missing_differences():
    df = table({})
    one = df[df.scenario == "base"].assign(diff_mean=math.nan, diff_p05=math.nan)
    text = findings(one, 2026, 2030, titles=TITLES, replicates=2)
    assert text[0].startswith("Over 2026–2030 in Baseline: cocaine delivered to consumer")
    assert "10,000 t (90% range 9,000 to 11,000 t)" in text[0]
    assert not any("Compared with" in p for p in text)
    assert "With 2 replicates they are rough" in text[-1]
    text = " ".join(findings(df, 2026, 2030, titles=TITLES))  # policy rows all NaN
    assert "difference from Baseline is not available" in text


def test_numbers_are_rounded_by_magnitude():
    assert fmt_number(13258.2) == "13,258"
    assert fmt_number(-577.4) == "−577"
    assert fmt_number(42.84, signed=True) == "+42.8"
    assert fmt_number(0.5312) == "0.531"
    assert fmt_number(0.0) == "0" and fmt_number(math.nan) == "–"


def test_header_comment_is_split_from_the_toml():
    header, body = split_header("# Title line\n#\n#     corredor run x\nname = 'x'\n# later\n")
    assert header == "Title line\n\n    corredor run x"
    assert body == "name = 'x'\n# later"


# --- the new figure functions ---------------------------------------------------------------


def test_change_map_and_scenario_panels_draw(tmp_path):
    ref, new = synthetic(seed=1), synthetic(seed=2)
    assert_png(plot_flow_change_map(ref, new, tmp_path / "change.png", names=("a", "b")))
    assert_png(plot_flow_change_map(ref, ref, tmp_path / "same.png", first=2021, last=2021))
    annual = {
        label: ds["seized_kg"].groupby("year").sum("time").sum("country")
        for label, ds in (("a", ref), ("b", new))
    }
    panels = [("seized", annual), ("seized again", annual)]
    path = plot_scenario_panels(
        panels, tmp_path / "panels.png", title="t", ylabel="t/yr", window=(2021, 2021)
    )
    assert_png(path)


def test_report_with_parameter_draws(tmp_path, capsys, monkeypatch):
    """--draws: every scenario runs the same parameter draws, and the text says the
    intervals include parameter uncertainty."""
    from conftest import MINI

    policy = tmp_path / "policy.toml"
    policy.write_text(
        f'extends = "{MINI}"\nname = "policy"\ntitle = "More road effort"\n'
        'question = "What does more road effort change?"\n[[interventions]]\n'
        'what = "effort"\nmode = "road"\nagency = "EC"\nfrom = "2016"\nfactor = 3\n'
    )
    out = tmp_path / "rep"
    args = ["report", str(MINI), str(policy), "--draws", "4", "-r", "1", "-w", "1"]
    code, text = invoke_cli([*args, "-o", str(out)], capsys, monkeypatch)
    assert code == 0, text
    page = (out / "report.html").read_text()
    assert "4 draws of the uncertain parameters" in page and "4 runs per scenario" in page
    code, text = invoke_cli(
        [*args[:-4], "--draws", "-1", "-o", str(tmp_path / "x")], capsys, monkeypatch
    )
    assert code == 2 and "--draws" in text


def test_report_carries_caveats_costs_and_the_evidence_split(two):
    """Next to the numbers: the failed validation checks bearing on a row (the strike
    campaign), 'cost not modelled' for a strike share, a caveat after the strike deaths
    in the findings, and how many numbers rest on external sources."""
    _, page = two
    # Model v2 passes the strike checks; the failed price checks bear on the rows
    assert "of the stage prices fall in their published ranges" in page
    assert page.count("class='caveat'") >= 2  # strike-related rows carry it
    assert "cost not modelled" in page
    findings_part = page.split("id='findings'")[1].split("</section>")[0]
    assert "Lethal strikes kill" in findings_part
    # Model v2 passes the strike checks, so no failed check follows the deaths here; the
    # rule itself: the caveats on strike deaths follow the deaths sentence
    from corredor.outputs.report import _with_caveats

    assert _with_caveats("Kill 3.", {"deaths_crew": ["c1"], "seized_t": ["c2"]}) == (
        "Kill 3. Caveat: c1"
    )
    assert "rest on external sources" in page
    assert html.escape("Corredor's own assumptions") in page
    assert "Corredor assumption" in page  # each cited entry says what it rests on
