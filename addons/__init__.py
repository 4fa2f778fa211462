"""Rasa server add-ons: NLU components, channels, tracker store, event broker. `pseudonym`
and `german_text` are plain Python and also used by the action server."""
