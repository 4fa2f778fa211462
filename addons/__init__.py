"""Custom Rasa NLU components for German (loaded by the Rasa server, not the action server)."""
