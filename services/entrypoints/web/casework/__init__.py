"""The case workers' section of the web (``/eservices/personal``): Att göra, the inbox of
e-applications and Koppla ansökan, on the toolkit's layout and components. Its views are in
``session`` (login, logout, keep-alive), ``todo``, ``inbox`` and ``intake`` (shared helpers in
``common``), its pages in ``templates/`` (``staff.html`` fills the layout's brand, menu, side
navigation and footer); ``section.CASEWORK`` ties them to the request cycle (``..http.serve``) with
a session cookie, base path and login of its own (``section.staff_config``). Every view calls
case work's use cases (``services/eservices/casework/usecases``), as the JSON API does."""
