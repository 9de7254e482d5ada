"""Timestamp policy: every stored time is UTC, and we say how we got it.

Zone-less wall-clock times (Kafka's log4j layout, Spring Boot's default …) are
local times in a zone the user names (UTC unless told otherwise). The zone is
resolved by python-dateutil (IANA names, correct across DST changes); the
conversion stays vectorized: the UTC offset is computed once per distinct
quarter-hour of local time, then joined back. In the repeated hour of a DST
fall-back, a time that goes backwards against the running maximum of the file
takes the second occurrence (``fold=1``).

``ts_origin`` values: ``in-line`` (the line carries an offset), ``assumed:UTC``
(zone-less, nobody said otherwise), ``tz:<zone>`` (zone-less, zone given by the
user), ``inherited`` (a line with no time takes the previous record's).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import polars as pl
from dateutil import tz as dateutil_tz

from parsers.base import TS

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Z", "GMT", "Etc/GMT", "UCT"})


class UnknownTimezone(ValueError):
    """A zone name that python-dateutil does not know."""


@lru_cache(maxsize=64)
def resolve_zone(name: str) -> dateutil_tz.tzfile | dateutil_tz.tzutc:  # noqa: D103
    """The tzinfo for an IANA zone name; raises UnknownTimezone with a hint."""
    if name in UTC_NAMES:
        return dateutil_tz.UTC
    zone = dateutil_tz.gettz(name) if name else None
    if not isinstance(zone, dateutil_tz.tzfile):
        raise UnknownTimezone(f"unknown time zone {name!r}: give an IANA name such as 'Europe/Berlin' or 'UTC'")
    return zone


def origin_for(zone: str, given: bool) -> str:
    return f"tz:{zone}" if given else f"assumed:{zone}"


def _offset_table(quarters: list[datetime], zone_name: str) -> pl.DataFrame:
    zone = resolve_zone(zone_name)
    rows: dict[str, list[object]] = {"_q": [], "_off0": [], "_off1": []}
    for quarter in quarters:
        off0 = quarter.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0)
        off1 = quarter.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
        rows["_q"].append(quarter)
        rows["_off0"].append(off0)
        rows["_off1"].append(off1)
    return pl.DataFrame(
        rows, schema={"_q": pl.Datetime("us"), "_off0": pl.Duration("us"), "_off1": pl.Duration("us")}
    )


def localize(naive: pl.Series, zone: str, running_max: datetime | None = None) -> pl.Series:
    """Local wall-clock times (naive ``Datetime``) in ``zone`` → UTC ``Datetime("us", "UTC")``.

    ``running_max`` is the latest local time seen earlier in the same file, so
    that the DST fall-back rule holds across batches.
    """
    naive = naive.cast(pl.Datetime("us"))
    if zone in UTC_NAMES or resolve_zone(zone) is dateutil_tz.UTC:
        return naive.dt.replace_time_zone("UTC").cast(TS)
    frame = pl.DataFrame({"_t": naive}).with_columns(_q=pl.col("_t").dt.truncate("15m"))
    quarters = [q for q in frame["_q"].unique().drop_nulls().to_list()]
    table = _offset_table(sorted(quarters), zone)
    seen_max = pl.col("_t").cum_max().shift(1)
    if running_max is not None:
        seen_max = seen_max.fill_null(pl.lit(running_max, dtype=pl.Datetime("us")))
        seen_max = pl.max_horizontal(seen_max, pl.lit(running_max, dtype=pl.Datetime("us")))
    out = (
        frame.join(table, on="_q", how="left", maintain_order="left")
        .with_columns(_back=(pl.col("_t") < seen_max).fill_null(False))
        .select(
            (
                pl.col("_t")
                - pl.when(pl.col("_back") & (pl.col("_off0") != pl.col("_off1")))
                .then(pl.col("_off1"))
                .otherwise(pl.col("_off0"))
            )
            .dt.replace_time_zone("UTC")
            .alias(naive.name)
        )
    )
    return out.to_series().cast(TS)


def parse_local(text: pl.Expr, fmt: str) -> pl.Expr:
    """Parse zone-less text with a chrono format into a naive microsecond Datetime (null when invalid)."""
    return text.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)


def parse_with_offset(text: pl.Expr, fmt: str) -> pl.Expr:
    """Parse text that carries its own offset (``%z``/``Z``) into UTC."""
    return text.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False, exact=True)
