"""The Docker engine, as the lab uses it: is one there, build, push, pull, run, stop, read logs.

The one room that models Docker: the local target, the build rehearsal, the tests and the
benches call it; nothing else runs the ``docker`` CLI.
"""
