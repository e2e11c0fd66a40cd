"""custos_fleet: the receiver of device proofs (docs/fleet.md)."""
from .app import create_app
from .db import open_database
from .service import Receiver, Refused, sample_erase_hook

__all__ = ["create_app", "open_database", "Receiver", "Refused", "sample_erase_hook"]
