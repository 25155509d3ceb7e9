"""Extraction: pure functions from a fetched body to postings and further fetches.

One module per source kind (registered in ``jobtrail.crawler.sources.registry``), sharing
``base`` (the contract), ``sections`` (one section classifier), ``jsonld``, ``links`` and
``document``. Nothing here does networking or storage.
"""
