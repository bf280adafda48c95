"""Serve one of the two apps the HTTP figures compare, with identical server settings:
``python -m bench.serve finbatch|bare DATABASE_URL PORT``.

Both run in one uvicorn process (its default event loop and HTTP parser, no access log, warnings
only), so the difference measured is the application's.
"""

from __future__ import annotations

import sys

import uvicorn


def main() -> None:
    which, url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if which == "finbatch":
        from finbatch.app import create_app
        from finbatch.config import Settings

        app = create_app(Settings(database_url=url, embedded_workers=0))
    else:
        from bench.bare_app import create_bare_app

        app = create_bare_app(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
