from conftest import AUTH, count


def test_registration_needs_the_back_end_token(client, stranger, database):
    body = {"device_id": stranger.id, "public_key": stranger.pk}
    assert client.post("/v1/devices", json=body).status_code == 401
    r = client.post("/v1/devices", json=body, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.json()["reason"] == "unauthorised"
    assert count(database, "device", stranger.id) == 0


def test_registering_the_same_key_twice_is_idempotent(client, device, database):
    r = client.post("/v1/devices", json={"device_id": device.id, "public_key": device.pk}, headers=AUTH)
    assert r.status_code == 200
    assert count(database, "device", device.id) == 1


def test_another_key_for_a_known_device_is_a_conflict(client, device, stranger):
    r = client.post("/v1/devices", json={"device_id": device.id, "public_key": stranger.pk}, headers=AUTH)
    assert r.status_code == 409 and r.json()["reason"] == "conflict"


def test_malformed_registration_is_422(client):
    r = client.post("/v1/devices", json={"device_id": "zz", "public_key": "00"}, headers=AUTH)
    assert r.status_code == 422


def test_the_schema_is_versioned(database):
    with database.transaction() as tx:
        assert tx.one("SELECT max(version) FROM schema_migration")[0] == 1
    assert database.migrate() == 1


def test_postgres_tables_are_hash_partitioned_by_device(postgres):
    from custos_fleet import open_database
    db = open_database(postgres.dsn)
    with db.transaction() as tx:
        rows = tx.all("SELECT c.relname, pg_get_partkeydef(c.oid) FROM pg_class c "
                      "WHERE c.relkind = 'p' ORDER BY 1")
    got = dict(rows)
    for t in ("device", "consent_event", "consent_batch", "deletion_receipt", "erase_request", "cloud_clip"):
        assert got[t] == "HASH (device_id)"
