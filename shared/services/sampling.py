"""Sampling, the one home of the rule for every sample the service draws (out-of-court
disposal scrutiny, audit strata): the Wilson score interval of a rate, the sample size
for a target margin, and a seeded, stratified random draw computed in the database.

The draw orders each stratum's records by a pseudo-random key the database computes
from (seed, id) with integer arithmetic both SQLite and PostgreSQL do alike (+, *, %,
shifts, AND and OR; no value ever leaves a signed 64-bit integer), then keeps the first
n of each stratum by `row_number() over (partition by stratum order by key)`: one query
whatever the frame's size, and the same seed gives the same sample on either database.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Select,
    Subquery,
    and_,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)

from shared.extensions import db
from shared.services.errors import ServiceError
from shared.translation import lazy_gettext as _l

# The normal quantile for 95% confidence.
Z95 = 1.959963984540054

# Keys are computed modulo the Mersenne prime 2^31 - 1 with multipliers below 2^31, so a
# product never exceeds 2^62.
_PRIME = 2_147_483_647
_MULTIPLIER = 0x45D9F3B
_SEED_MULTIPLIER = 1_103_515_245


@dataclass(frozen=True)
class Interval:
    successes: int
    n: int
    rate: float
    lower: float
    upper: float

    @property
    def margin(self) -> float:
        """The larger distance from the rate to a bound, for "87.8% (±1.7%)"."""
        return max(self.rate - self.lower, self.upper - self.rate)


def wilson_interval(successes: int, n: int, z: float = Z95) -> Interval:
    """The Wilson score interval of successes out of n: exact 0 below no successes and
    exact 1 above all of them."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n} is not a rate")
    rate = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (rate + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(rate * (1 - rate) / n + z2 / (4 * n * n))
    lower = 0.0 if successes == 0 else max(0.0, centre - half)
    upper = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(successes, n, rate, lower, upper)


def sample_size(
    expected_rate: float,
    margin: float,
    frame_size: int | None = None,
    finite_population: bool = True,
    z: float = Z95,
) -> int:
    """How many records give the expected rate within ±margin at 95% confidence:
    n = z²p(1-p)/m², with the finite-population correction when the frame's size is
    given (unless `finite_population` is False), and never more than the frame."""
    if not 0 <= expected_rate <= 1:
        raise ServiceError(_l("The expected rate must be from 0 to 100 per cent"), "expected_rate")
    if not 0 < margin < 1:
        raise ServiceError(_l("The margin must be more than 0 and less than 100 per cent"), "margin")
    if frame_size is not None and frame_size < 0:
        raise ValueError("a frame cannot have fewer than no records")
    n0 = z * z * expected_rate * (1 - expected_rate) / (margin * margin)
    if frame_size is None:
        return max(1, math.ceil(n0))
    if frame_size == 0:
        return 0
    corrected = n0 / (1 + (n0 - 1) / frame_size) if finite_population else n0
    return min(frame_size, max(1, math.ceil(corrected - 1e-9)))


def _mixed(rows: Subquery) -> Subquery:
    """One round of an integer mixing hash on each row's key, a value in [0, 2^31 - 1).
    Neither dialect's XOR is the other's (PostgreSQL `#`, SQLite none), so
    a ^ b = (a | b) - (a & b); the shift count is a plain integer, as PostgreSQL wants."""
    key = rows.c.key
    shifted = key.op(">>")(literal_column("16"))
    mixed = ((key.op("|")(shifted) - key.op("&")(shifted)) * _MULTIPLIER) % _PRIME
    return select(rows.c.id, rows.c.stratum, mixed.label("key")).subquery()


def keyed(frame: Select, seed: int) -> Subquery:
    """The frame (a select of `id` and `stratum` columns) with each record's
    pseudo-random sort key for the seed, as the database computes it."""
    rows = frame.subquery()
    start = (literal(seed % _PRIME, BigInteger) * _SEED_MULTIPLIER + cast(rows.c.id, BigInteger)) % _PRIME
    return _mixed(_mixed(_mixed(select(rows.c.id, rows.c.stratum, start.label("key")).subquery())))


@dataclass(frozen=True)
class FrameStratum:
    size: int
    fingerprint: str


def _without_jit() -> None:
    """No JIT compiling for the rest of the transaction, on PostgreSQL. A frame's
    estimated cost (its strata's CASE of EXISTS subqueries, costed as if run for every
    row) is far above `jit_above_cost`, so PostgreSQL would spend about 1.5 s compiling
    each frame query for some tens of milliseconds of work."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def frame_strata(frame: Select) -> dict[str, FrameStratum]:
    """Each stratum of a frame (a select of `id` and `stratum` columns) with its size and
    a fingerprint (count, sum of ids, sum of a hash of the ids), in one query; on
    PostgreSQL, without JIT compiling for the rest of the transaction (the draw's own
    query follows it)."""
    _without_jit()
    rows = keyed(frame, 0)
    found = db.session.execute(
        select(
            rows.c.stratum, func.count(), func.sum(cast(rows.c.id, BigInteger)), func.sum(rows.c.key)
        ).group_by(rows.c.stratum)
    ).all()
    out: dict[str, FrameStratum] = {}
    for stratum, count, ids, hashes in found:
        size, total, mixed = (int(str(value)) for value in (count, ids, hashes))
        out[str(stratum)] = FrameStratum(size, f"{size}:{total}:{mixed}")
    return out


def fingerprint(strata: Mapping[str, FrameStratum]) -> str:
    """The whole frame's fingerprint: its strata's, in the order of their keys."""
    return ";".join(f"{key}={strata[key].fingerprint}" for key in sorted(strata)) or "empty"


@dataclass(frozen=True)
class Draw:
    seed: int
    # The chosen ids of each stratum, in the order drawn.
    chosen: dict[str, list[int]]
    frame_sizes: dict[str, int]
    fingerprint: str

    @property
    def ids(self) -> list[int]:
        return [record_id for key in sorted(self.chosen) for record_id in self.chosen[key]]


def check_sizes(sizes: Mapping[str, int], frame_sizes: Mapping[str, int]) -> None:
    """Refuse sizes no draw can meet: none, zero, negative, or more than the stratum holds."""
    if not sizes:
        raise ServiceError(_l("Give the number of records to draw"), "size")
    for stratum, size in sizes.items():
        if size <= 0:
            raise ServiceError(_l("The number of records to draw must be 1 or more"), "size")
        available = frame_sizes.get(stratum, 0)
        if size > available:
            raise ServiceError(
                _l(
                    "The number of records to draw must be no more than the %(available)d records in the frame",
                    available=available,
                ),
                "size",
            )


def check_seed(seed: int) -> None:
    if not 0 <= seed < _PRIME:
        raise ServiceError(_l("The seed must be a whole number from 0 to 2147483646"), "seed")


def draw(frame: Select, sizes: Mapping[str, int], seed: int) -> Draw:
    """Draw sizes[stratum] records at random from each stratum of the frame (a select of
    `id` and `stratum` columns), reproducibly from the seed: two queries whatever the
    frame's size (its strata, then the draw; on PostgreSQL, the setting that turns the JIT
    off before them). Raises ServiceError for sizes it cannot meet or a seed out of
    range."""
    check_seed(seed)
    strata = frame_strata(frame)
    frame_sizes = {key: stratum.size for key, stratum in strata.items()}
    check_sizes(sizes, frame_sizes)
    rows = keyed(frame, seed)
    ranked = select(
        rows.c.id,
        rows.c.stratum,
        func.row_number()
        .over(partition_by=rows.c.stratum, order_by=(rows.c.key, rows.c.id))
        .label("position"),
    ).subquery("ranked")
    wanted = or_(
        *(and_(ranked.c.stratum == stratum, ranked.c.position <= size) for stratum, size in sizes.items())
    )
    chosen: dict[str, list[int]] = {stratum: [] for stratum in sizes}
    for record_id, stratum, _position in db.session.execute(
        select(ranked.c.id, ranked.c.stratum, ranked.c.position)
        .where(wanted)
        .order_by(ranked.c.stratum, ranked.c.position)
    ):
        chosen[str(stratum)].append(int(str(record_id)))
    return Draw(seed, chosen, frame_sizes, fingerprint(strata))


def frame_changed(frame: Select, recorded_fingerprint: str) -> bool:
    """Whether the frame differs from the one a draw was made from (one query)."""
    return fingerprint(frame_strata(frame)) != recorded_fingerprint
