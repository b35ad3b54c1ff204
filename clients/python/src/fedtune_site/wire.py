"""The bytes on a connection (docs/PROTOCOL.md, "Frames" and "Blobs").

Every frame is a 4-byte big-endian payload length, a 1-byte kind (1 control, 2 chunk,
3 trailer) and the payload. A control frame holds one JSON message
``{"type": T, "body": {…}}``; a message with a ``blob`` field is followed by chunk frames
holding the blob's bytes and one trailer frame ``{"bytes": N, "sha256": "<hex>"}``.
"""

import asyncio
import hashlib
import json
import struct

from .errors import WireError

CONTROL = 1
CHUNK = 2
TRAILER = 3
_KINDS = {CONTROL: "control", CHUNK: "chunk", TRAILER: "trailer"}


class Limits:
    """The bounds and timers both ends keep (Sources/FedWire/Frame.swift, ``WireLimits``)."""

    def __init__(self, max_frame_bytes=16 * 1024 * 1024, chunk_bytes=1024 * 1024):
        if chunk_bytes > max_frame_bytes:
            raise ValueError("chunks must fit in a frame")
        self.max_frame_bytes = max_frame_bytes
        self.chunk_bytes = chunk_bytes
        #: Seconds a frame may take from its first byte to its last.
        self.frame_seconds = 60.0
        #: Seconds without a frame from the peer before the connection counts as dead.
        self.idle_seconds = 120.0
        #: Seconds between this end's pings.
        self.ping_seconds = 30.0


def encode_frame(kind, payload):
    """One frame as bytes: ``struct.pack(">IB", len(payload), kind) + payload``."""
    if kind not in _KINDS:
        raise WireError(f"frame kind {kind} is not 1 (control), 2 (chunk) or 3 (trailer)")
    return struct.pack(">IB", len(payload), kind) + bytes(payload)


def decode_header(header, limit):
    """The (length, kind) of a 5-byte frame header; refuses a frame over ``limit`` or of an
    unknown kind before its payload is read."""
    length, kind = struct.unpack(">IB", header)
    if kind not in _KINDS:
        raise WireError(f"a frame of unknown kind {kind} arrived (kinds are 1, 2 and 3)")
    if length > limit:
        raise WireError(f"a frame of {length} bytes arrived, more than the {limit} this site accepts")
    return length, kind


def encode_message(message_type, body):
    """A control message as JSON bytes: no NaN or infinity, keys sorted as the Swift ends write them."""
    try:
        return json.dumps({"type": message_type, "body": body}, allow_nan=False, sort_keys=True).encode("utf-8")
    except ValueError as error:
        raise WireError(f"the '{message_type}' message cannot be sent: {error}") from None


def decode_message(payload):
    """``(type, body)`` of a control frame's payload; a payload that is not such an object is refused."""
    try:
        message = json.loads(bytes(payload).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise WireError(f"malformed control message: not JSON ({error})") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise WireError("malformed control message: field 'type' is missing or not a string")
    body = message.get("body")
    if not isinstance(body, dict):
        raise WireError("malformed control message: field 'body' is missing or not an object")
    return message["type"], body


def encode_trailer(data):
    """The trailer frame's payload for a blob's bytes."""
    return json.dumps({"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}).encode("utf-8")


def blob_frames(message_type, body, data, content, chunk_bytes):
    """Every frame of a message that carries ``data`` as a blob of ``content``, as one bytes object."""
    body = dict(body, blob={"content": content, "bytes": len(data)})
    frames = [encode_frame(CONTROL, encode_message(message_type, body))]
    for start in range(0, len(data), chunk_bytes):
        frames.append(encode_frame(CHUNK, data[start : start + chunk_bytes]))
    frames.append(encode_frame(TRAILER, encode_trailer(data)))
    return b"".join(frames)


class Channel:
    """One connection's frames over asyncio streams: messages in order, blobs checked, and
    sends serialised so a ``ping`` never lands between a blob's frames."""

    def __init__(self, reader, writer, limits=None):
        self.reader = reader
        self.writer = writer
        self.limits = limits or Limits()
        self._sending = asyncio.Lock()

    async def read_frame(self):
        """The next ``(kind, payload)``; None when the peer closed cleanly between frames."""
        try:
            first = await asyncio.wait_for(self.reader.read(1), self.limits.idle_seconds)
        except asyncio.TimeoutError:
            raise PeerSilent(f"the coordinator sent nothing for {self.limits.idle_seconds:g} s") from None
        if not first:
            return None
        try:
            rest = await asyncio.wait_for(self.reader.readexactly(4), self.limits.frame_seconds)
            length, kind = decode_header(first + rest, self.limits.max_frame_bytes)
            payload = await asyncio.wait_for(self.reader.readexactly(length), self.limits.frame_seconds)
        except asyncio.TimeoutError:
            raise PeerSilent(f"a frame did not arrive whole within {self.limits.frame_seconds:g} s") from None
        except asyncio.IncompleteReadError:
            raise ConnectionResetError("the connection closed in the middle of a frame") from None
        return kind, payload

    async def receive(self):
        """The next control message as ``(type, body)``; None when the peer closed."""
        frame = await self.read_frame()
        if frame is None:
            return None
        kind, payload = frame
        if kind != CONTROL:
            raise WireError(f"a {_KINDS[kind]} frame arrived where a control message was expected")
        return decode_message(payload)

    async def receive_blob(self, header, limit):
        """The blob a message announced (its ``blob`` field), of at most ``limit`` bytes,
        checked against its trailer's size and SHA-256."""
        size = header.get("bytes") if isinstance(header, dict) else None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise WireError(f"the blob field {header!r} does not give its size in bytes")
        if size > limit:
            raise BlobTooLarge(size, limit)
        buffer = bytearray(size)
        filled = 0
        while True:
            frame = await self.read_frame()
            if frame is None:
                raise ConnectionResetError("the connection closed in the middle of a blob")
            kind, payload = frame
            if kind == CHUNK:
                if filled + len(payload) > size:
                    raise WireError(f"the blob's chunks pass the {size} bytes it announced")
                buffer[filled : filled + len(payload)] = payload
                filled += len(payload)
                continue
            if kind == CONTROL:
                raise WireError("a control message arrived while a blob was still open")
            return self._check_trailer(payload, bytes(buffer), filled, size)

    @staticmethod
    def _check_trailer(payload, data, filled, size):
        try:
            trailer = json.loads(bytes(payload).decode("utf-8"))
            declared, digest = trailer["bytes"], trailer["sha256"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise WireError('the blob trailer is not {"bytes", "sha256"}') from None
        if filled != size or declared != size:
            raise WireError(f"the blob announced {size} bytes, {filled} arrived and its trailer says {declared}")
        found = hashlib.sha256(data).hexdigest()
        if found != digest:
            raise WireError(f"tensor blob SHA-256 is {found}, its trailer says {digest}")
        return data

    async def send(self, message_type, body, blob=None, content=None):
        """Sends one message, with ``blob`` (bytes of ``content``) in chunks and a trailer when given."""
        if blob is None:
            data = encode_frame(CONTROL, encode_message(message_type, body))
        else:
            data = blob_frames(message_type, body, blob, content, self.limits.chunk_bytes)
        async with self._sending:
            self.writer.write(data)
            await self.writer.drain()

    async def keep_alive(self):
        """Sends ``ping`` every ``ping_seconds`` for as long as the connection lasts."""
        while True:
            await asyncio.sleep(self.limits.ping_seconds)
            try:
                await self.send("ping", {})
            except (ConnectionError, OSError):
                return


class PeerSilent(ConnectionError):
    """The peer went quiet (no frame for ``idle_seconds``, or a frame dripped): a lost connection."""


class BlobTooLarge(WireError):
    """A blob announced as larger than the receiver accepts for that message."""

    def __init__(self, size, limit):
        super().__init__(f"was announced as {size} bytes, more than the {limit} this site accepts")
        self.size = size
        self.limit = limit
