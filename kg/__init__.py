"""kg — the assess2plan knowledge graph: ontology terms, readers, builder, store, queries."""
