"""Widgets of the TUI, one role each."""
