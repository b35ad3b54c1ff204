"""Base models received from the coordinator, kept by digest (docs/PROTOCOL.md, ``model``)."""

import hashlib
import os
import re
import tempfile

from .errors import ProtocolViolation, UnknownBaseModel

_DIGEST = re.compile(r"[0-9a-f]{64}")


def check_digest(digest):
    """Refuses a digest that is not 64 lowercase hex digits: it is never used as a file name."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise ProtocolViolation(f"the base model's digest '{str(digest)[:80]}' is not a SHA-256")
    return digest


class ModelCache:
    """A folder of ``<digest>.safetensors`` files, written atomically once their bytes are checked."""

    def __init__(self, folder):
        self.folder = folder

    def path(self, digest):
        return os.path.join(self.folder, check_digest(digest) + ".safetensors")

    def digests(self):
        """The digests held, announced in ``hello`` so the coordinator need not send them again."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return []
        return sorted(n[:-12] for n in names if n.endswith(".safetensors") and _DIGEST.fullmatch(n[:-12]))

    def size(self, digest):
        """The size of a held base model: the most a round's tensors, a part of it, may take."""
        try:
            return os.path.getsize(self.path(digest))
        except OSError:
            raise UnknownBaseModel(digest) from None

    def read(self, digest):
        """The bytes of a held base model, checked against its digest."""
        try:
            with open(self.path(digest), "rb") as handle:
                blob = handle.read()
        except OSError:
            raise UnknownBaseModel(digest) from None
        if hashlib.sha256(blob).hexdigest() != digest:
            raise UnknownBaseModel(digest)
        return blob

    def store(self, digest, blob):
        """Keeps ``blob`` (whose SHA-256 the caller checked) under its digest."""
        os.makedirs(self.folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(blob)
            os.replace(temporary, self.path(digest))
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
