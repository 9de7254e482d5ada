-- gc_events: one row per JVM garbage-collection event, written by parsers/gc (formats jvm_gc_unified, jvm_gc_legacy).
-- Columns after source_id, host are the parser's frame, same names and order (parsers/gc/model.py documents them).
-- kind: young | mixed | initial_mark | remark | cleanup | full | degenerated | pause_other  (stop-the-world GC pauses)
--       concurrent (phase) | cycle (ZGC collection) | safepoint | stall (ZGC, one thread) | to_space_exhausted (G1 marker)
-- Sizes in KiB (1K = 1024 bytes); times UTC; *_ms milliseconds, *_s seconds.

CREATE TABLE IF NOT EXISTS gc_events (
    source_id             INTEGER NOT NULL,
    host                  VARCHAR,
    line_start            BIGINT,        -- first line of the event (its start marker when logged)
    line_end              BIGINT,        -- line that ends it (summary / closing bracket / last detail line)
    ts                    TIMESTAMPTZ,   -- start of the event (NULL when the log has only uptimes and no anchor)
    ts_end                TIMESTAMPTZ,   -- end of the event
    ts_origin             VARCHAR,       -- in-line | anchored:datestamp | anchored:file-header | anchored:jvm-start | uptime-only | missing
    uptime_s              DOUBLE,        -- seconds since JVM start at the event's start
    uptime_end_s          DOUBLE,        -- … at its end
    jvm_version           VARCHAR,       -- from the log header, when present
    collector             VARCHAR,       -- G1 | Parallel | Serial | CMS | ZGC | ZGC-generational | Shenandoah
    gc_id                 BIGINT,        -- GC(n) / #n
    generation            VARCHAR,       -- generational ZGC: Y | O
    kind                  VARCHAR,
    name                  VARCHAR,       -- as logged: 'Pause Young (Normal) (G1 Evacuation Pause)', 'GC (Allocation Failure)' …
    cause                 VARCHAR,       -- 'G1 Evacuation Pause', 'Allocation Failure', 'System.gc()' …
    stw                   BOOLEAN,       -- the event stopped all application threads
    nested                BOOLEAN,       -- a pause inside another logged pause (its time is already counted there)
    complete              BOOLEAN,       -- false when the end of the event is not in the file
    pause_ms              DOUBLE,        -- stop-the-world time as logged (stw events only)
    duration_ms           DOUBLE,        -- wall duration of any event
    heap_before_kb        BIGINT,
    heap_after_kb         BIGINT,
    heap_capacity_kb      BIGINT,        -- committed heap after the event (ZGC: max capacity)
    young_before_kb       BIGINT,
    young_after_kb        BIGINT,
    young_capacity_kb     BIGINT,
    old_before_kb         BIGINT,
    old_after_kb          BIGINT,
    old_capacity_kb       BIGINT,
    metaspace_before_kb   BIGINT,        -- PermGen on JDK 7 and older
    metaspace_after_kb    BIGINT,
    metaspace_capacity_kb BIGINT,
    to_space_exhausted    BOOLEAN,
    evacuation_failure    BOOLEAN,       -- to-space exhausted, evacuation failure, promotion failed
    humongous             BOOLEAN,       -- caused by a G1 humongous allocation
    allocation_stall      BOOLEAN,       -- ZGC allocation stall (or a cycle caused by one)
    other_ms              DOUBLE,        -- G1 'Other' phase time inside the pause
    user_s                DOUBLE,        -- cpu times logged for the event
    sys_s                 DOUBLE,
    real_s                DOUBLE,
    safepoint_reach_ms    DOUBLE,        -- time to reach the safepoint ('Reaching safepoint', 'Stopping threads took')
    generations           VARCHAR        -- JDK 8 generation records, e.g. 'ParNew (promotion failed),CMS (concurrent mode failure),CMS Perm'
);
