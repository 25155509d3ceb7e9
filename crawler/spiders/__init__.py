"""Spiders: which URLs to fetch, in which order. Extraction lives in crawler.extract."""
