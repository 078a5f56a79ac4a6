"""Pure normalising functions and thin Scrapy pipeline adapters (this package imports without Scrapy)."""
