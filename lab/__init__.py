"""Helpers for the GourmetGram lab: notebook builder, local services, workflow checks."""
