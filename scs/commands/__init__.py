"""Subcommands of `scs`, one module each (see `scs.cli`)."""
