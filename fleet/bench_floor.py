"""The floor of an ingest, for bench_load.py only (never part of the
receiver's app or its OpenAPI document): the same uvicorn process setup, the
same route shape, path validation, body reading (custos_fleet.app.body_of),
thread-pool hop and JSON answer as POST /v1/devices/{id}/receipts, but
neither verification nor database. Its requests per second per core are the
bound that FastAPI and uvicorn put on the ingest rate.

Usage: python bench_floor.py --port P [--http H] [--loop L]"""
import argparse
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from custos_fleet.__main__ import serve
from custos_fleet.app import body_of, device_id_path
from custos_fleet.service import MAX_RECEIPT


def create_floor_app() -> FastAPI:
    app = FastAPI(title="ingest floor (bench only)")

    def nothing(device_id: bytes, body: bytes) -> dict:
        return {"stored": True, "receipt_id": device_id.hex(), "scope": "subject", "bytes": len(body)}

    @app.post("/v1/devices/{device_id}/receipts", status_code=201)
    async def receipt(request: Request, device_id: str = device_id_path()) -> Any:
        body = await body_of(request, "application/x-protobuf", MAX_RECEIPT)
        out = await run_in_threadpool(nothing, bytes.fromhex(device_id), body)
        return JSONResponse(out, status_code=201)

    return app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--http", default="auto")
    ap.add_argument("--loop", default="auto")
    a = ap.parse_args()
    serve(create_floor_app(), a.host, a.port, a.http, a.loop)


if __name__ == "__main__":
    main()
