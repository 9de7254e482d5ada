-- name: ingest_summary
-- title: What was ingested: one row per file, with its accounting
-- description: Every file with its format, host, time range and line accounting
--   (lines_read = lines_in_records + lines_rejected). Files that did not parse say why in `note`.
SELECT source_id, path, host, format, log_kind, status, lines_read, records, lines_in_records, lines_rejected,
       lines_bad_bytes, first_ts, last_ts, ts_origin, note
FROM sources
ORDER BY host, log_kind, source_id;
