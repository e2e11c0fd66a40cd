"""The smart-camera demo's cloud step: start the receiver on loopback
(PostgreSQL in a temporary cluster if the server is installed, else the
embedded SQLite default: the same code), pair the app's key, send it the
deletion receipt and the signed erase requests the demo produced, show that
a resend is recognised, let the back end acknowledge each (running the
erase hook), and list what the service keeps as proof.

Usage: python demo_cloud.py OUT   (OUT: the demo's output directory)"""
import glob
import json
import os
import secrets
import socket
import sys
import threading
import time

import httpx
import uvicorn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from custos_fleet import create_app, open_database  # noqa: E402
from custos_fleet.pgtemp import DEFAULT_BIN, TempPostgres  # noqa: E402

PB = {"Content-Type": "application/x-protobuf"}


def say(ok: bool, text: str) -> None:
    print("  %s %s" % ("ok " if ok else "FAIL", text))
    if not ok:
        sys.exit(1)


def serve(app):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, "http://127.0.0.1:%d" % port


def run(out: str, db_url: str) -> None:
    token = secrets.token_hex(16)
    db = open_database(db_url)
    server, base = serve(create_app(db, token=token))
    auth = {"Authorization": "Bearer " + token}
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            receipt_doc = json.load(open(os.path.join(out, "receipt-bob.json")))
            device_id = receipt_doc["device_id"]
            pk = open(os.path.join(out, "app.pub"), "rb").read().hex()
            r = http.post("/v1/devices", json={"device_id": device_id, "public_key": pk}, headers=auth)
            say(r.status_code == 201, "cloud: paired the app's public key with the service (%s)" % base)
            receipt = open(os.path.join(out, "receipt-bob.bin"), "rb").read()
            r = http.post("/v1/devices/%s/receipts" % device_id, content=receipt, headers=PB)
            say(r.status_code == 201, "cloud: Bob's deletion receipt verified by the core and stored")
            forged = bytearray(receipt)
            forged[-1] ^= 1
            r = http.post("/v1/devices/%s/receipts" % device_id, content=bytes(forged), headers=PB)
            say(r.status_code == 403, "cloud: a receipt with one bit changed is refused (%d %s)"
                % (r.status_code, r.json()["reason"]))
            ids = []
            for path in sorted(glob.glob(os.path.join(out, "cloud", "erase-request-*.bin"))):
                msg = open(path, "rb").read()
                r = http.post("/v1/devices/%s/erase-requests" % device_id, content=msg, headers=PB)
                say(r.status_code == 201, "cloud: accepted the signed erase request %s (counter %d)"
                    % (os.path.basename(path), r.json()["counter"]))
                ids.append(r.json()["request_id"])
                r = http.post("/v1/devices/%s/erase-requests" % device_id, content=msg, headers=PB)
                say(r.status_code == 200 and not r.json()["stored"],
                    "cloud: the same request sent again is recognised and stored once")
            say(bool(ids), "cloud: the demo produced erase requests")
            pending = http.get("/v1/erase-requests", params={"device_id": device_id}, headers=auth).json()
            say(len(pending) == len(ids), "cloud: %d erase request(s) pending for the back end" % len(pending))
            with db.transaction() as tx:        # the clips the cloud keeps of that person
                for i, p in enumerate(pending):
                    if p["subject_hash"]:
                        for k in range(2):
                            tx.execute("INSERT INTO cloud_clip VALUES (%s, %s, %s, 2)",
                                       (bytes.fromhex(device_id), 2 * i + k, bytes.fromhex(p["subject_hash"])))
            for rid in ids:
                r = http.post("/v1/devices/%s/erase-requests/%s/ack" % (device_id, rid), headers=auth)
                say(r.status_code == 200, "cloud: the erase hook removed %d cloud clip(s) of that person; "
                    "request acknowledged" % r.json()["rows_erased"])
            pending = http.get("/v1/erase-requests", params={"device_id": device_id}, headers=auth).json()
            kept = http.get("/v1/devices/%s/receipts" % device_id, headers=auth).json()
            say(pending == [] and len(kept) == 1, "cloud: nothing pending; the service keeps %d receipt as proof"
                % len(kept))
    finally:
        server.should_exit = True


def main() -> None:
    out = sys.argv[1]
    pg_bin = os.environ.get("CUSTOS_PG_BIN", DEFAULT_BIN)
    if os.path.isfile(os.path.join(pg_bin, "initdb")):
        print("  (the receiver runs on a temporary PostgreSQL cluster on loopback)")
        with TempPostgres(os.path.join(out, "cloud")) as pg:
            run(out, pg.dsn)
    else:
        print("  (no PostgreSQL installed: the receiver runs on its embedded SQLite default)")
        db = os.path.join(out, "cloud", "fleet.db")
        if os.path.exists(db):
            os.remove(db)
        run(out, "sqlite:///" + db)


if __name__ == "__main__":
    main()
