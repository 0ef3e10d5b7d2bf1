"""Issue 14: bad input and faults never end in a traceback, a mixed or a lost output.

One test (at least) per numbered defect of the issue, each failing on the code before the
fix: encodings (1), output locations checked before computing and full disks (2), workers
outliving a killed sweep (3), outputs as a set with a lock (4), magnitudes (5), silently
accepted input (6), messages naming the wrong cause (7); then the CLI catch-all.
docs/reliability.md lists them by class.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINI, invoke_cli

ROOT = Path(__file__).resolve().parents[1]


def expect_error(code: int, text: str, *needles: str, status: int = 2) -> None:
    assert code == status, text
    assert "Traceback" not in text, text
    assert "error:" in text, text
    for needle in needles:
        assert needle in text, (needle, text)


@pytest.fixture
def no_compute(monkeypatch):
    """Make any simulation fail loudly: a check must stop the command before it."""
    from corredor.engine import Simulation

    def started(self, *args, **kwargs):
        raise AssertionError("the computation started before the check")

    monkeypatch.setattr(Simulation, "__init__", started)


def leftovers(folder: Path) -> list[str]:
    """Temporary folders, locks and probes left in `folder`."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- 1. encodings: one input layer ----------------------------------------------------------


def test_latin1_network_csv_names_file_byte_and_fix(capsys, monkeypatch, mini_copy, tmp_path):
    nodes = mini_copy.parent / "mini" / "nodes.csv"
    text = nodes.read_text(encoding="utf-8").replace("Ecuador border", "Nariño border")
    nodes.write_bytes(text.encode("cp1252"))  # what a spreadsheet saves as "CSV"
    code, out = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, out, "nodes.csv", "0xF1", "line 4", "not UTF-8", "save it as UTF-8")
    assert not (tmp_path / "o").exists()


def test_utf16_scenario_is_refused_with_the_fix(capsys, monkeypatch, tmp_path):
    path = tmp_path / "u16.toml"
    path.write_bytes(MINI.read_text(encoding="utf-8").encode("utf-16"))
    code, out = invoke_cli(["run", str(path), "--out", str(tmp_path / "o")], capsys, monkeypatch)
    expect_error(code, out, "u16.toml", "UTF-16", "save it as UTF-8")


def test_utf8_bom_is_read(mini_copy):
    from corredor.scenario import load_scenario

    mini_copy.write_bytes(b"\xef\xbb\xbf" + mini_copy.read_bytes())
    nodes = mini_copy.parent / "mini" / "edges.csv"
    nodes.write_bytes(b"\xef\xbb\xbf" + nodes.read_bytes())
    assert load_scenario(mini_copy).name == "mini"


@pytest.mark.parametrize("command", [["history", "--file"], ["calibrate", "--observed"]])
def test_binary_file_given_as_table(command, capsys, monkeypatch, tmp_path, no_compute):
    path = tmp_path / "series.csv"
    path.write_bytes(bytes(range(256)) * 4)
    args = [*command, str(path)]
    if command[0] == "calibrate":
        args += ["--out", str(tmp_path / "cal")]
    code, out = invoke_cli(args, capsys, monkeypatch)
    expect_error(code, out, "series.csv", "UTF-8")


def test_history_with_bom_and_posterior_in_latin1(capsys, monkeypatch, tmp_path):
    from corredor.history import default_path, load_history

    bom = tmp_path / "observed.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + default_path().read_bytes())
    assert len(load_history(bom)) > 10
    post = tmp_path / "posterior.csv"
    post.write_bytes("distance,violence.flow_coef\n0.1,0.5 \xb5\n".encode("latin-1"))
    code, out = invoke_cli(
        ["ensemble", str(MINI), "--posterior", str(post), "--out", str(tmp_path / "e")],
        capsys,
        monkeypatch,
    )
    expect_error(code, out, "posterior.csv", "0xB5", "--posterior")


# --- 2. output locations: checked before any computation; full disks --------------------


def test_out_below_a_file_is_refused_before_computing(capsys, monkeypatch, tmp_path, no_compute):
    (tmp_path / "afile").write_text("keep")
    code, out = invoke_cli(
        ["run", str(MINI), "--out", str(tmp_path / "afile" / "o")], capsys, monkeypatch
    )
    expect_error(code, out, "--out", "is a file")
    assert (tmp_path / "afile").read_text() == "keep"


def test_unwritable_out_is_refused_before_computing(capsys, monkeypatch, tmp_path, no_compute):
    """A place the process may not write to (monkeypatched: tests often run as root, for
    whom permissions do not apply)."""
    target = tmp_path / "ro"
    target.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def guarded_open(path, *args, **kwargs):
        if str(path).startswith(str(target)) and args and args[0] & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if str(path).startswith(str(target)):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    code, out = invoke_cli(["run", str(MINI), "--out", str(target / "o")], capsys, monkeypatch)
    expect_error(code, out, "--out", "permission denied")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_read_only_out_really_refused(capsys, monkeypatch, tmp_path, no_compute):
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o555)
    try:
        code, out = invoke_cli(["run", str(MINI), "--out", str(target / "o")], capsys, monkeypatch)
    finally:
        target.chmod(0o755)
    expect_error(code, out, "--out", "permission denied")


def test_compare_out_that_is_a_file_is_refused_before_computing(
    capsys, monkeypatch, tmp_path, no_compute
):
    (tmp_path / "afile").write_text("keep")
    code, out = invoke_cli(
        ["compare", str(MINI), str(MINI), "-r", "1", "--out", str(tmp_path / "afile")],
        capsys,
        monkeypatch,
    )
    expect_error(code, out, "--out", "is a file")
    assert (tmp_path / "afile").read_text() == "keep"


def test_calibrate_out_that_is_a_file_is_refused_before_the_fit(
    capsys, monkeypatch, tmp_path, no_compute
):
    (tmp_path / "afile").write_text("keep")
    code, out = invoke_cli(
        ["calibrate", str(MINI), "--maxiter", "1", "--out", str(tmp_path / "afile")],
        capsys,
        monkeypatch,
    )
    expect_error(code, out, "--out", "is a file")


def test_routes_csv_that_is_a_directory(capsys, monkeypatch, tmp_path, no_compute):
    code, out = invoke_cli(
        ["routes", str(MINI), "--year", "2016", "--csv", str(tmp_path)], capsys, monkeypatch
    )
    expect_error(code, out, "--csv", "is a directory")


def test_full_disk_gives_one_message_and_leaves_nothing(capsys, monkeypatch, tmp_path):
    import pandas as pd

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "o"
    code, text = invoke_cli(
        ["run", str(MINI), "--out", str(out), "--no-figures", "--resolution", "year"],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "--out", "no space left", "nothing was written")
    assert list(tmp_path.iterdir()) == []  # no output, no temporary folder, no lock


def test_too_little_free_space_is_refused_before_computing(
    capsys, monkeypatch, tmp_path, no_compute
):
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    code, text = invoke_cli(
        ["run", str(MINI), "-r", "8", "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "--out", "only 1.0 MB is free", "--resolution year")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE, SIGXFSZ")
def test_write_failure_inside_hdf5_is_not_a_segfault(tmp_path):
    """A file-size limit makes HDF5's own writes fail as on a full disk; that used to end
    in a segmentation fault (exit status 139) while h5netcdf closed the file."""
    script = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))\n"
        "sys.argv = ['corredor', 'run', sys.argv[1], '--no-figures', '--out', sys.argv[2]]\n"
        "from corredor.cli.main import main\n"
        "main()\n"
    )
    out = tmp_path / "o"
    proc = subprocess.run(
        [sys.executable, "-c", script, str(MINI), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, (proc.returncode, text[-2000:])
    assert "Traceback" not in text and "cannot write" in text
    assert list(tmp_path.iterdir()) == []


# --- 3. workers die with the main process -------------------------------------------------


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out.setdefault(int(fields[1]), []).append(int(entry))
    return out


def _descendants(pid: int) -> list[int]:
    tree, found, stack = _children(), [], [pid]
    while stack:
        for child in tree.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_a_sweep_leaves_no_worker(tmp_path):
    """SIGKILL of the main process (what the out-of-memory killer sends) used to leave the
    fork server, the workers and the resource tracker running forever."""
    cmd = [
        sys.executable,
        "-m",
        "corredor.cli",
        "sweep",
        str(MINI),
        "--lever",
        "ec_container_effort=1:4:64",
        "--lever-from",
        "2017",
        "-r",
        "2",
        "--workers",
        "2",
        "--chunk-points",
        "1",
        "--out",
        str(tmp_path / "s.zarr"),
    ]
    main = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    family: list[int] = []
    try:
        deadline = time.monotonic() + 120
        # wait for the fork server and both workers (three descendants, at least)
        while time.monotonic() < deadline and main.poll() is None:
            family = _descendants(main.pid)
            if len(family) >= 3 and (tmp_path / "s.zarr").exists():
                break
            time.sleep(0.2)
        assert main.poll() is None and len(family) >= 3, "the sweep did not start its workers"
        family = _descendants(main.pid)
        main.send_signal(signal.SIGKILL)
        main.wait()
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and any(_alive(p) for p in family):
            time.sleep(0.2)
        survivors = [p for p in family if _alive(p)]
        assert survivors == [], f"processes outlived the killed sweep: {survivors}"
    finally:
        if main.poll() is None:
            main.kill()
        for pid in family:  # never leave our own processes behind, even when failing
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- 4. outputs as a set, one writer at a time ------------------------------------------


def test_run_killed_before_the_figures_leaves_the_previous_set_whole(capsys, monkeypatch, tmp_path):
    import corredor.outputs.plots as plots

    def quick_figures(ds, outdir):  # the figures' content does not matter here
        names = ("corridors.png", "seizures.png", "map.png")
        for name in names:
            (Path(outdir) / name).write_bytes(b"png of seed 1")
        return [Path(outdir) / name for name in names]

    monkeypatch.setattr(plots, "write_figures", quick_figures)
    out = tmp_path / "o"
    code, text = invoke_cli(
        ["run", str(MINI), "--seed", "1", "--resolution", "year", "--out", str(out)],
        capsys,
        monkeypatch,
    )
    assert code == 0, text
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    script = (
        "import os, signal, sys\n"
        "import corredor.outputs.plots as plots\n"
        "plots.write_figures = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
        "sys.argv = ['corredor', 'run', sys.argv[1], '--seed', '2', '--resolution', 'year',\n"
        "            '--out', sys.argv[2]]\n"
        "from corredor.cli.main import main\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(MINI), str(out)], timeout=300)
    assert proc.returncode == -signal.SIGKILL
    after = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert after == before  # the killed run's results never reached the set
    stale = [p for p in out.iterdir() if p.name.startswith(".corredor-tmp-")]
    assert stale, "the killed run's (hidden) staging folder is in the target"
    code, text = invoke_cli(
        [
            "run",
            str(MINI),
            "--seed",
            "2",
            "--out",
            str(out),
            "--no-figures",
            "--resolution",
            "year",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, text
    assert "unfinished temporary folder" in text and "replaced the previous output" in text
    assert leftovers(tmp_path) == [] and leftovers(out) == []
    assert sorted(p.name for p in out.iterdir()) == [
        "corredor-manifest.json",
        "results.nc",
        "summary.csv",
    ]  # the old figures went with the set they belonged to


def test_second_writer_is_refused(capsys, monkeypatch, tmp_path, no_compute):
    from corredor.outset import OutputLock

    with OutputLock(tmp_path / "o", command="corredor run baseline"):
        code, text = invoke_cli(
            ["run", str(MINI), "--out", str(tmp_path / "o")], capsys, monkeypatch
        )
    expect_error(code, text, "another corredor process", f"pid {os.getpid()}", "--out")
    assert leftovers(tmp_path) == []


def test_two_sweeps_on_one_new_store(capsys, monkeypatch, tmp_path):
    """Two real sweeps on one new --out: the second is refused at once, naming the first,
    and leaves nothing (it used to crash with a traceback and leave its temporary
    folder)."""
    store = tmp_path / "s.zarr"
    args = ["sweep", str(MINI), "--lever", "ec_container_effort=1:4:16", "--lever-from", "2017"]
    args += ["-r", "2", "--workers", "1", "--chunk-points", "1", "--out", str(store)]
    first = subprocess.Popen(
        [sys.executable, "-m", "corredor.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None and not store.exists():
            time.sleep(0.1)
        assert first.poll() is None, "the first sweep ended too soon to overlap"
        before = leftovers(tmp_path)
        code, text = invoke_cli(args, capsys, monkeypatch)
        after = leftovers(tmp_path)
        assert first.poll() is None, "the first sweep ended before the second was refused"
    finally:
        family = _descendants(first.pid) if sys.platform.startswith("linux") else []
        first.kill()
        first.wait()
        time.sleep(0.5)
        for pid in family:  # its workers end by themselves; never leave them behind anyway
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    expect_error(code, text, "another corredor process", f"pid {first.pid}", "--out")
    assert after == before  # the second sweep created nothing, not even a temporary folder


def test_files_corredor_did_not_write_are_not_overwritten(capsys, monkeypatch, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "summary.csv").write_text("my own table")
    (out / "notes.txt").write_text("mine")
    args = ["run", str(MINI), "--out", str(out), "--no-figures"]
    code, text = invoke_cli(args, capsys, monkeypatch)
    expect_error(code, text, "summary.csv", "not written by corredor", "--force")
    assert (out / "summary.csv").read_text() == "my own table"
    code, text = invoke_cli([*args, "--force"], capsys, monkeypatch)
    assert code == 0, text
    assert (out / "summary.csv").read_text().startswith("year,metric,region")
    assert (out / "notes.txt").read_text() == "mine"  # unrelated files are never touched


def test_interrupted_move_is_marked_and_repaired(tmp_path, monkeypatch):
    """A kill while files are moved into an existing folder leaves it marked as mixed."""
    from corredor import outset

    out = tmp_path / "o"
    with outset.OutputSet(out, command="first", names=["a.txt", "b.txt"]) as s:
        (s.staging / "a.txt").write_text("1")
        (s.staging / "b.txt").write_text("1")
    real_replace = os.replace
    calls = []

    def dies_on_second(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as good as a kill for the folder's state
        return real_replace(src, dst)

    monkeypatch.setattr(outset.os, "replace", dies_on_second)
    with pytest.raises(KeyboardInterrupt), outset.OutputSet(out, command="second") as s:
        (s.staging / "a.txt").write_text("2")
        (s.staging / "b.txt").write_text("2")
    assert (out / outset.INCOMPLETE).exists() and not (out / outset.MANIFEST).exists()
    monkeypatch.setattr(outset.os, "replace", real_replace)
    notes = []
    with outset.OutputSet(out, command="third", names=["a.txt", "b.txt"], say=notes.append) as s:
        (s.staging / "a.txt").write_text("3")
        (s.staging / "b.txt").write_text("3")
    assert any("interrupted" in n for n in notes)
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b.txt", outset.MANIFEST]
    assert outset.read_manifest(out)["command"] == "third"
    assert leftovers(tmp_path) == []


def test_stale_store_creation_of_a_killed_sweep_is_removed(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import contextmanager

    import corredor.analysis.executors as executors
    from corredor.analysis.sweep import run_sweep

    @contextmanager
    def in_process(*args, **kwargs):  # the store is what matters here, not the workers
        with ThreadPoolExecutor(1) as pool:
            yield pool

    monkeypatch.setattr(executors, "executor", in_process)
    stale = tmp_path / ".s.zarr.creating-999999"
    stale.mkdir()
    (stale / "zarr.json").write_text("{}")
    result = run_sweep(
        MINI,
        ["ec_container_effort=1:2:2"],
        out=tmp_path / "s.zarr",
        lever_year=2020,
        replicates=1,
    )
    assert any("creating-999999" in note for note in result.notes)
    assert not stale.exists() and leftovers(tmp_path) == []


# --- 5. magnitudes ---------------------------------------------------------------------------


def test_huge_seed_is_refused_before_running(capsys, monkeypatch, tmp_path, no_compute):
    code, text = invoke_cli(
        ["run", str(MINI), "--seed", "1180591620717411303424", "--out", str(tmp_path / "o")],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "--seed", "2**63 - 1")
    assert list(tmp_path.iterdir()) == []


def test_huge_replicates_refused_with_the_numbers(capsys, monkeypatch, tmp_path, no_compute):
    # `--resolution auto` (the default) has already chosen yearly results: the fix left
    # is fewer replicates; asked for weekly, the message also points to yearly results.
    code, text = invoke_cli(
        ["run", str(MINI), "-r", "1000000000", "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "--replicates", "of memory", "available", "fewer replicates")
    code, text = invoke_cli(
        ["run", str(MINI), "-r", "1000000000", "--resolution", "week", "--out", str(tmp_path)],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "--resolution", "--resolution year", "replicates")


def test_huge_sweep_design_refused(capsys, monkeypatch, tmp_path):
    code, text = invoke_cli(
        [
            "sweep",
            str(MINI),
            "--lever",
            "ec_container_effort=1:4:1000000000",
            "--lever-from",
            "2017",
            "--out",
            str(tmp_path / "s.zarr"),
        ],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "--lever", "1,000,000,000 points", "memory")
    assert list(tmp_path.iterdir()) == []


def test_huge_ensemble_refused(capsys, monkeypatch, tmp_path, no_compute):
    code, text = invoke_cli(
        ["ensemble", str(MINI), "--n", "1000000000", "-r", "1000", "--out", str(tmp_path / "e")],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "--n", "memory")


def test_budget_too_large_to_compute_with(capsys, monkeypatch, mini_copy, tmp_path):
    mini_copy.write_text(mini_copy.read_text().replace("container = 20 }", "container = 1e308 }"))
    code, text = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "agencies.EU.budget.container", "1e+308")


def test_infinite_distance_is_refused(capsys, monkeypatch, mini_copy, tmp_path):
    edges = mini_copy.parent / "mini" / "edges.csv"
    edges.write_text(
        edges.read_text().replace(
            "s-border,co-south,ec-border,road,200,", "s-border,co-south,ec-border,road,inf,"
        )
    )
    code, text = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "edges.csv", "row 2, distance_km", "finite")


def test_non_finite_results_are_an_error_not_a_success():
    import numpy as np

    from corredor.api import check_finite
    from corredor.errors import CorredorError
    from corredor.scenario import load_scenario

    sc = load_scenario(MINI)
    check_finite({"cost_usd": np.ones((1, 2, 3))}, sc)
    with pytest.raises(CorredorError, match="cost_usd"):
        check_finite({"cost_usd": np.array([[[1.0, np.inf]]])}, sc)


# --- 6. silently accepted --------------------------------------------------------------------

LATE = """
[[interventions]]
name = "too late"
what = "effort"
country = ["EC"]
from = "2025-01-01"
factor = 2.0
"""


def test_intervention_after_the_end_is_an_error(capsys, monkeypatch, mini_copy, tmp_path):
    mini_copy.write_text(mini_copy.read_text() + LATE)
    code, text = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "mini.toml", "interventions[1]", "too late", "never act", "2020")


def test_inherited_intervention_outside_a_shortened_period_is_a_warning(mini_copy, tmp_path):
    from corredor.scenario import load_scenario

    parent = mini_copy.read_text().replace("end = 2020", "end = 2030") + LATE
    mini_copy.write_text(parent)
    child = tmp_path / "child.toml"
    child.write_text('extends = "mini.toml"\nend = 2020\n')
    sc = load_scenario(child)
    assert any("too late" in note and "never acts" in note for note in sc.notes)
    assert load_scenario(mini_copy).with_period(end=2019).notes


@pytest.mark.parametrize(
    "edit, field",
    [
        (
            lambda t: t.replace(
                'title = "A ten-node', 'refs = ["no-such-entry"]\ntitle = "A ten-node'
            ),
            "refs",
        ),
        (
            lambda t: t + LATE.replace("2025-01-01", "2016-01-01") + 'refs = ["no-such-entry"]\n',
            "interventions[1].refs",
        ),
        (
            lambda t: t.replace(
                'jurisdictions = ["NL"]', 'jurisdictions = ["NL"]\nrefs = ["no-such-entry"]'
            ),
            "agencies.EU.refs",
        ),
    ],
)
def test_unknown_evidence_ids_are_an_error(edit, field, capsys, monkeypatch, mini_copy, tmp_path):
    mini_copy.write_text(edit(mini_copy.read_text()))
    code, text = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, field, "unknown evidence id 'no-such-entry'", "evidence.csv")


# --- 7. messages name the real cause ----------------------------------------------------------


def test_unknown_country_code_is_named(capsys, monkeypatch, mini_copy, tmp_path):
    nodes = mini_copy.parent / "mini" / "nodes.csv"
    nodes.write_text(
        nodes.read_text().replace(
            "co-north,Northern Colombia,production,CO", "co-north,Northern Colombia,production,ZZ"
        )
    )
    code, text = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "nodes.csv", "row 3, country", "'ZZ'", "countries.csv")
    assert "production shares" not in text


def test_unbalanced_quote_is_named(capsys, monkeypatch, mini_copy, tmp_path):
    nodes = mini_copy.parent / "mini" / "nodes.csv"
    nodes.write_text(
        nodes.read_text().replace("ec-border,Ecuador border,", 'ec-border,"Ecuador border,')
    )
    code, text = invoke_cli(
        ["run", str(mini_copy), "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "nodes.csv", "line 4", "quote", "not closed")
    assert "value is missing" not in text


def test_start_beyond_the_scenario_blames_the_option(capsys, monkeypatch, tmp_path):
    code, text = invoke_cli(
        ["run", str(MINI), "--start", "2025", "--out", str(tmp_path / "o")], capsys, monkeypatch
    )
    expect_error(code, text, "--start", "last year 2020")
    assert "mini.toml" not in text


def test_bogus_sensitivity_method_is_named(capsys, monkeypatch, tmp_path):
    code, text = invoke_cli(
        ["sensitivity", str(MINI), "--method", "bogus", "--out", str(tmp_path / "s")],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "--method", "'bogus'")
    assert "outcome" not in text


def test_extends_circle_names_the_files(capsys, monkeypatch, tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    code, text = invoke_cli(["run", str(tmp_path / "a.toml")], capsys, monkeypatch)
    expect_error(code, text, "circle", "a.toml -> b.toml -> a.toml")
    assert "extends itself" not in text


def test_deep_extends_chain_is_an_error_not_a_recursion_error(capsys, monkeypatch, tmp_path):
    shutil.copy(MINI, tmp_path / "mini.toml")
    shutil.copytree(MINI.parent / "mini", tmp_path / "mini")
    depth = 1500
    for i in range(depth):
        parent = f"deep{i + 1}.toml" if i + 1 < depth else "mini.toml"
        (tmp_path / f"deep{i}.toml").write_text(f'extends = "{parent}"\n')
    code, text = invoke_cli(["run", str(tmp_path / "deep0.toml")], capsys, monkeypatch)
    expect_error(code, text, "deep0.toml", "more than 64 levels")


@pytest.mark.parametrize("command", [["run"], ["history", "--file"], ["ensemble", "--posterior"]])
def test_directory_given_as_a_file(command, capsys, monkeypatch, tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    args = [*command, str(folder)]
    if command[0] == "ensemble":
        args = ["ensemble", str(MINI), "--posterior", str(folder), "--out", str(tmp_path / "e")]
    code, text = invoke_cli(args, capsys, monkeypatch)
    expect_error(code, text, "adir", "is a directory")
    assert "not found" not in text


def test_routes_with_zero_replicates(capsys, monkeypatch):
    code, text = invoke_cli(["routes", str(MINI), "-r", "0", "--year", "2016"], capsys, monkeypatch)
    expect_error(code, text, "--replicates", "at least 1")


# --- the catch-all: no traceback, ever --------------------------------------------------------


def test_unexpected_error_becomes_one_line_a_log_and_a_request(capsys, monkeypatch, tmp_path):
    import corredor.api

    def broken(*args, **kwargs):
        raise RuntimeError("boom in the engine")

    monkeypatch.setattr(corredor.api, "run", broken)
    monkeypatch.setenv("CORREDOR_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("CORREDOR_DEBUG", raising=False)
    code, text = invoke_cli(["run", str(MINI), "--out", str(tmp_path / "o")], capsys, monkeypatch)
    expect_error(
        code, text, "`corredor run`", "RuntimeError: boom in the engine", "report", status=1
    )
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 1 and logs[0].name in text.replace("\n", "")
    detail = logs[0].read_text()
    assert "Traceback" in detail and "boom in the engine" in detail and "command:" in detail
    assert not (tmp_path / "o").exists() and leftovers(tmp_path) == []


def test_memory_error_is_explained(capsys, monkeypatch, tmp_path):
    import corredor.api

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(corredor.api, "run", exhausted)
    code, text = invoke_cli(["run", str(MINI), "--out", str(tmp_path / "o")], capsys, monkeypatch)
    expect_error(code, text, "ran out of memory", "fewer replicates")


def test_closed_pipe_is_quiet(capsys, monkeypatch):
    # `corredor parameters | head -1`: the reader goes away while we write
    import corredor.cli.formats as formats

    def gone(*args, **kwargs):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(formats, "emit", gone)
    monkeypatch.setattr("corredor.cli.inputs.emit", gone, raising=False)
    code, text = invoke_cli(["parameters"], capsys, monkeypatch)
    assert code == 1 and "Traceback" not in text and "error" not in text


def test_sweep_store_on_a_full_disk_says_how_to_resume(capsys, monkeypatch, tmp_path):
    import corredor.analysis.sweep as sweep

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "s.zarr"))

    monkeypatch.setattr(sweep, "run_sweep", full)
    code, text = invoke_cli(
        [
            "sweep",
            str(MINI),
            "--lever",
            "ec_container_effort=1:2:2",
            "--out",
            str(tmp_path / "s.zarr"),
        ],
        capsys,
        monkeypatch,
    )
    expect_error(code, text, "no space left", "--resume")


def test_debug_shows_the_traceback(capsys, monkeypatch, tmp_path):
    import corredor.api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(corredor.api, "run", broken)
    monkeypatch.setenv("CORREDOR_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        invoke_cli(["run", str(MINI), "--out", str(tmp_path / "o")], capsys, monkeypatch)


def test_reliability_doc_counts_its_classes_and_names_real_tests():
    """docs/reliability.md: the count it states is the number of rows of its table, and
    every test it names exists."""
    import re

    text = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| *\d+ *\|", line)]
    stated = re.search(r"(\d+) classes of bad input and fault", text)
    assert stated and int(stated.group(1)) == len(rows)
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    for name in re.findall(r"`(test_[a-z0-9_]+)`", text):
        assert f"def {name}(" in source, name
