"""Rasa server add-ons: NLU components, policies, channels, tracker store, event broker.

Importing the package installs the project's Rasa patches (addons/rasa_patches.py: the list,
the version check and the switch COACH_RASA_PATCHES). Every Rasa process that serves or tests
conversations imports it: the model's tokenizer and policy and endpoints.yml's tracker store
and event broker live here.
"""
from addons import rasa_patches as _rasa_patches

_rasa_patches.install()
