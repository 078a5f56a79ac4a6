"""Synthetic pages modelled on each source's documented structure, served on 127.0.0.1 at the real paths.

For tests, the demo and CI. The pages are written by us (`mirror/content/*.toml` through
`mirror/family_templates.py`), not copies of what the sites served; extraction on real pages
is tested on ../shared/pages (tests/test_real_pages.py).
"""
