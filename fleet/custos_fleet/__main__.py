"""python -m custos_fleet [--db URL] [--host H] [--port P] [--http H] [--loop L]: serve the receiver."""
import argparse
import os

import uvicorn

from .app import create_app
from .db import open_database


def serve(app, host: str, port: int, http: str = "auto", loop: str = "auto") -> None:
    """One uvicorn worker process. "auto" takes httptools and uvloop when they
    are installed (bindings/python/requirements-run.txt lists them), else the
    pure-Python h11 and asyncio; bench_load.py runs both."""
    uvicorn.run(app, host=host, port=port, http=http, loop=loop, log_level="warning", access_log=False)


def main() -> None:
    ap = argparse.ArgumentParser(prog="custos_fleet")
    ap.add_argument("--db", default=os.environ.get("CUSTOS_FLEET_DB", "sqlite:///custos-fleet.db"))
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8700)
    ap.add_argument("--http", default="auto", choices=["auto", "h11", "httptools"])
    ap.add_argument("--loop", default="auto", choices=["auto", "asyncio", "uvloop"])
    ap.add_argument("--openapi", metavar="FILE", help="write the OpenAPI document and exit")
    a = ap.parse_args()
    app = create_app(open_database(a.db))
    if a.openapi:
        import json
        with open(a.openapi, "w") as f:
            json.dump(app.openapi(), f, indent=1)
        return
    serve(app, a.host, a.port, a.http, a.loop)


if __name__ == "__main__":
    main()
