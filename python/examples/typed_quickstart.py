"""A typed example of the printseal API, checked with `mypy --strict` in the tests
(and run by them): seal a print job for a KEK and an X-Wing key, inspect it without
a key, open it in one call, in pieces and as a stream."""

from __future__ import annotations

import datetime
import io
import shutil
from typing import Dict, List, Optional, Union

import printseal


def seal_for_release(pdf: bytes, kek: printseal.Kek, user: printseal.XWingRecipient) -> bytes:
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
    return printseal.seal(
        pdf,
        [user, kek],
        content_type="application/pdf",
        job_id="spool-000042",
        expires=expires,
        private={"title": b"Quarterly payroll"},
    )


def describe(job: bytes) -> Dict[str, object]:
    h: printseal.Header = printseal.inspect(job)
    kinds: List[str] = [s.kind_name for s in h.stanzas]
    expires: Optional[int] = h.expires
    return {"type": h.content_type, "suite": h.suite, "stanzas": kinds, "expires": expires}


def open_in_pieces(job: bytes, identity: printseal.XWingIdentity) -> bytes:
    opener = printseal.Opener([identity], policy=printseal.OpenPolicy(suites=["aes-256-gcm"]))
    out = bytearray()
    for i in range(0, len(job), 4096):
        out += opener.update(job[i : i + 4096])
    out += opener.finalize()
    return bytes(out)


def hold(pdf: bytes, spool_kek: Union[printseal.Kek, printseal.Pkcs11Kek]) -> bytes:
    """A software KEK or one held in an HSM (printseal.Pkcs11Kek): the same calls."""
    return printseal.seal(pdf, [spool_kek], content_type="application/pdf")


def main() -> None:
    kek = printseal.Kek.generate()
    alice = printseal.XWingIdentity.generate()
    pdf = b"%PDF-1.7 " + bytes(100_000)
    job = seal_for_release(pdf, kek, alice.to_public())
    info = describe(job)
    assert info["stanzas"] == ["xwing", "kek"]
    opened: printseal.Opened = printseal.open(job, [kek])
    assert printseal.open(hold(pdf, kek), [kek]).plaintext == pdf
    assert opened.plaintext == pdf and opened.private_metadata["title"] == b"Quarterly payroll"
    assert open_in_pieces(job, alice) == pdf
    sink = io.BytesIO()
    with printseal.OpenReader(io.BytesIO(job), [alice]) as reader:
        shutil.copyfileobj(reader, sink)
    assert sink.getvalue() == pdf
    try:
        printseal.open(job[:-1], [kek])
    except printseal.TamperedError as e:
        chunk: Optional[int] = e.chunk
        assert e.code == 203 and chunk is not None
    print("ok", info)


if __name__ == "__main__":
    main()
