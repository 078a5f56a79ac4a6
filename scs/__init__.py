"""The `scs` command line: one entry point for crawling, the mirror, the store and the newsroom."""
