"""Attachment text: what a file is (by its bytes, not its name) and the text in it, as pure functions."""
