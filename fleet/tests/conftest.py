"""Fixtures: one real PostgreSQL cluster per session (started on loopback in
the build tree, stopped at the end), the SQLite default beside it, and
devices made with the custos package so that every body is one the SDK
really emits."""
import os
import pathlib

import pytest
from fastapi.testclient import TestClient

import custos
from custos_fleet import create_app, open_database
from custos_fleet.pgtemp import TempPostgres

REPO = pathlib.Path(os.environ.get("CUSTOS_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
TOKEN = "test-token-for-the-back-end"
AUTH = {"Authorization": "Bearer " + TOKEN}
PB = {"Content-Type": "application/x-protobuf"}
P_CLOUD_RECORDING, C_VIDEO = 2, 1


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    parent = os.environ.get("CUSTOS_FLEET_TMP") or str(tmp_path_factory.mktemp("pg"))
    with TempPostgres(parent) as pg:
        yield pg


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def database(request, tmp_path_factory):
    if request.param == "postgresql":
        return open_database(request.getfixturevalue("postgres").dsn)
    return open_database("sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "fleet.db"))


@pytest.fixture(scope="session")
def app(database):
    return create_app(database, token=TOKEN)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def compiled():
    return custos.manifest.compile((REPO / "examples" / "smart-camera" / "privacy.yaml").read_text()).data


class Device:
    """A device store with a registered key and helpers to produce bodies."""

    def __init__(self, path, compiled) -> None:
        self.store = custos.Store(path)
        self.store.load_manifest(compiled)
        self.id = self.store.device_id.hex()
        self.pk = self.store.public_key.hex()

    def subject(self, name: str) -> int:
        s = self.store.add_subject(name)
        self.store.consent(s, P_CLOUD_RECORDING, custos.store.GIVEN)
        return s

    def erase(self, name: str) -> bytes:
        return self.store.erase_subject(self.subject(name))


@pytest.fixture
def device(tmp_path, compiled, client):
    d = Device(tmp_path / "device", compiled)
    r = client.post("/v1/devices", json={"device_id": d.id, "public_key": d.pk}, headers=AUTH)
    assert r.status_code == 201, r.text
    yield d
    d.store.close()


@pytest.fixture
def stranger(tmp_path, compiled):
    """A device whose key was never registered."""
    d = Device(tmp_path / "stranger", compiled)
    yield d
    d.store.close()


def count(database, table: str, device_id: str) -> int:
    with database.transaction() as tx:
        return tx.one("SELECT count(*) FROM %s WHERE device_id = %%s" % table, (bytes.fromhex(device_id),))[0]
