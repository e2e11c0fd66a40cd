import pytest

from conftest import AUTH, PB, count


def _outbox(device):
    return [m for _, m in device.store.outbox()]


def test_an_erase_request_is_accepted_once_and_acknowledged(client, device, database):
    device.erase("alice")
    msg, = _outbox(device)
    url = "/v1/devices/%s/erase-requests" % device.id
    r = client.post(url, content=msg, headers=PB)
    assert r.status_code == 201, r.text
    rid = r.json()["request_id"]
    again = client.post(url, content=msg, headers=PB)
    assert again.status_code == 200 and again.json()["request_id"] == rid
    assert count(database, "erase_request", device.id) == 1
    pend = client.get("/v1/erase-requests", params={"device_id": device.id}, headers=AUTH).json()
    assert [p["request_id"] for p in pend] == [rid]
    subject_hash = bytes.fromhex(pend[0]["subject_hash"])
    with database.transaction() as tx:   # the maker's cloud data about that person
        for i in range(3):
            tx.execute("INSERT INTO cloud_clip VALUES (%s, %s, %s, 2)", (bytes.fromhex(device.id), i, subject_hash))
        tx.execute("INSERT INTO cloud_clip VALUES (%s, 9, %s, 2)", (bytes.fromhex(device.id), bytes(32)))
    ack = client.post("%s/%s/ack" % (url, rid), headers=AUTH)
    assert ack.status_code == 200 and ack.json()["rows_erased"] == 3
    assert count(database, "cloud_clip", device.id) == 1
    assert client.post("%s/%s/ack" % (url, rid), headers=AUTH).json()["rows_erased"] == 3
    assert client.get("/v1/erase-requests", params={"device_id": device.id}, headers=AUTH).json() == []


def test_an_older_counter_after_a_newer_one_is_a_replay(client, device, database):
    device.erase("bob")
    device.erase("carol")
    first, second = _outbox(device)
    url = "/v1/devices/%s/erase-requests" % device.id
    assert client.post(url, content=second, headers=PB).status_code == 201
    r = client.post(url, content=first, headers=PB)
    assert (r.status_code, r.json()["reason"]) == (409, "replay")
    assert count(database, "erase_request", device.id) == 1


@pytest.mark.parametrize("case,status,reason", [
    ("bad_signature", 403, "bad_signature"),
    ("truncated", 400, "malformed"),
    ("oversized", 413, "too_large"),
])
def test_a_bad_erase_request_is_refused_and_leaves_no_row(client, device, database, case, status, reason):
    device.erase("dora")
    msg, = _outbox(device)
    x = bytearray(msg)
    x[-2] ^= 0x40
    body = {"bad_signature": bytes(x), "truncated": msg[:40], "oversized": msg + bytes(1024)}[case]
    r = client.post("/v1/devices/%s/erase-requests" % device.id, content=body, headers=PB)
    assert (r.status_code, r.json()["reason"]) == (status, reason), r.text
    assert count(database, "erase_request", device.id) == 0
    with database.transaction() as tx:     # the replay state did not move either
        state = tx.one("SELECT replay_state FROM device WHERE device_id = %s", (bytes.fromhex(device.id),))[0]
    assert state == bytes(len(state))


def test_an_erase_request_from_an_unknown_device_is_404(client, stranger, database):
    stranger.erase("eve")
    msg, = _outbox(stranger)
    r = client.post("/v1/devices/%s/erase-requests" % stranger.id, content=msg, headers=PB)
    assert r.status_code == 404
    assert count(database, "erase_request", stranger.id) == 0


def test_acknowledging_an_unknown_request_is_404(client, device):
    r = client.post("/v1/devices/%s/erase-requests/%s/ack" % (device.id, "00" * 16), headers=AUTH)
    assert r.status_code == 404 and r.json()["reason"] == "unknown_request"
