import time

import custos
from conftest import AUTH, P_CLOUD_RECORDING, count

JSON = {"Content-Type": "application/json"}


def test_consent_history_is_kept_and_queried_at_a_time(client, device, database):
    s = device.subject("alice")
    device.store.consent(s, P_CLOUD_RECORDING, custos.store.WITHDRAWN)
    receipt = device.store.consent_receipt(s)
    url = "/v1/devices/%s/consent" % device.id
    r = client.post(url, content=receipt, headers=JSON)
    assert r.status_code == 201, r.text
    assert r.json()["stored"] == r.json()["events"] >= 2
    again = client.post(url, content=receipt, headers=JSON).json()
    assert again["stored"] == 0
    n = count(database, "consent_event", device.id)
    assert n == r.json()["events"]
    import json
    rec = next(x for x in json.loads(receipt)["records"] if x["events"])
    q = client.get("/v1/devices/%s/subjects/%s/consent" % (device.id, rec["pii_principal_id"]),
                   params={"purpose": rec["purpose"], "at": int(time.time()) + 5}, headers=AUTH).json()
    assert q["status"] == rec["events"][-1]["event_state"] and len(q["history"]) == len(rec["events"])
    before = client.get("/v1/devices/%s/subjects/%s/consent" % (device.id, rec["pii_principal_id"]),
                        params={"purpose": rec["purpose"], "at": 1}, headers=AUTH).json()
    assert before["status"] is None and before["history"] == []


def test_an_altered_consent_receipt_is_refused_and_leaves_no_row(client, device, database):
    s = device.subject("bob")
    receipt = device.store.consent_receipt(s)
    changed = receipt.replace(b"dpv:ConsentGiven", b"dpv:ConsentGivem", 1)
    r = client.post("/v1/devices/%s/consent" % device.id, content=changed, headers=JSON)
    assert r.status_code in (400, 403) and r.json()["reason"] in ("bad_signature", "malformed")
    assert count(database, "consent_event", device.id) == 0
    assert count(database, "consent_batch", device.id) == 0


def test_a_consent_receipt_of_another_device_is_a_bad_signature(client, device, stranger, database):
    receipt = stranger.store.consent_receipt(stranger.subject("carol"))
    r = client.post("/v1/devices/%s/consent" % device.id, content=receipt, headers=JSON)
    assert r.status_code == 403
    assert count(database, "consent_event", device.id) == 0


def test_a_verified_receipt_in_another_format_is_422_with_no_row(client, device, database):
    s = device.subject("dora")
    kantara = device.store.consent_receipt(s, custos.store.RECEIPT_KANTARA)
    r = client.post("/v1/devices/%s/consent" % device.id, content=kantara, headers=JSON)
    assert (r.status_code, r.json()["reason"]) == (422, "not_iso27560")
    assert count(database, "consent_batch", device.id) == 0


def test_queries_need_the_back_end_token(client, device):
    assert client.get("/v1/devices/%s/receipts" % device.id).status_code == 401
    assert client.get("/v1/erase-requests").status_code == 401
    r = client.get("/v1/devices/%s/subjects/%s/consent" % (device.id, "00" * 32), params={"purpose": "x"})
    assert r.status_code == 401
