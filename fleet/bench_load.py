"""Load on the fleet receiver, on loopback: enrol D devices and replay their
day of traffic (a consent receipt, deletion receipts, erase requests), with
C concurrent clients against one uvicorn worker process on a temporary
PostgreSQL cluster. Reports requests per second per core of the service,
p50/p99 latency, PostgreSQL rows and bytes per device, and the share of a
request spent verifying in the core. Not a timed test: it prints figures.

Usage: python bench_load.py [--devices D] [--clients C] [--tmp DIR]"""
import argparse
import concurrent.futures as cf
import os
import pathlib
import resource
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
from custos_fleet import open_database  # noqa: E402
from custos_fleet.pgtemp import TempPostgres  # noqa: E402

PB = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--tmp", default=None)
    a = ap.parse_args()
    if a.tmp:
        os.makedirs(a.tmp, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="fleet-bench-", dir=a.tmp)
    os.chmod(tmp, 0o755)                   # the cluster inside may run as the postgres user
    compiled = custos.manifest.compile((HERE.parent / "examples/smart-camera/privacy.yaml").read_text()).data
    t0 = time.perf_counter()
    devices = make_devices(a.devices, tmp, compiled)
    print("prepared %d device stores in %.1f s" % (a.devices, time.perf_counter() - t0))

    # Verification alone, in this process: the core's share of an ingest.
    dev = devices[0]
    pk = bytes.fromhex(dev[1])
    n = 2000
    t = time.perf_counter()
    for _ in range(n):
        custos.verify_receipt(dev[3][0], pk)
    verify_us = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    for _ in range(n):
        custos.ReplayState().accept(dev[4][0], pk)
    accept_us = (time.perf_counter() - t) / n * 1e6

    with TempPostgres(tmp) as pg:
        token = secrets.token_hex(16)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, CUSTOS_FLEET_TOKEN=token, PYTHONPATH=str(HERE))
        srv = subprocess.Popen([sys.executable, "-m", "custos_fleet", "--db", pg.dsn, "--port", str(port)],
                               env=env, cwd=str(HERE))
        try:
            base = "http://127.0.0.1:%d" % port
            for _ in range(200):
                try:
                    httpx.get(base + "/openapi.json", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            auth = {"Authorization": "Bearer " + token}
            lat = {"register": [], "consent": [], "receipt": [], "erase": []}

            def day(d):
                did, pkh, consent, receipts, requests = d
                with httpx.Client(base_url=base, timeout=60) as c:
                    def timed(kind, *args, **kw):
                        t = time.perf_counter()
                        r = c.post(*args, **kw)
                        lat[kind].append(time.perf_counter() - t)
                        assert r.status_code in (200, 201), (kind, r.status_code, r.text)
                    timed("register", "/v1/devices", json={"device_id": did, "public_key": pkh}, headers=auth)
                    timed("consent", "/v1/devices/%s/consent" % did, content=consent, headers=JSON)
                    for r in receipts:
                        timed("receipt", "/v1/devices/%s/receipts" % did, content=r, headers=PB)
                    for m in requests:
                        timed("erase", "/v1/devices/%s/erase-requests" % did, content=m, headers=PB)

            cpu0 = cpu_of(srv.pid)
            t = time.perf_counter()
            with cf.ThreadPoolExecutor(a.clients) as ex:
                list(ex.map(day, devices))
            wall = time.perf_counter() - t
            cpu = cpu_of(srv.pid) - cpu0
        finally:
            srv.terminate()
            srv.wait(10)
        db = open_database(pg.dsn)
        with db.transaction() as tx:
            tables = ["device", "consent_event", "consent_batch", "deletion_receipt", "erase_request"]
            rows = sum(tx.one("SELECT count(*) FROM %s" % t)[0] for t in tables)
            size = sum(tx.one("SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                              "WHERE inhparent = %s::regclass", (t,))[0] for t in tables)
    total = sum(len(v) for v in lat.values())
    ingests = total - len(lat["register"])
    allv = sorted(x for v in lat.values() for x in v)
    print("devices %d, clients %d, requests %d in %.2f s wall, service CPU %.2f s" % (a.devices, a.clients,
                                                                                   total, wall, cpu))
    print("service: %.0f requests/s per core of service CPU (%.0f verified ingests/s per core)"
          % (total / cpu, ingests / cpu))
    print("latency all: p50 %.1f ms, p99 %.1f ms" % (statistics.median(allv) * 1e3,
                                                     allv[int(len(allv) * 0.99) - 1] * 1e3))
    for k, v in lat.items():
        v.sort()
        print("  %-8s n=%d p50 %.1f ms p99 %.1f ms" % (k, len(v), statistics.median(v) * 1e3,
                                                       v[max(int(len(v) * 0.99) - 1, 0)] * 1e3))
    print("verification in the core: receipt %.0f us, erase request %.0f us; "
          "%.1f%% of the service CPU per ingest" % (verify_us, accept_us,
                                                    100 * (verify_us * 1e-6) / (cpu / total)))
    print("PostgreSQL: %.1f rows and %.0f bytes per device (with indexes, %d partitions per table)"
          % (rows / a.devices, size / a.devices, 8))


if __name__ == "__main__":
    main()
