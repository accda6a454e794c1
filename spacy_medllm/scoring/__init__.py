"""Span matching for evaluation: exact offsets, or one-to-one overlap of the same label."""
