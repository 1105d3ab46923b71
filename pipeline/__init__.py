"""servicegraph: employment-area service documents (PDF) -> CPSV-AP linked open data."""

__version__ = "0.1.0"
