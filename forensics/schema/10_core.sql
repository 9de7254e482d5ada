-- Core tables. Names and columns are a contract (documented in README.md).
-- Every row of every table traces back to a file (source_id) and its lines.

CREATE TABLE IF NOT EXISTS sources (
    source_id        INTEGER PRIMARY KEY,   -- assigned by ingest, 1, 2, 3 …
    path             VARCHAR NOT NULL,      -- the file's path as given on the command line (or found under a given directory)
    abs_path         VARCHAR NOT NULL,
    host             VARCHAR,               -- from --host, else the directory name
    host_origin      VARCHAR,               -- 'flag' | 'directory'
    format           VARCHAR,               -- the format that parsed it (`forensics formats`), NULL if none fits
    family           VARCHAR,               -- broker | gc | client | events
    log_kind         VARCHAR,               -- server | controller | state-change | stdout | gc | … from the file name
    size_bytes       BIGINT,                -- on disk (compressed size for .gz)
    sha256           VARCHAR,               -- of the content (decompressed); the same content is never ingested twice
    fingerprint      VARCHAR,               -- size + first/last MiB: a cheap pre-check before reading the file
    lines_read       BIGINT,
    records          BIGINT,
    lines_in_records BIGINT,                -- lines_in_records + lines_rejected = lines_read, always
    lines_rejected   BIGINT,
    lines_bad_bytes  BIGINT,                -- lines with invalid UTF-8 or NUL bytes (kept, with U+FFFD)
    first_ts         TIMESTAMPTZ,
    last_ts          TIMESTAMPTZ,
    timezone         VARCHAR,               -- zone used for zone-less times (NULL when times carry an offset)
    ts_origin        VARCHAR,               -- in-line | assumed:UTC | tz:<zone> | anchored:… | uptime-only
    status           VARCHAR NOT NULL,      -- ok | unrecognised | refused | error
    note             VARCHAR,               -- why a file is not (wholly) ok
    ingested_at      TIMESTAMPTZ NOT NULL,
    wrapper          VARCHAR,               -- a prefix taken off every line: docker compose | kubectl --prefix | journald | syslog
    secrets_masked   BIGINT,                -- lines in which a secret value was replaced by [masked] (0 with --keep-secrets)
    part             VARCHAR                -- which log of a file that holds several: `container kafka-1`, `pod …`, `host …`
                                            -- (one per writer the prefix names), `log` / `gc` (a JVM stdout with its GC log); NULL: the whole file
);

CREATE TABLE IF NOT EXISTS records (
    source_id  INTEGER NOT NULL,
    host       VARCHAR,
    line_start BIGINT NOT NULL,   -- first and last line of the record in its file (1-based)
    line_end   BIGINT NOT NULL,
    ts         TIMESTAMPTZ,       -- UTC
    ts_origin  VARCHAR,
    level      VARCHAR,
    logger     VARCHAR,
    thread     VARCHAR,
    message    VARCHAR USING COMPRESSION zstd  -- the whole record: first line, then continuation lines (stack traces, dumps);
                                               -- zstd: a third of the default compression's size, half its write time, same scan speed
);

CREATE TABLE IF NOT EXISTS rejects (
    source_id INTEGER NOT NULL,
    line_no   BIGINT NOT NULL,
    reason    VARCHAR NOT NULL,
    raw       VARCHAR              -- the line, cut to 1000 characters
);

CREATE TABLE IF NOT EXISTS broker_events (
    source_id   INTEGER NOT NULL,
    host        VARCHAR,
    line_start  BIGINT NOT NULL,
    line_end    BIGINT NOT NULL,
    ts          TIMESTAMPTZ,
    kind        VARCHAR NOT NULL,  -- see README: producer_id_block, producer_snapshot, broker_started, …
    broker_id   INTEGER,           -- the broker the event is about
    node_id     INTEGER,           -- the node that logged it, where the line says
    topic       VARCHAR,
    "partition" INTEGER,
    count       BIGINT,
    producer_id BIGINT,
    epoch       BIGINT,
    "offset"    BIGINT,
    duration_ms DOUBLE,
    leader      INTEGER,
    prev_leader INTEGER,
    isr         VARCHAR,
    prev_isr    VARCHAR,
    detail      VARCHAR,
    broker_id_origin VARCHAR       -- 'line': the event's own line names it; 'config': the file's own config dump
                                   -- (broker.id / node.id) of the only broker writing it; NULL: not known
);

-- A typed event that a JVM wrote to two files of one host (its stdout copies server.log's WARN and ERROR
-- records; a log copied twice into the bundle): the copy's place, and the event kept in its table.
CREATE TABLE IF NOT EXISTS event_copies (
    event_table     VARCHAR NOT NULL,  -- broker_events | client_events
    host            VARCHAR,
    kind            VARCHAR NOT NULL,
    ts              TIMESTAMPTZ,
    source_id       INTEGER NOT NULL,  -- where the copy is (its record stays in records)
    line_start      BIGINT NOT NULL,
    line_end        BIGINT NOT NULL,
    kept_source_id  INTEGER NOT NULL,  -- the event kept: a file other than a stdout where there is one
    kept_line_start BIGINT NOT NULL
);

-- Where the records are dense: the span every bucketed query, chart and timeline covers. Records far from it
-- (a line stamped 1970, a clock jump, a host whose clock is months off) are outliers: counted per file in
-- time_outliers, named in the coverage, never sizing a query.
CREATE TABLE IF NOT EXISTS time_window (
    window_start     TIMESTAMPTZ,
    window_end       TIMESTAMPTZ,
    records_inside   BIGINT,
    records_outside  BIGINT,
    rule             VARCHAR       -- how the window was chosen
);
CREATE TABLE IF NOT EXISTS time_outliers (
    source_id INTEGER NOT NULL,
    host      VARCHAR,
    records   BIGINT,               -- timed records of the file outside time_window
    first_ts  TIMESTAMPTZ,
    last_ts   TIMESTAMPTZ
);
