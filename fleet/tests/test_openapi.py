"""schemathesis: every operation of the generated OpenAPI document, fed
generated inputs (valid and invalid), against the PostgreSQL-backed service.
Checks that nothing answers 5xx, and that every status code, content type
and body conforms to the document."""
import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from conftest import AUTH, TOKEN
from custos_fleet import create_app, open_database


@pytest.fixture(scope="session")
def fleet_schema(postgres):
    app = create_app(open_database(postgres.dsn), token=TOKEN)
    return schemathesis.from_asgi("/openapi.json", app)


@schemathesis.serializer("application/x-protobuf")
class SignedBytes:
    """The device-signed bodies are opaque bytes: send what was generated as is."""

    @staticmethod
    def _bytes(value):
        return value if isinstance(value, bytes) else str(value).encode()

    def as_requests(self, context, value):
        return {"data": self._bytes(value)}

    def as_werkzeug(self, context, value):
        return {"data": self._bytes(value)}


# FastAPI writes OpenAPI 3.1, which schemathesis 3 supports behind this switch.
schemathesis.experimental.OPEN_API_3_1.enable()
schema = schemathesis.from_pytest_fixture("fleet_schema")
EXAMPLES = int(os.environ.get("CUSTOS_FLEET_SCHEMATHESIS_EXAMPLES", "30"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_document(case):
    case.headers = {**(case.headers or {}), **AUTH}
    response = case.call_asgi()
    case.validate_response(response)


def test_the_document_lists_every_route(fleet_schema):
    doc = fleet_schema.raw_schema
    assert set(doc["paths"]) == {
        "/v1/devices", "/v1/devices/{device_id}/receipts", "/v1/devices/{device_id}/erase-requests",
        "/v1/devices/{device_id}/consent", "/v1/devices/{device_id}/erase-requests/{request_id}/ack",
        "/v1/devices/{device_id}/subjects/{subject_hash}/consent", "/v1/erase-requests"}
    body = doc["paths"]["/v1/devices/{device_id}/receipts"]["post"]["requestBody"]
    assert "application/x-protobuf" in body["content"]
    json.dumps(doc)
