"""The citizens' section of the web (``/eservices/web``): e-services filled in as pages, Mina
sidor, messages and the login. Its views are in ``public``, ``session``, ``forms``, ``mypages``,
``messages`` and ``attachments``; its pages in ``templates/`` (on the toolkit's layout and
components); ``section.CITIZEN`` ties them to the request cycle (``..http.serve``)."""
