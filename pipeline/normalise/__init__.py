"""Normalise: extracted records (through their reader's printed entries and the profile's role table)
-> typed entries and canonical services.

Pure functions over pipeline.model values; the vocabularies, aliases and area names are the
YAML files next to this module. docs/normalisation.md explains the rules and judgements.
"""

from pipeline.normalise.services import normalise

__all__ = ["normalise"]
