"""Frames, control messages and blobs as docs/PROTOCOL.md specifies them, byte for byte."""

import asyncio
import hashlib
import json
import struct
import unittest

from fedtune_site import wire
from fedtune_site.errors import WireError


def reader_of(data):
    """An asyncio StreamReader holding ``data`` and then end of stream."""
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    return reader


class CollectingWriter:
    """Stands in for a StreamWriter: keeps what is written."""

    def __init__(self):
        self.data = bytearray()

    def write(self, data):
        self.data += data

    async def drain(self):
        pass


class FrameTests(unittest.TestCase):
    def test_a_frame_is_length_big_endian_then_kind_then_payload(self):
        self.assertEqual(wire.encode_frame(wire.CONTROL, b"{}"), b"\x00\x00\x00\x02\x01{}")
        self.assertEqual(wire.encode_frame(wire.TRAILER, b""), b"\x00\x00\x00\x00\x03")
        payload = bytes(300)
        self.assertEqual(wire.encode_frame(wire.CHUNK, payload)[:5], struct.pack(">IB", 300, 2))

    def test_headers_over_the_limit_or_of_unknown_kind_are_refused_before_the_payload(self):
        self.assertEqual(wire.decode_header(struct.pack(">IB", 16 << 20, 1), 16 << 20), (16 << 20, 1))
        with self.assertRaisesRegex(WireError, "more than the 16777216"):
            wire.decode_header(struct.pack(">IB", (16 << 20) + 1, 2), 16 << 20)
        with self.assertRaisesRegex(WireError, "unknown kind 4"):
            wire.decode_header(struct.pack(">IB", 0, 4), 16 << 20)

    def test_messages_are_json_type_and_body_without_nan(self):
        payload = wire.encode_message("hello", {"protocolVersion": 1, "modelDigests": [], "examples": 400})
        self.assertEqual(
            json.loads(payload), {"type": "hello", "body": {"protocolVersion": 1, "modelDigests": [], "examples": 400}}
        )
        with self.assertRaisesRegex(WireError, "cannot be sent"):
            wire.encode_message("update", {"metrics": {"loss": float("nan")}})
        self.assertEqual(wire.decode_message(b'{"type": "ping", "body": {}}'), ("ping", {}))
        with self.assertRaisesRegex(WireError, "body"):
            wire.decode_message(b'{"type": "ping"}')


class ChannelTests(unittest.TestCase):
    def test_a_blob_goes_out_as_control_chunks_and_trailer_and_comes_back_checked(self):
        data = bytes(range(256)) * 10
        writer = CollectingWriter()
        limits = wire.Limits(chunk_bytes=1000)
        channel = wire.Channel(None, writer, limits)
        asyncio.run(channel.send("update", {"round": 3, "examples": 5, "metrics": {}}, blob=data, content="delta"))
        frames = bytes(writer.data)
        # control, three chunks (1000, 1000, 560), trailer
        kinds = []
        offset = 0
        while offset < len(frames):
            length, kind = struct.unpack(">IB", frames[offset : offset + 5])
            kinds.append((kind, length))
            offset += 5 + length
        self.assertEqual([k for k, _ in kinds], [1, 2, 2, 2, 3])
        self.assertEqual([n for k, n in kinds if k == 2], [1000, 1000, 560])

        async def read_back():
            channel = wire.Channel(reader_of(frames), None, limits)
            kind, body = await channel.receive()
            self.assertEqual(kind, "update")
            self.assertEqual(body["blob"], {"content": "delta", "bytes": len(data)})
            return await channel.receive_blob(body["blob"], limit=len(data))

        self.assertEqual(asyncio.run(read_back()), data)

    def test_a_blob_whose_sha256_or_size_does_not_match_its_trailer_is_refused(self):
        data = b"tensors"

        def frames(trailer):
            return wire.encode_frame(wire.CHUNK, data) + wire.encode_frame(wire.TRAILER, json.dumps(trailer).encode())

        async def receive(stream, limit=100):
            return await wire.Channel(reader_of(stream), None).receive_blob({"content": "trainable", "bytes": 7}, limit)

        good = {"bytes": 7, "sha256": hashlib.sha256(data).hexdigest()}
        self.assertEqual(asyncio.run(receive(frames(good))), data)
        with self.assertRaisesRegex(WireError, "SHA-256"):
            asyncio.run(receive(frames({"bytes": 7, "sha256": "0" * 64})))
        with self.assertRaisesRegex(WireError, "trailer says 8"):
            asyncio.run(receive(frames({"bytes": 8, "sha256": good["sha256"]})))
        with self.assertRaises(wire.BlobTooLarge):
            asyncio.run(receive(frames(good), limit=6))
        with self.assertRaisesRegex(WireError, "while a blob was still open"):
            asyncio.run(receive(wire.encode_frame(wire.CONTROL, b'{"type":"ping","body":{}}')))

    def test_a_ping_waits_for_a_blob_being_sent(self):
        async def run():
            writer = CollectingWriter()
            gate = asyncio.Event()
            original = writer.drain

            async def slow_drain():
                await gate.wait()
                await original()

            writer.drain = slow_drain
            channel = wire.Channel(None, writer, wire.Limits(chunk_bytes=4))
            update = asyncio.ensure_future(channel.send("update", {}, blob=b"12345678", content="delta"))
            await asyncio.sleep(0)
            ping = asyncio.ensure_future(channel.send("ping", {}))
            await asyncio.sleep(0)
            gate.set()
            await asyncio.gather(update, ping)
            return bytes(writer.data)

        frames = asyncio.run(run())
        self.assertTrue(frames.endswith(wire.encode_frame(wire.CONTROL, wire.encode_message("ping", {}))))


if __name__ == "__main__":
    unittest.main()
