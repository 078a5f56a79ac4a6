"""Scrapy project: settings, items, middlewares, CMS-family base spiders and source configurations."""
