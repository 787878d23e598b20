"""`python -m gourmetgram_train.prefect_serve ARGS`: Prefect's command line, `prefect ARGS`.

prefect_server.py starts Prefect's server with it (`… server start --no-services …`). It
imports the server's modules first, with the cyclic collector paused (startup_gc.py): the
server's start-up took about 1 s less of its 7.5 s of CPU here. Then Prefect's own command
line runs, in this process, as `prefect` would.
"""

from __future__ import annotations

from gourmetgram_train.startup_gc import collector_paused


def main() -> None:
    """Import Prefect's server without collections, then run Prefect's CLI on sys.argv."""
    with collector_paused():
        import prefect.server.api.server  # noqa: F401  (what `server start` imports)
    from prefect.cli import app

    app()  # reads sys.argv[1:], the arguments this module was given


if __name__ == "__main__":
    main()
