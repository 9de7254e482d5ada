-- name: source_excerpt
-- title: The lines of one file around a line range, as ingested, with where the file is
-- description: For file $source_id: its path as given and absolute, size, format and host, and the records
--   and rejected lines that overlap lines [$line_start - $context, $line_end + $context] (a record spans
--   `line_start`..`line_end`; its `text` is all of its lines, stack traces included; a rejected line is
--   one line). One row with NULL text when nothing overlaps. Used to show the lines behind an event when
--   the file itself cannot be read any more.
-- param: source_id INTEGER = 1   -- the file (sources.source_id)
-- param: line_start BIGINT = 1   -- first line of interest
-- param: line_end BIGINT = 1   -- last line of interest
-- param: context INTEGER = 3   -- lines before and after
WITH lines AS (
    SELECT source_id, line_start, line_end, ts, level, 'record' AS kind, message AS text
    FROM records
    WHERE source_id = $source_id AND line_end >= $line_start - $context AND line_start <= $line_end + $context
    UNION ALL
    SELECT source_id, line_no, line_no, NULL, NULL, 'rejected: ' || reason, raw
    FROM rejects
    WHERE source_id = $source_id AND line_no BETWEEN $line_start - $context AND $line_end + $context
)
SELECT s.source_id, s.path, s.abs_path, s.size_bytes, s.format, s.host, s.status,
       l.line_start, l.line_end, l.ts, l.level, l.kind, l.text
FROM sources AS s
LEFT JOIN lines AS l USING (source_id)
WHERE s.source_id = $source_id
ORDER BY l.line_start NULLS FIRST;
