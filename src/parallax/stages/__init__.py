"""The pipeline stages, in order: read, clean, split, provenance, stories, crosscheck, loaded, brief."""
