"""Shared core of the coach: session log store and its migrations, retention, trainer report,
pseudonyms and the slot contract between actions and log. Used by the Rasa server (broker,
tracker store), the action server and the command-line tools; imports no dialogue code
(neither `actions` nor `addons`)."""
