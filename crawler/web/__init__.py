"""`jobtrail serve`: a read-only web app and feeds over storage's query functions.

Starlette (ASGI) + the Jinja2 we already use, served by uvicorn. No SQL here: every page
calls storage (history, search, sources, browse), and diffs render through pipelines.alerts.render,
exactly as the digest does.
"""
