"""Stand-alone scripts behind the rehearsal's package-manager shims (run by path, not imported)."""
