"""Only for `scrapyd-deploy`, which builds its egg with `python setup.py bdist_egg` (and would write a setup.py
of its own here if there were none). All the packaging configuration is in pyproject.toml."""

from setuptools import setup

setup()
