"""Violence and enforcement swamping: the pieces that turn flows into homicides and
detections, checked on random inputs (hypothesis) and on small hand-made cases."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from corredor import interdiction, violence
from corredor.parameters import Series

GROUPS = ["local-a", "local-b", "foreign"]


def _handlers():
    own = {"local-a": {"EC"}, "local-b": {"EC"}, "foreign": {"CO", "co-farm"}}
    allies = {"local-a": {"foreign"}, "local-b": {"foreign"}, "foreign": {"local-a", "local-b"}}
    nodes = [("ec-port", "EC", False), ("co-hub", "CO", False), ("sea", "XS", True)]
    return violence.handler_matrix(GROUPS, own, allies, nodes)


def test_handler_matrix_moves_foreign_cargo_to_the_allies_holding_the_ground():
    h = _handlers()
    np.testing.assert_allclose(h.sum(axis=2), 1.0)
    # in Ecuador the foreign group's cargo is split between its two local allies
    np.testing.assert_allclose(h[0, 2], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(h[0, :2], np.eye(3)[:2])
    # in Colombia the foreign group moves its local allies' cargo; at sea all move their own
    np.testing.assert_allclose(h[1][:, 2], 1.0)
    np.testing.assert_allclose(h[2], np.eye(3))


def test_faction_split_is_the_chance_two_kg_belong_to_different_factions():
    times = np.array([2019.0, 2021.0, 2022.0])
    k = violence.faction_count([Series((2020.0, 2022.0), (1.0, 4.0)), Series.constant(1.0)], times)
    np.testing.assert_allclose(k[:, 0], [1.0, 2.5, 4.0])
    split = violence.faction_split(k)
    np.testing.assert_allclose(split[:, 0], [0.0, 1 - 1 / 2.5, 0.75])
    np.testing.assert_allclose(split[:, 1], 0.0)


def test_a_split_group_alone_at_a_node_is_contested_and_a_united_one_is_not():
    kg = np.zeros((1, 3, 3))
    kg[0, 0, 0] = 4000.0  # 4 t of one group at node 0
    rival = 1.0 - np.eye(3)
    united = violence.expected_homicides(kg, rival, 0.0, 1.0, np.ones(3))
    split = violence.expected_homicides(kg, rival, 0.0, 1.0, np.array([4.0, 1.0, 1.0]))
    assert united[0, 0] == 0.0
    np.testing.assert_allclose(split[0, 0], 3.0)  # 4 t x (1 - 1/4)
    # with the fragmentation exponent, per contested tonne x (4 effective factions)^beta
    frag = violence.expected_homicides(kg, rival, 0.0, 1.0, np.array([4.0, 1, 1]), None, 0.5)
    np.testing.assert_allclose(frag[0, 0], 3.0 * 2.0)
    # a united group alone has one effective faction and no contest, whatever beta
    alone = violence.expected_homicides(kg, rival, 0.0, 1.0, np.ones(3), None, 2.0)
    assert alone[0, 0] == 0.0


def test_effective_number_of_factions_is_one_over_their_herfindahl_index():
    kg = np.zeros((1, 3, 1))
    kg[0, 0, 0], kg[0, 1, 0] = 3000.0, 1000.0  # 3 t of a (split in 3), 1 t of b (united)
    rival = 1.0 - np.eye(3)
    k = np.array([3.0, 1.0, 1.0])
    flat = violence.expected_homicides(kg, rival, 0.0, 1.0, k)
    # contested: (2*3*1 + (1 - 1/3) * 9) / 4 = 3 t; factions' shares 1/4 x 4 -> HHI 1/4
    np.testing.assert_allclose(flat[0, 0], 3.0)
    steep = violence.expected_homicides(kg, rival, 0.0, 1.0, k, None, np.array([[0.0], [1.0]]))
    np.testing.assert_allclose(steep[:, 0], [3.0, 12.0])  # per replicate beta: (R, 1)


def test_rivals_moving_through_one_local_ally_do_not_fight_there():
    kg = np.zeros((1, 3, 3))
    kg[0, 2, 0] = 2000.0  # the foreign group's cargo at the Ecuadorian port
    kg[0, 0, 0] = 2000.0
    allied = np.zeros((3, 3))  # everyone allied: only factions could fight
    h = _handlers()
    op = violence.handler_operator(h)
    base = violence.expected_homicides(kg, allied, 0.0, 1.0, None, op)
    np.testing.assert_allclose(base, 0.0)
    rivals = 1.0 - np.eye(3)  # the two local gangs now rivals: the foreign cargo is split
    lam = violence.expected_homicides(kg, rivals, 0.0, 1.0, None, op)
    # handled tonnes: a 3 t, b 1 t (foreign 2 t split), foreign 0 -> 2*3*1/4 = 1.5
    np.testing.assert_allclose(lam[0, 0], 1.5)


@settings(max_examples=60, deadline=None)
@given(
    kg=arrays(np.float64, (2, 3, 3), elements=st.floats(0, 1e6)),
    factions=arrays(np.float64, (3,), elements=st.floats(1, 1000)),
    rival_upper=arrays(np.float64, (3,), elements=st.sampled_from([0.0, 1.0])),
    flow_coef=st.floats(0, 10),
    contest_coef=st.floats(0, 10),
)
def test_contested_tonnage_never_exceeds_the_flow(
    kg, factions, rival_upper, flow_coef, contest_coef
):
    rival = np.zeros((3, 3))
    rival[np.triu_indices(3, 1)] = rival_upper
    rival = rival + rival.T
    op = violence.handler_operator(_handlers())
    lam = violence.expected_homicides(kg, rival, flow_coef, contest_coef, factions, op)
    # the operator is the handler matrix applied node by node
    moved = np.einsum("rgn,ngh->rhn", kg, _handlers())
    np.testing.assert_allclose((kg.reshape(2, -1) @ op).reshape(kg.shape), moved, rtol=1e-12)
    total = kg.sum(axis=1) / 1000.0
    assert (lam >= 0).all()
    assert (lam <= (flow_coef + contest_coef) * total * (1 + 1e-9) + 1e-9).all()


@settings(max_examples=60, deadline=None)
@given(
    kg=arrays(np.float64, (2, 3, 3), elements=st.floats(0, 1e6)),
    factions=arrays(np.float64, (3,), elements=st.floats(1, 50)),
    beta=st.floats(0, 3),
)
def test_homicides_per_contested_tonne_are_bounded_by_the_number_of_factions(kg, factions, beta):
    """The effective number of factions lies between 1 and the factions present, so
    beta scales the contested term by at most (sum of k)^beta, and never lowers it."""
    rival = 1.0 - np.eye(3)
    flat = violence.expected_homicides(kg, rival, 0.0, 1.0, factions)
    steep = violence.expected_homicides(kg, rival, 0.0, 1.0, factions, None, beta)
    assert np.isfinite(steep).all()
    assert (steep >= flat * (1 - 1e-9) - 1e-12).all()
    assert (steep <= flat * factions.sum() ** beta * (1 + 1e-9) + 1e-12).all()


@settings(max_examples=80, deadline=None)
@given(
    p=arrays(np.float64, (2, 4), elements=st.floats(0, 1)),
    base=arrays(np.float64, (1, 4), elements=st.floats(0, 1)),
    n=arrays(np.float64, (2, 4), elements=st.integers(0, 10_000).map(float)),
    effort=arrays(np.float64, (1, 4), elements=st.sampled_from([0.0, 1e-300, 0.1, 1.0, 50.0])),
    h=st.one_of(st.just(0.0), st.floats(1e-6, 100)),
)
def test_swamping_lowers_detection_and_caps_agency_detections(p, base, n, effort, h):
    out = interdiction.swamped(p, base, n, effort, h)
    assert np.isfinite(out).all()
    assert ((out >= p * base - 1e-15) & (out <= p + 1e-15)).all()  # base part kept
    if h > 0:  # agencies' expected detections never exceed what they can process, E / h
        agency = (out - p * base) * n
        cap = np.broadcast_to(effort / h, p.shape)
        watched = np.broadcast_to(effort > 0.01, p.shape)
        assert (agency <= cap * (1 + 1e-9) + 1e-12)[watched].all()
    else:
        np.testing.assert_allclose(out, p, rtol=1e-12, atol=0)


def test_swamping_bites_harder_as_traffic_grows():
    p = np.full((1, 3), 0.3)
    n = np.array([[10.0, 100.0, 1000.0]])
    out = interdiction.swamped(p, np.zeros((1, 3)), n, np.ones((1, 3)), 0.5)
    assert (np.diff(out[0]) < 0).all()
    assert (np.diff(out[0] * n[0]) > 0).all()  # seizures still rise, towards E / h = 2
    assert out[0, 2] * n[0, 2] < 2.0
    # the base detection is nobody's workload: an edge seen by base detection only keeps it
    only_base = interdiction.swamped(p, np.ones((1, 3)), n, np.ones((1, 3)), 0.5)
    np.testing.assert_allclose(only_base, p)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 4),
    st.integers(1, 6),
    st.integers(0, 2**31 - 1),
    st.floats(0.0, 2.0),
    st.floats(0.0, 1.5),
)
def test_compiled_homicides_match_the_reference(n_r, n_g, n_n, seed, beta, psi):
    """kernels.expected_homicides (the engine's) equals violence.expected_homicides."""
    from corredor import kernels

    rng = np.random.default_rng(seed)
    kg = rng.exponential(500.0, (n_r, n_g, n_n)) * (rng.random((n_r, n_g, n_n)) < 0.7)
    handler = rng.random((n_n, n_g, n_g))
    handler /= handler.sum(axis=2, keepdims=True)
    rival = (rng.random((n_g, n_g)) < 0.5).astype(float)
    rival = np.triu(rival, 1) + np.triu(rival, 1).T
    factions = rng.uniform(1.0, 5.0, n_g)
    price = rng.uniform(0.2, 3.0, (n_r, n_n))
    flow, contest = rng.uniform(0, 1, n_r), rng.uniform(0, 2, n_r)
    expected = violence.expected_homicides(
        kg,
        rival,
        flow[:, None],
        contest[:, None],
        factions,
        violence.handler_operator(handler),
        np.full((n_r, 1), beta),
        price,
        np.full((n_r, 1), psi),
    )
    got = kernels.expected_homicides(
        kg, handler, rival, factions, flow, contest, np.full(n_r, beta), price, np.full(n_r, psi)
    )
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
