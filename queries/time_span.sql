-- name: time_span
-- title: The span the story covers: where the records are dense, and how many lie outside it
-- description: One row (none for a database without timed records): `window_start` and `window_end` bound the
--   densest stretch of records (hours with records more than 24 hours apart split stretches), the span every
--   bucketed query, chart and timeline covers; `records_outside` counts the timed records beyond it (a line
--   stamped 1970, a clock jump, a host months off), listed per file in the table time_outliers and per host
--   in data_coverage.
SELECT window_start, window_end, records_inside, records_outside, rule
FROM time_window
WHERE window_start IS NOT NULL;
