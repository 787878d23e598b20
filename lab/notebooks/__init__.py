"""Build the course notebooks and index.md from the pandoc-style snippets in snippets/."""
