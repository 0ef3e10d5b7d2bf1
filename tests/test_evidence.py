"""Every number in the default scenario cites an evidence entry that exists."""

from __future__ import annotations

from corredor.evidence import default_evidence, load_evidence, split_refs
from corredor.network import load_network
from corredor.parameters import PARAMS
from corredor.scenario import builtin_scenarios, load_scenario


def test_evidence_table_loads_and_values_lie_in_their_ranges():
    entries = default_evidence()
    assert len(entries) >= 40
    for e in entries.values():
        assert e.low <= e.value <= e.high, e.id


def test_every_parameter_cites_an_existing_entry():
    entries = default_evidence()
    missing = sorted({p.evidence for p in PARAMS.values()} - set(entries))
    assert not missing, missing


def test_every_network_reference_exists():
    entries = default_evidence()
    net = load_network("andean-pacific")
    missing = {ref: where[0] for ref, where in net.refs().items() if ref not in entries}
    assert not missing, missing


def test_every_scenario_reference_exists():
    entries = default_evidence()
    for name in builtin_scenarios():
        sc = load_scenario(name)
        cited = list(sc.raw.get("refs", []))
        for spec in (*sc.groups.values(), *sc.agencies.values()):
            cited += spec.refs
        missing = [r for r in cited if r not in entries]
        assert not missing, (name, missing)


def test_missing_reference_is_detected(tmp_path):
    """The check above can fail: a table without an id the parameters cite."""
    source = default_evidence()
    lines = tmp_path / "ev.csv"
    from corredor.evidence import default_path

    text = default_path().read_text(encoding="utf-8").splitlines()
    cited = PARAMS["traffickers.choice_sharpness"].evidence
    kept = [line for line in text if not line.startswith(cited + ",")]
    lines.write_text("\n".join(kept) + "\n", encoding="utf-8")
    reduced = load_evidence(lines)
    assert cited in source and cited not in reduced


def test_split_refs():
    assert split_refs("a; b;;c ") == ["a", "b", "c"]
    assert split_refs("") == []


def test_every_entry_has_a_source_and_a_short_quote():
    for e in default_evidence().values():
        assert e.publisher and e.title, e.id
        assert e.quote and len(e.quote.split()) <= 25, e.id
        assert e.confidence in {"high", "medium", "low"}, e.id
