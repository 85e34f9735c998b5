"""The payload layer alone, for interoperability checks with other C2SP
chunked-encryption implementations (pyca/cryptography's Cobblestone-256).

Not for applications: these skip the header, the recipients and the header MAC,
and reusing a salt under one key breaks confidentiality. Use :func:`printseal.seal`
and :func:`printseal.open`.
"""

from __future__ import annotations

from ._printseal import _payload_key_and_context, _payload_open, _payload_seal

payload_key_and_context = _payload_key_and_context
payload_seal = _payload_seal
payload_open = _payload_open

__all__ = ["payload_key_and_context", "payload_open", "payload_seal"]
