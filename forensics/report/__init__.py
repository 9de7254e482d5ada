"""The incident report: a headless core (``build``) and renderers for Markdown, HTML and JSON.

``build.build_report`` runs the named queries and returns a ``Report``; nothing here prints, and
textual is never imported, so the TUI can reuse the same core.
"""
