"""The incident's story, headless: what every front end tells.

``build.build_report`` runs the named queries on a read-only database and gathers a ``Report``: the
brokers' episodes, the cascade, the producers, the GC, and the ``findings`` worded from them, each with
its evidence and how sure it is. The report's renderers (``forensics.report``) and the TUI each render
it; nothing here prints, and textual is never imported.
"""
