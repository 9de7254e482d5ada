-- name: data_coverage
-- title: What the evidence covers: per host, its sources, time range, rejects and time-zone assumptions
-- description: One row per host: the kinds of log (`families`, `log_kinds`) and formats read, how many files
--   (and how many not wholly ingested, with their status), the time range its records cover, lines read and
--   rejected, and how zone-less times were read (`time_origins`: in-line, assumed:UTC, tz:<zone>, …).
--   `outside_window` counts its records outside the span the story covers (time_span), from
--   `outside_first` to `outside_last`: named here, left out of every bucketed query.
WITH outside AS (
    SELECT host, sum(records) AS n, min(first_ts) AS first_ts, max(last_ts) AS last_ts FROM time_outliers GROUP BY host
)
SELECT
    host,
    string_agg(DISTINCT family, ',' ORDER BY family) AS families,
    string_agg(DISTINCT log_kind, ',' ORDER BY log_kind) AS log_kinds,
    string_agg(DISTINCT format, ',' ORDER BY format) AS formats,
    count(*) AS files,
    count(*) FILTER (WHERE status <> 'ok') AS files_not_ok,
    string_agg(DISTINCT status, ',' ORDER BY status) FILTER (WHERE status <> 'ok') AS problems,
    min(sources.first_ts) AS first_ts,
    max(sources.last_ts) AS last_ts,
    sum(lines_read) AS lines_read,
    sum(records) AS records,
    sum(lines_rejected) AS lines_rejected,
    string_agg(DISTINCT ts_origin, '; ' ORDER BY ts_origin) AS time_origins,
    coalesce(any_value(o.n), 0) AS outside_window,
    any_value(o.first_ts) AS outside_first,
    any_value(o.last_ts) AS outside_last
FROM sources LEFT JOIN outside o USING (host)
GROUP BY host
ORDER BY min(sources.first_ts) NULLS LAST, host;
