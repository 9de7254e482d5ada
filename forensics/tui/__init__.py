"""The terminal UI (``forensics tui``): timeline, events, detail and SQL screens over the headless core.

Importing this package is the only way Textual enters the process: ``forensics.cli``,
``forensics.queries`` and the report never import it. Everything shown comes from named
queries (``queries/*.sql``) run through ``forensics.db`` on read-only connections in
worker threads; the UI itself computes no signal.
"""
