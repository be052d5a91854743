"""The sampling rules every sample shares: the Wilson interval against values computed
another way, sample sizes, and the seeded draw the database makes, the same on SQLite
and PostgreSQL, in a number of queries that does not grow with the frame."""

import math
from datetime import timedelta

import pytest
from sqlalchemy import insert, literal, select

from shared.extensions import db
from shared.models import Crime
from shared.models.types import utcnow
from shared.services import sampling
from shared.services.errors import ServiceError
from tests import factories
from tests.queries import count_queries

Z = 1.959963984540054


def _roots(successes: int, n: int) -> tuple[float, float]:
    """The interval's bounds as the roots of (n + z²)p² - (2x + z²)p + x²/n = 0, solved
    independently of the service's formula."""
    a = n + Z * Z
    b = -(2 * successes + Z * Z)
    c = successes * successes / n
    root = math.sqrt(b * b - 4 * a * c)
    return ((-b - root) / (2 * a), (-b + root) / (2 * a))


# Published values (Newcombe, Statistics in Medicine 1998, method 3; and the common 0/10,
# 5/10 and 10/10 examples), to four places.
PUBLISHED = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (0, 10, 0.0, 0.2775),
    (5, 10, 0.2366, 0.7634),
    (10, 10, 0.7225, 1.0),
]


@pytest.mark.parametrize(("successes", "n", "lower", "upper"), PUBLISHED)
def test_the_wilson_interval_matches_published_values(successes, n, lower, upper):
    interval = sampling.wilson_interval(successes, n)
    assert round(interval.lower, 4) == lower
    assert round(interval.upper, 4) == upper
    assert interval.rate == successes / n


@pytest.mark.parametrize(
    ("successes", "n"), [(0, 1), (1, 1), (0, 400), (400, 400), (351, 400), (7, 12), (999, 1000)]
)
def test_the_wilson_interval_is_the_quadratic_s_roots_and_exact_at_the_ends(successes, n):
    interval = sampling.wilson_interval(successes, n)
    low, high = _roots(successes, n)
    assert interval.lower == pytest.approx(low, abs=1e-12)
    assert interval.upper == pytest.approx(high, abs=1e-12)
    if successes == 0:
        assert interval.lower == 0.0
    if successes == n:
        assert interval.upper == 1.0


def test_a_rate_of_nothing_is_refused():
    with pytest.raises(ValueError):
        sampling.wilson_interval(0, 0)
    with pytest.raises(ValueError):
        sampling.wilson_interval(5, 4)


@pytest.mark.parametrize(
    ("rate", "margin", "frame", "expected"),
    [
        (0.5, 0.03, None, 1068),  # 3.8415 x 0.25 / 0.0009 = 1067.07
        (0.9, 0.03, None, 385),  # 3.8415 x 0.09 / 0.0009 = 384.15
        (0.5, 0.03, 2000, 697),  # 1067.07 / (1 + 1066.07 / 2000) = 696.05
        (0.5, 0.03, 300, 235),  # 1067.07 / (1 + 1066.07 / 300) = 234.33
        (1.0, 0.03, None, 1),
    ],
)
def test_sample_size_for_a_margin(rate, margin, frame, expected):
    assert sampling.sample_size(rate, margin, frame) == expected


def test_without_the_correction_a_sample_is_never_more_than_the_frame():
    assert sampling.sample_size(0.5, 0.03, 300, finite_population=False) == 300
    assert sampling.sample_size(0.5, 0.03, 5000, finite_population=False) == 1068


@pytest.mark.parametrize(("rate", "margin"), [(-0.1, 0.03), (1.2, 0.03), (0.5, 0), (0.5, 1)])
def test_impossible_sample_size_questions_are_refused(rate, margin):
    with pytest.raises(ServiceError):
        sampling.sample_size(rate, margin)


def _frame_rows(ctx, count: int, groups=("violence", "robbery", "theft")):
    """`count` crimes in a round of offence groups, written straight to the table."""
    oic = factories.staff()
    now = utcnow()
    start = db.session.scalar(select(Crime.id).order_by(Crime.id.desc()).limit(1)) or 0
    db.session.execute(
        insert(Crime),
        [
            {
                "reference": f"SAMPLE/{start + i}",
                "offence": "common_assault",
                "offence_group": groups[i % len(groups)],
                "occurred_at": now - timedelta(days=3),
                "reported_at": now - timedelta(days=2),
                "recorded_at": now - timedelta(days=2),
                "created_at": now,
                "stage": "reported",
                "officer_in_charge_id": oic.id,
                "team_id": oic.team_id,
            }
            for i in range(count)
        ],
    )
    db.session.commit()


def _frame():
    return select(Crime.id.label("id"), Crime.offence_group.label("stratum"))


def test_the_same_seed_draws_the_same_sample_and_the_proportions_asked(ctx):
    _frame_rows(ctx, 300)
    sizes = {"violence": 20, "robbery": 5, "theft": 1}
    first = sampling.draw(_frame(), sizes, seed=20261205)
    again = sampling.draw(_frame(), sizes, seed=20261205)
    other = sampling.draw(_frame(), sizes, seed=7)
    assert first.chosen == again.chosen
    assert first.chosen != other.chosen
    assert {key: len(ids) for key, ids in first.chosen.items()} == sizes
    groups = dict(
        db.session.execute(select(Crime.id, Crime.offence_group).where(Crime.id.in_(first.ids))).all()
    )
    for stratum, ids in first.chosen.items():
        assert {groups[i] for i in ids} == {stratum}
        assert len(set(ids)) == len(ids)
    assert first.frame_sizes == {"violence": 100, "robbery": 100, "theft": 100}
    # Not the first ids of the table: the order is the seeded key's.
    assert first.chosen["violence"] != sorted(first.chosen["violence"])


def test_the_key_is_the_same_as_computed_by_hand(ctx):
    """The database's key equals the same arithmetic done in Python: the draw does not
    depend on the database (both test runs compare with this one computation)."""

    def mix(x):
        x = x ^ (x >> 16)
        return (x * 0x45D9F3B) % 2_147_483_647

    def key(seed, record_id):
        return mix(mix(mix((seed * 1_103_515_245 + record_id) % 2_147_483_647)))

    for seed, record_id in [(0, 1), (1, 1), (20261205, 123456), (2_147_483_646, 2_000_000_000)]:
        one = select(literal(record_id).label("id"), literal("all").label("stratum"))
        computed = db.session.scalar(select(sampling.keyed(one, seed).c.key))
        assert computed == key(seed, record_id)


def test_the_draw_costs_the_same_queries_whatever_the_frame(app, ctx):
    _frame_rows(ctx, 30)
    with count_queries(app) as small:
        sampling.draw(_frame(), {"violence": 3, "robbery": 3}, seed=1)
    _frame_rows(ctx, 3000)
    with count_queries(app) as large:
        sampling.draw(_frame(), {"violence": 300, "robbery": 300}, seed=1)
    # The frame's strata and the draw; on PostgreSQL, the JIT turned off before them.
    assert small["n"] == large["n"] == (3 if db.engine.dialect.name == "postgresql" else 2)


@pytest.mark.parametrize("sizes", [{"violence": 11}, {"violence": 0}, {"violence": -1}, {"fraud": 1}, {}])
def test_impossible_sizes_are_refused(ctx, sizes):
    _frame_rows(ctx, 30)
    with pytest.raises(ServiceError) as refused:
        sampling.draw(_frame(), sizes, seed=1)
    assert refused.value.field == "size"


@pytest.mark.parametrize("seed", [-1, 2_147_483_647])
def test_a_seed_out_of_range_is_refused(ctx, seed):
    _frame_rows(ctx, 3)
    with pytest.raises(ServiceError):
        sampling.draw(_frame(), {"violence": 1}, seed=seed)


def test_a_changed_frame_is_noticed(ctx):
    _frame_rows(ctx, 30)
    drawn = sampling.draw(_frame(), {"violence": 3}, seed=5)
    assert not sampling.frame_changed(_frame(), drawn.fingerprint)
    _frame_rows(ctx, 1)
    assert sampling.frame_changed(_frame(), drawn.fingerprint)
