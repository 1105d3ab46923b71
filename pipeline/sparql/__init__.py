"""SPARQL over HTTP: the local Oxigraph server (server.py) and Graph Store pushes (push.py)."""
