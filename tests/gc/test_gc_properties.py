"""Property: whatever text comes in, the GC parsers do not raise and account for every line exactly once."""

from __future__ import annotations

from functools import lru_cache

import polars as pl
from gclog_support import REAL_GC, parse_frame, read_lines, real_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_gc_accounting_and_detection import assert_accounted


@lru_cache(maxsize=1)
def real_lines() -> list[str]:
    """A sample of real GC log lines of every family, the raw material for mutated logs."""
    lines: list[str] = []
    for entry in real_files():
        lines.extend(read_lines(REAL_GC / entry["file"])["line"].head(60).to_list())
    return lines


LINE = st.text(alphabet=st.characters(exclude_characters="\n", exclude_categories=["Cs"]), max_size=120)


@st.composite
def mutated_real_line(draw: st.DrawFn) -> str:
    """A real line, cut at a random place and possibly glued to another one."""
    line = draw(st.sampled_from(real_lines()))
    cut = draw(st.integers(min_value=0, max_value=len(line)))
    tail = draw(st.sampled_from(real_lines())) if draw(st.booleans()) else ""
    return line[:cut] + tail[draw(st.integers(min_value=0, max_value=len(tail))) :]


LOG = st.lists(st.one_of(LINE, mutated_real_line(), st.sampled_from(real_lines())), min_size=0, max_size=40)


def _frame(lines: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"line_no": list(range(1, len(lines) + 1)), "line": lines}, schema={"line_no": pl.Int64, "line": pl.String}
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=LOG, batch_lines=st.integers(min_value=1, max_value=12))
def test_the_unified_parser_never_raises_and_accounts_for_every_line(lines: list[str], batch_lines: int) -> None:
    assert_accounted(parse_frame(_frame(lines), "jvm_gc_unified", batch_lines=batch_lines))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=LOG, batch_lines=st.integers(min_value=1, max_value=12))
def test_the_jdk8_parser_never_raises_and_accounts_for_every_line(lines: list[str], batch_lines: int) -> None:
    assert_accounted(parse_frame(_frame(lines), "jvm_gc_legacy", batch_lines=batch_lines))


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(LINE, max_size=30))
def test_scoring_arbitrary_text_never_fails_except_to_refuse_a_foreign_gc_log(lines: list[str]) -> None:
    from parsers.base import FormatRefused
    from parsers.gc import FORMATS

    for fmt in FORMATS:
        try:
            score = fmt.score(lines)
        except FormatRefused as refused:
            assert "not a HotSpot GC log" in str(refused)
        else:
            assert 0.0 <= score <= 1.0
