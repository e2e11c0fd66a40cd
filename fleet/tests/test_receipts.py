import pytest

from conftest import AUTH, PB, count


def test_a_receipt_is_stored_once(client, device, database):
    receipt = device.erase("alice")
    r = client.post("/v1/devices/%s/receipts" % device.id, content=receipt, headers=PB)
    assert r.status_code == 201 and r.json()["stored"]
    again = client.post("/v1/devices/%s/receipts" % device.id, content=receipt, headers=PB)
    assert again.status_code == 200 and not again.json()["stored"]
    assert count(database, "deletion_receipt", device.id) == 1
    listed = client.get("/v1/devices/%s/receipts" % device.id, headers=AUTH).json()
    assert len(listed) == 1 and bytes.fromhex(listed[0]["receipt"]) == receipt
    assert b"alice" not in receipt


def _flip(b: bytes, at: int) -> bytes:
    x = bytearray(b)
    x[at] ^= 1
    return bytes(x)


@pytest.mark.parametrize("case,status,reason", [
    ("bad_signature", 403, "bad_signature"),
    ("truncated", 400, "malformed"),
    ("oversized", 413, "too_large"),
    ("empty", 400, "empty"),
])
def test_a_bad_receipt_is_refused_and_leaves_no_row(client, device, database, case, status, reason):
    receipt = device.erase("bob")
    body = {"bad_signature": _flip(receipt, len(receipt) - 3), "truncated": receipt[:len(receipt) // 2],
            "oversized": receipt + bytes(2048), "empty": b""}[case]
    r = client.post("/v1/devices/%s/receipts" % device.id, content=body, headers=PB)
    assert (r.status_code, r.json()["reason"]) == (status, reason), r.text
    assert count(database, "deletion_receipt", device.id) == 0


def test_a_receipt_from_an_unknown_device_is_404(client, stranger, database):
    receipt = stranger.erase("carol")
    r = client.post("/v1/devices/%s/receipts" % stranger.id, content=receipt, headers=PB)
    assert r.status_code == 404 and r.json()["reason"] == "unknown_device"
    assert count(database, "deletion_receipt", stranger.id) == 0


def test_a_receipt_under_another_device_id_is_refused(client, device, stranger, database):
    receipt = stranger.erase("dora")
    r = client.post("/v1/devices/%s/receipts" % device.id, content=receipt, headers=PB)
    assert r.status_code == 403
    assert count(database, "deletion_receipt", device.id) == 0


def test_the_wrong_media_type_is_415(client, device):
    r = client.post("/v1/devices/%s/receipts" % device.id, content=device.erase("eve"),
                    headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
