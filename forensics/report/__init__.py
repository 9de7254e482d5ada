"""Renderers of the incident's story (``forensics.story``) for Markdown, HTML (with charts) and JSON."""
