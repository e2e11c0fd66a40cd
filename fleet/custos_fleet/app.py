"""The HTTP face of the receiver (FastAPI). Bodies that devices sign travel
as the exact bytes the SDK emitted (application/x-protobuf for receipts and
erase requests, application/json for consent receipts); the service verifies
those bytes and never re-encodes them.

Routes that a device's signature cannot authenticate (pairing, queries, the
acknowledgement that runs the erase hook) need the back end's bearer token
(CUSTOS_FLEET_TOKEN), compared in constant time."""
import hmac
import os
import re
from typing import Any, Dict, List, Optional

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .db import Database, from_environment
from .service import (MAX_CONSENT_BATCH, MAX_ERASE_REQUEST, MAX_RECEIPT, EraseHook, Receiver, Refused,
                      sample_erase_hook)

HEX16 = r"^[0-9a-f]{32}$"
HEX32 = r"^[0-9a-f]{64}$"


class Registration(BaseModel):
    device_id: str = Field(pattern=HEX16, description="the 16-byte device id, lowercase hex")
    public_key: str = Field(pattern=HEX32, description="the device's Ed25519 public key, lowercase hex")


class Problem(BaseModel):
    reason: str
    detail: str


class Stored(BaseModel):
    stored: bool
    receipt_id: Optional[str] = None
    request_id: Optional[str] = None
    scope: Optional[str] = None
    counter: Optional[int] = None


class ConsentStored(BaseModel):
    events: int
    stored: int


class Ack(BaseModel):
    request_id: str
    acked_at: int
    rows_erased: int


class Event(BaseModel):
    time: int
    status: str


class History(BaseModel):
    purpose: str
    at: Optional[int]
    status: Optional[str]
    history: List[Event]


class Receipt(BaseModel):
    receipt_id: str
    scope: str
    subject_hash: Optional[str]
    purpose: Optional[int]
    time: int
    receipt: str


class Pending(BaseModel):
    device_id: str
    request_id: str
    counter: int
    scope: int
    subject_hash: Optional[str]
    purpose: Optional[int]
    time: int


ERRORS: Dict[Any, Dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 403, 404, 409, 413, 415, 422)}


def _body_doc(media: str, limit: int, what: str) -> Dict[str, Any]:
    return {"requestBody": {"required": True, "description": "%s, at most %d bytes" % (what, limit),
                            "content": {media: {"schema": {"type": "string", "format": "binary",
                                                           "maxLength": limit}}}}}


async def body_of(request: Request, media: str, limit: int) -> bytes:
    """The exact bytes of a device-signed body, refused before it is read in
    full if it announces or reaches more than limit bytes."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    if ctype != media:
        raise Refused(415, "media_type", "send %s" % media)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, "too_large", "at most %d bytes" % limit)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, "too_large", "at most %d bytes" % limit)
    return body


def device_id_path() -> Any:
    return Path(..., pattern=HEX16, description="the device id, lowercase hex")


def create_app(db: Optional[Database] = None, token: Optional[str] = None,
               erase_hook: EraseHook = sample_erase_hook) -> FastAPI:
    db = db or from_environment()
    db.migrate()
    token = token if token is not None else os.environ.get("CUSTOS_FLEET_TOKEN", "")
    if not token:
        raise RuntimeError("custos-fleet: set CUSTOS_FLEET_TOKEN (the back end's bearer token)")
    rx = Receiver(db, erase_hook)
    app = FastAPI(title="Custos fleet receiver", version="1",
                  description="Keeps every device's consent proofs, deletion receipts and erase requests, "
                              "each verified by the Custos core before it is stored.")

    @app.exception_handler(Refused)
    async def refused(_req: Request, e: Refused) -> JSONResponse:
        return JSONResponse({"reason": e.reason, "detail": e.detail}, status_code=e.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_req: Request, e: RequestValidationError) -> JSONResponse:
        where = "; ".join("%s: %s" % (".".join(str(x) for x in err.get("loc", ())), err.get("msg", ""))
                          for err in e.errors()[:3])
        return JSONResponse({"reason": "invalid", "detail": where}, status_code=422)

    def authorised(authorization: str = Header("", description="Bearer TOKEN")) -> None:
        given = authorization[7:] if authorization.startswith("Bearer ") else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise Refused(401, "unauthorised", "this route needs the back end's bearer token")

    dev = device_id_path()

    @app.post("/v1/devices", status_code=201, responses={200: {"model": Registration}, **ERRORS},
              response_model=Registration, dependencies=[Depends(authorised)])
    async def register(reg: Registration) -> Any:
        """Pair a device's public key (called by the companion app's back end)."""
        new = await run_in_threadpool(rx.register, bytes.fromhex(reg.device_id), bytes.fromhex(reg.public_key))
        return reg if new else JSONResponse(reg.model_dump(), status_code=200)

    @app.post("/v1/devices/{device_id}/receipts", status_code=201, response_model=Stored,
              responses={200: {"model": Stored}, **ERRORS},
              openapi_extra=_body_doc("application/x-protobuf", MAX_RECEIPT, "a signed DeletionReceipt"))
    async def receipt(request: Request, device_id: str = dev) -> Any:
        """Ingest a signed deletion receipt; the same receipt twice is stored once (200)."""
        body = await body_of(request, "application/x-protobuf", MAX_RECEIPT)
        out = await run_in_threadpool(rx.ingest_receipt, bytes.fromhex(device_id), body)
        return JSONResponse(out, status_code=201 if out["stored"] else 200)

    @app.post("/v1/devices/{device_id}/erase-requests", status_code=201, response_model=Stored,
              responses={200: {"model": Stored}, **ERRORS},
              openapi_extra=_body_doc("application/x-protobuf", MAX_ERASE_REQUEST, "a signed EraseRequest"))
    async def erase_request(request: Request, device_id: str = dev) -> Any:
        """Ingest a signed erase request (ETSI EN 303 645 5.11-2), accepted once."""
        body = await body_of(request, "application/x-protobuf", MAX_ERASE_REQUEST)
        out = await run_in_threadpool(rx.ingest_erase_request, bytes.fromhex(device_id), body)
        return JSONResponse(out, status_code=201 if out["stored"] else 200)

    @app.post("/v1/devices/{device_id}/consent", status_code=201, response_model=ConsentStored,
              responses=ERRORS,
              openapi_extra=_body_doc("application/json", MAX_CONSENT_BATCH, "a signed consent receipt"))
    async def consent(request: Request, device_id: str = dev) -> Any:
        """Ingest a signed consent receipt (ISO/IEC TS 27560); events already held are not stored again."""
        body = await body_of(request, "application/json", MAX_CONSENT_BATCH)
        return await run_in_threadpool(rx.ingest_consent, bytes.fromhex(device_id), body)

    @app.post("/v1/devices/{device_id}/erase-requests/{request_id}/ack", response_model=Ack,
              responses=ERRORS, dependencies=[Depends(authorised)])
    async def ack(device_id: str = dev, request_id: str = Path(..., pattern=HEX16)) -> Any:
        """Run the erase hook for the request and mark it done; acknowledging twice is a no-op."""
        return await run_in_threadpool(rx.acknowledge, bytes.fromhex(device_id), bytes.fromhex(request_id))

    @app.get("/v1/devices/{device_id}/receipts", response_model=List[Receipt], responses=ERRORS,
             dependencies=[Depends(authorised)])
    async def receipts(device_id: str = dev) -> Any:
        """Every deletion receipt of a device, with its signed bytes (hex)."""
        return await run_in_threadpool(rx.receipts, bytes.fromhex(device_id))

    @app.get("/v1/devices/{device_id}/subjects/{subject_hash}/consent", response_model=History,
             responses=ERRORS, dependencies=[Depends(authorised)])
    async def history(device_id: str = dev, subject_hash: str = Path(..., pattern=HEX32),
                      purpose: str = Query(..., min_length=1, max_length=128),
                      at: Optional[int] = Query(None, ge=0, le=2 ** 62, description="seconds since the epoch")) -> Any:
        """The consent history of a subject hash for a purpose, and its status at a time."""
        return await run_in_threadpool(rx.consent_history, bytes.fromhex(device_id),
                                       bytes.fromhex(subject_hash), purpose, at)

    @app.get("/v1/erase-requests", response_model=List[Pending], responses=ERRORS,
             dependencies=[Depends(authorised)])
    async def pending(device_id: Optional[str] = Query(None, pattern=HEX16),
                      limit: int = Query(100, ge=1, le=1000)) -> Any:
        """Erase requests not yet acknowledged, oldest first."""
        return await run_in_threadpool(rx.pending, bytes.fromhex(device_id) if device_id else None, limit)

    return app
