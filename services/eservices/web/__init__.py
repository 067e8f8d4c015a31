"""The citizen web's pages: templates, their rendering and filters, and the server-side sessions.

The pages are a fourth output of the form declarations (after the API, the JSON Schema and the
PDF) and call the same use cases as the API; the request handling is an entrypoint
(``services/entrypoints/web``).
"""
