"""Load on the fleet receiver, on loopback: enrol D devices and replay their
day of traffic (a consent receipt, deletion receipts, erase requests), with
C concurrent clients against one uvicorn worker process on a temporary
PostgreSQL cluster. Not a timed test: it prints figures.

Every rate is per core of CPU time of the process that does the work (the
service process for HTTP; this process for the in-process figures), never
wall time, so that a shared machine changes latencies but not the rates.
In the same run it measures, against the same bodies:

- the floor: bench_floor.py, the same uvicorn setup, route shape and body
  reading as an ingest but no verification and no database;
- verification alone in the core, per body;
- the receiver's ingest without HTTP (verification and database, in this
  process), hence the database's share;
- the full ingest over HTTP, under each server setup of --setups (h11 and
  asyncio, the pure-Python pair; auto, which takes httptools and uvloop).

--synthetic-devices N first bulk-loads N more devices' enrolment and day of
rows with COPY, in the shapes the service writes (custos_fleet.service's
*_row functions, bodies copied from real device stores, a random device id
and key per device), so that rows and bytes per device and the HTTP figures
of the real devices are measured against a database of that size. Those
rows are not sent over HTTP and their bodies do not verify against their
random keys; --synthetic-budget bounds the seconds spent loading, and the N
reached is printed.

Usage: python bench_load.py [--devices D] [--clients C] [--tmp DIR]
                            [--setups h11-asyncio,auto]
                            [--synthetic-devices N] [--synthetic-budget S]"""
import argparse
import concurrent.futures as cf
import os
import pathlib
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import httpx

import custos

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from custos_fleet import Receiver, open_database  # noqa: E402
from custos_fleet.pgtemp import TempPostgres  # noqa: E402
from custos_fleet.service import consent_rows, erase_request_row, receipt_row, _digest  # noqa: E402

PB = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}
TABLES = ["device", "consent_event", "consent_batch", "deletion_receipt", "erase_request"]
SETUPS = {"h11-asyncio": ("h11", "asyncio"), "auto": ("auto", "auto")}


def make_devices(n: int, tmp: str, compiled: bytes) -> list:
    """n real device stores, each with the bodies of its day."""
    out = []
    for i in range(n):
        with custos.Store(os.path.join(tmp, "dev%d" % i)) as st:
            st.load_manifest(compiled)
            a, b = st.add_subject("a%d" % i), st.add_subject("b%d" % i)
            st.consent(a, 2, custos.store.GIVEN)
            st.consent(b, 2, custos.store.GIVEN)
            consent = st.consent_receipt(a)
            receipts = [st.erase_purpose(a, 2), st.erase_subject(b)]
            requests = [m for _, m in st.outbox()]
            out.append((st.device_id.hex(), st.public_key.hex(), consent, receipts, requests))
    return out


def cpu_of(pid: int) -> float:
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(v: list, q: float) -> float:
    v = sorted(v)
    return v[max(int(len(v) * q) - 1, 0)] * 1e3


def per_call_us(fn, n: int) -> float:
    t = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t) / n * 1e6


# --- in-process figures ------------------------------------------------------
def verify_costs(dev: tuple) -> dict:
    """CPU per body of the core's verification alone (with the binding's decode)."""
    _, pkh, consent, receipts, requests = dev
    pk = bytes.fromhex(pkh)
    return {"receipt": per_call_us(lambda: custos.verify_receipt(receipts[0], pk), 2000),
            "erase": per_call_us(lambda: custos.ReplayState().accept(requests[0], pk), 2000),
            "consent": per_call_us(lambda: custos.verify_consent_receipt(consent, pk), 500)}


def day_mix(devices: list) -> dict:
    d = devices[0]
    return {"consent": 1, "receipt": len(d[3]), "erase": len(d[4])}


def in_process(dsn: str, devices: list) -> float:
    """CPU per ingest of Receiver alone (verification + database, no HTTP)."""
    rx = Receiver(open_database(dsn))
    for did, pkh, *_ in devices:
        rx.register(bytes.fromhex(did), bytes.fromhex(pkh))
    n = 0
    t = time.process_time()
    for did, _, consent, receipts, requests in devices:
        d = bytes.fromhex(did)
        rx.ingest_consent(d, consent)
        for r in receipts:
            rx.ingest_receipt(d, r)
        for m in requests:
            rx.ingest_erase_request(d, m)
        n += 1 + len(receipts) + len(requests)
    return (time.process_time() - t) / n * 1e6


# --- bulk load ---------------------------------------------------------------
def synthetic_templates(devices: list) -> list:
    """The rows of a few real devices' day, as the service would write them,
    with the device id left to fill in."""
    out = []
    for _, pkh, consent, receipts, requests in devices:
        pk = bytes.fromhex(pkh)
        state = custos.ReplayState()
        reqs = [(state.accept(m, pk), _digest(m), m) for m in requests]
        out.append({"consent": consent, "state": state.to_bytes(),
                    "receipts": [(r, custos.verify_receipt(r, pk)) for r in receipts], "requests": reqs})
    return out


def bulk_load(dsn: str, templates: list, n: int, budget: float, chunk: int = 20000) -> int:
    """COPY n devices' enrolment and day of rows in chunks; stop at the
    chunk that crosses budget seconds. Returns the devices loaded."""
    import psycopg
    now = int(time.time())
    done = 0
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        while done < n and time.perf_counter() - t0 < budget:
            k = min(chunk, n - done)
            ids = os.urandom(16 * k)
            keys = os.urandom(32 * k)
            with conn.cursor() as cur:
                for table, rows in (("device", _device_rows), ("consent_batch", _batch_rows),
                                    ("consent_event", _event_rows), ("deletion_receipt", _receipt_rows),
                                    ("erase_request", _request_rows)):
                    with cur.copy("COPY %s FROM STDIN" % table) as cp:
                        for i in range(k):
                            did = ids[16 * i:16 * i + 16]
                            for row in rows(did, keys[32 * i:32 * i + 32], templates[(done + i) % len(templates)],
                                            now):
                                cp.write_row(row)
            conn.commit()
            done += k
            print("  bulk-loaded %d devices (%.0f s)" % (done, time.perf_counter() - t0), flush=True)
    return done


def _device_rows(did, pk, t, now):
    return [(did, pk, t["state"], now)]


def _batch_rows(did, pk, t, now):
    return [consent_rows(did, t["consent"], now)[0]]


def _event_rows(did, pk, t, now):
    return consent_rows(did, t["consent"], now)[1]


def _receipt_rows(did, pk, t, now):
    return [receipt_row(did, body, doc, now) for body, doc in t["receipts"]]


def _request_rows(did, pk, t, now):
    return [erase_request_row(did, req, h, body, now) + (None, None) for req, h, body in t["requests"]]


# --- HTTP --------------------------------------------------------------------
class Server:
    """One uvicorn process (the receiver or the floor) on a free port."""

    def __init__(self, argv: list, http: str, loop: str, token: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, CUSTOS_FLEET_TOKEN=token, PYTHONPATH=str(HERE))
        self.proc = subprocess.Popen([sys.executable] + argv + ["--port", str(port), "--http", http, "--loop", loop],
                                     env=env, cwd=str(HERE))
        self.base = "http://127.0.0.1:%d" % port
        for _ in range(300):
            try:
                httpx.get(self.base + "/openapi.json", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the service did not start")

    def cpu(self) -> float:
        return cpu_of(self.proc.pid)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def drive(srv: Server, devices: list, clients: int, day) -> tuple:
    """Run day(client, device) -> [(kind, seconds)] for every device, one
    connection per device; return (latencies by kind, service CPU)."""
    lat: dict = {}

    def one(d):
        with httpx.Client(base_url=srv.base, timeout=60) as c:
            return day(c, d)

    cpu0 = srv.cpu()
    with cf.ThreadPoolExecutor(clients) as ex:
        for res in ex.map(one, devices):
            for kind, s in res:
                lat.setdefault(kind, []).append(s)
    return lat, srv.cpu() - cpu0


def timed(c: httpx.Client, out: list, kind: str, *args, **kw) -> None:
    t = time.perf_counter()
    r = c.post(*args, **kw)
    out.append((kind, time.perf_counter() - t))
    assert r.status_code in (200, 201), (kind, r.status_code, r.text)


def floor_day(c, d, rounds: int = 3):
    """Each of the device's protobuf bodies, posted to the floor's receipt route."""
    did, _, _, receipts, requests = d
    out: list = []
    for _ in range(rounds):
        for body in receipts + requests:
            timed(c, out, "floor", "/v1/devices/%s/receipts" % did, content=body, headers=PB)
    return out


def ingest_day(auth):
    def day(c, d):
        did, pkh, consent, receipts, requests = d
        out: list = []
        timed(c, out, "register", "/v1/devices", json={"device_id": did, "public_key": pkh}, headers=auth)
        timed(c, out, "consent", "/v1/devices/%s/consent" % did, content=consent, headers=JSON)
        for r in receipts:
            timed(c, out, "receipt", "/v1/devices/%s/receipts" % did, content=r, headers=PB)
        for m in requests:
            timed(c, out, "erase", "/v1/devices/%s/erase-requests" % did, content=m, headers=PB)
        return out
    return day


def report_http(name: str, lat: dict, cpu: float) -> dict:
    total = sum(len(v) for v in lat.values())
    ingests = total - len(lat.get("register", []))
    allv = [x for v in lat.values() for x in v]
    print("%s: %d requests, service CPU %.2f s: %.0f requests/s per core (%.0f ingests/s per core); "
          "p50 %.1f ms, p99 %.1f ms" % (name, total, cpu, total / cpu, ingests / cpu,
                                        statistics.median(allv) * 1e3, pct(allv, 0.99)))
    if len(lat) > 1:
        for k, v in lat.items():
            print("    %-8s n=%d p50 %.1f ms p99 %.1f ms" % (k, len(v), statistics.median(v) * 1e3, pct(v, 0.99)))
    return {"req_per_core": total / cpu, "ingest_per_core": ingests / cpu, "us_per_req": cpu / total * 1e6}


def db_size(dsn: str) -> tuple:
    db = open_database(dsn)
    with db.transaction() as tx:
        rows = sum(tx.one("SELECT count(*) FROM %s" % t)[0] for t in TABLES)
        size = sum(tx.one("SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                          "WHERE inhparent = %s::regclass", (t,))[0] for t in TABLES)
        devices = tx.one("SELECT count(*) FROM device")[0]
    return rows, size, devices


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--tmp", default=None)
    ap.add_argument("--setups", default="h11-asyncio,auto")
    ap.add_argument("--synthetic-devices", type=int, default=0)
    ap.add_argument("--synthetic-budget", type=float, default=600)
    a = ap.parse_args()
    setups = a.setups.split(",")
    if a.tmp:
        os.makedirs(a.tmp, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="fleet-bench-", dir=a.tmp)
    os.chmod(tmp, 0o755)                   # the cluster inside may run as the postgres user
    compiled = custos.manifest.compile((HERE.parent / "examples/smart-camera/privacy.yaml").read_text()).data
    t0 = time.perf_counter()
    devices = make_devices(a.devices, tmp, compiled)
    print("prepared %d device stores in %.1f s" % (a.devices, time.perf_counter() - t0))
    # One share for the in-process figure, one per server setup: each device's day is sent once.
    groups = [devices[i::len(setups) + 1] for i in range(len(setups) + 1)]

    verify = verify_costs(devices[0])
    mix = day_mix(devices)
    verify_us = sum(verify[k] * n for k, n in mix.items()) / sum(mix.values())
    token = secrets.token_hex(16)
    auth = {"Authorization": "Bearer " + token}
    with TempPostgres(tmp) as pg:
        open_database(pg.dsn).migrate()
        loaded = 0
        if a.synthetic_devices:
            t = time.perf_counter()
            loaded = bulk_load(pg.dsn, synthetic_templates(groups[0][:4]), a.synthetic_devices, a.synthetic_budget)
            print("bulk-loaded %d of %d synthetic devices in %.0f s (COPY, not HTTP)"
                  % (loaded, a.synthetic_devices, time.perf_counter() - t))
        rx_us = in_process(pg.dsn, groups[0])
        figures = {}
        for name, group in zip(setups, groups[1:]):
            http, loop = SETUPS[name]
            floor = Server(["bench_floor.py"], http, loop, token)
            try:
                figures[name + " floor"] = report_http(name + " floor", *drive(floor, group, a.clients, floor_day))
            finally:
                floor.stop()
            srv = Server(["-m", "custos_fleet", "--db", pg.dsn], http, loop, token)
            try:
                figures[name + " ingest"] = report_http(name + " ingest",
                                                        *drive(srv, group, a.clients, ingest_day(auth)))
            finally:
                srv.stop()
        rows, size, n_dev = db_size(pg.dsn)

    print("verification in the core, CPU per body: receipt %.0f us, erase request %.0f us, consent receipt "
          "%.0f us; %.0f us per ingest of the day's mix = %.0f verifications/s per core"
          % (verify["receipt"], verify["erase"], verify["consent"], verify_us, 1e6 / verify_us))
    print("receiver without HTTP (verification + database client work): %.0f us per ingest = %.0f/s per core; "
          "database client work alone %.0f us" % (rx_us, 1e6 / rx_us, rx_us - verify_us))
    for name, f in figures.items():
        if name.endswith("ingest"):
            print("%s: verification %.0f%% of the service CPU per request" % (name, 100 * verify_us / f["us_per_req"]))
    if len(setups) == 2:
        b, c = setups
        for kind in ("floor", "ingest"):
            print("%s / %s, %s requests/s per core: %.2f" % (c, b, kind, figures[c + " " + kind]["req_per_core"]
                                                             / figures[b + " " + kind]["req_per_core"]))
    print("PostgreSQL: %d devices (%d bulk-loaded, %d over HTTP), %.2f rows and %.0f bytes per device "
          "(tables and indexes, 8 partitions per table)" % (n_dev, loaded, n_dev - loaded, rows / n_dev,
                                                            size / n_dev))


if __name__ == "__main__":
    main()
