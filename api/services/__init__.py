"""api.services — the service's work: everything routes call (no HTTP here)."""
