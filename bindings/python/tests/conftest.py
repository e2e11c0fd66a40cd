import os
import pathlib

import pytest

import custos

REPO = pathlib.Path(os.environ.get("CUSTOS_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
CAMERA = REPO / "examples" / "smart-camera"
P_CLOUD_RECORDING, P_ANALYTICS = 2, 3
C_VIDEO = 1


@pytest.fixture(scope="session")
def compiled():
    return custos.manifest.compile((CAMERA / "privacy.yaml").read_text(), "privacy.yaml")


@pytest.fixture(scope="session")
def compiled_v2(compiled):
    return custos.manifest.compile((CAMERA / "privacy-v2.yaml").read_text(), "privacy-v2.yaml",
                                   previous=compiled.data)


@pytest.fixture
def store(tmp_path, compiled):
    with custos.Store(tmp_path / "store") as st:
        st.load_manifest(compiled.data)
        yield st


@pytest.fixture
def erased(store):
    """A store in which one subject consented, stored a clip, and was erased."""
    alice = store.add_subject("alice@example.com")
    store.consent(alice, P_CLOUD_RECORDING, custos.store.GIVEN)
    store.put(alice, P_CLOUD_RECORDING, C_VIDEO, b"clip")
    receipt = store.erase_subject(alice)
    return store, receipt
