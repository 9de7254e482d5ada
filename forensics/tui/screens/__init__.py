"""Screens of the TUI, one role each."""
