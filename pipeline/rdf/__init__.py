"""Records -> RDF: namespaces, stable IRIs, concept schemes and the catalogue mapping."""
