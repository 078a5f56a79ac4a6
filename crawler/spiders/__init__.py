"""Spiders: CMS-family bases (`base`, `families`) and one generated spider per source (`sources`)."""
