"""python -m custos_fleet [--db URL] [--host H] [--port P]: serve the receiver."""
import argparse
import os

import uvicorn

from .app import create_app
from .db import open_database


def main() -> None:
    ap = argparse.ArgumentParser(prog="custos_fleet")
    ap.add_argument("--db", default=os.environ.get("CUSTOS_FLEET_DB", "sqlite:///custos-fleet.db"))
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8700)
    ap.add_argument("--openapi", metavar="FILE", help="write the OpenAPI document and exit")
    a = ap.parse_args()
    app = create_app(open_database(a.db))
    if a.openapi:
        import json
        with open(a.openapi, "w") as f:
            json.dump(app.openapi(), f, indent=1)
        return
    uvicorn.run(app, host=a.host, port=a.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
