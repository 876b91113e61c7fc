"""api — the service layer: the root CLI, the FastAPI app, and glue between kg and nlp."""
