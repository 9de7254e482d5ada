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

import re
from datetime import datetime, timedelta
from functools import lru_cache

import polars as pl
from dateutil import tz as dateutil_tz

from parsers.base import TS

UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Z", "GMT", "Etc/GMT", "UCT"})


class UnknownTimezone(ValueError):
    """A zone name that python-dateutil does not know."""


#: What an IANA zone name looks like (``Europe/Berlin``, ``America/Argentina/Buenos_Aires``, ``Etc/GMT+2``).
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*$")


@lru_cache(maxsize=64)
def resolve_zone(name: str) -> dateutil_tz.tzfile | dateutil_tz.tzutc:  # noqa: D103
    """The tzinfo for an IANA zone name; raises UnknownTimezone with a hint."""
    if name in UTC_NAMES:
        return dateutil_tz.UTC
    # a name, never a path: '../../etc/passwd' or '/etc/localtime' would make dateutil read any file
    zone = dateutil_tz.gettz(name) if name and _ZONE_NAME.match(name) and ".." not in name else None
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
    ambiguous = pl.col("_off0") != pl.col("_off1")
    out = (
        frame.join(table, on="_q", how="left", maintain_order="left")
        .with_columns(
            _back=(pl.col("_t") < seen_max).fill_null(False),
            _run=(ambiguous != ambiguous.shift(1)).fill_null(True).cum_sum(),  # stretches in or out of the fold
        )
        # once the time went back inside the repeated hour, the rest of that stretch is its second pass
        # (02:50 CEST, 02:10 CET, then 02:55 is CET too, though later than 02:50)
        .with_columns(_second=ambiguous & pl.col("_back").cum_max().over("_run"))
        .select(
            (
                pl.col("_t")
                - pl.when(pl.col("_second"))
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
