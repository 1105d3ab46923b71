"""Renderings of the source documents by other producers (docs/producers.md)."""
