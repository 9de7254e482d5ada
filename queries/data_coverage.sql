-- name: data_coverage
-- title: What the evidence covers: per host, its sources, time range, rejects and time-zone assumptions
-- description: One row per host: the kinds of log (`families`, `log_kinds`) and formats read, how many files
--   (and how many not wholly ingested, with their status), the time range its records cover, lines read and
--   rejected, and how zone-less times were read (`time_origins`: in-line, assumed:UTC, tz:<zone>, …).
SELECT
    host,
    string_agg(DISTINCT family, ',' ORDER BY family) AS families,
    string_agg(DISTINCT log_kind, ',' ORDER BY log_kind) AS log_kinds,
    string_agg(DISTINCT format, ',' ORDER BY format) AS formats,
    count(*) AS files,
    count(*) FILTER (WHERE status <> 'ok') AS files_not_ok,
    string_agg(DISTINCT status, ',' ORDER BY status) FILTER (WHERE status <> 'ok') AS problems,
    min(first_ts) AS first_ts,
    max(last_ts) AS last_ts,
    sum(lines_read) AS lines_read,
    sum(records) AS records,
    sum(lines_rejected) AS lines_rejected,
    string_agg(DISTINCT ts_origin, '; ' ORDER BY ts_origin) AS time_origins
FROM sources
GROUP BY host
ORDER BY min(first_ts) NULLS LAST, host;
