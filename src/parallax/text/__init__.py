"""Text primitives shared by the stages: embeddings, alignment, words, names, dates, slots, hashes."""
