"""A whole conversation with a scripted coordinator, without TLS: the site's answers to each
message, and the refusals (secure aggregation, compression, text models, bad settings) that
reach the coordinator as a failure message instead of a crash."""

import asyncio
import hashlib
import json
import os
import tempfile
import unittest
from unittest import mock

import numpy as np

from fedtune_site import Evaluation, Site, Update, safetensors, wire
from fedtune_site.errors import ProtocolViolation, Refused, Unsupported
from fedtune_site.rounds import Conversation

from . import support


class Writer:
    def __init__(self):
        self.data = bytearray()

    def write(self, data):
        self.data += data

    async def drain(self):
        pass

    def close(self):
        pass

    async def wait_closed(self):
        pass


def control(kind, body):
    return wire.encode_frame(wire.CONTROL, wire.encode_message(kind, body))


def with_blob(kind, body, data, content):
    return wire.blob_frames(kind, body, data, content, 1 << 20)


def messages(data):
    """The (type, body, blob) the site wrote."""
    out, offset, current = [], 0, None
    while offset < len(data):
        length, kind = wire.decode_header(data[offset : offset + 5], 1 << 30)
        payload = bytes(data[offset + 5 : offset + 5 + length])
        offset += 5 + length
        if kind == wire.CONTROL:
            current = list(wire.decode_message(payload)) + [b""]
            out.append(current)
        elif kind == wire.CHUNK:
            current[2] += payload
    return out


class ConversationTests(unittest.TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.csv = os.path.join(folder.name, "site.csv")
        support.write_csv(self.csv, rows=100)
        self.description = support.architecture(hidden=(8,))
        self.base = support.base_blob(self.description)
        self.digest = hashlib.sha256(self.base).hexdigest()
        self.site = Site("127.0.0.1:1", folder.name, data=self.csv, cache=os.path.join(folder.name, "cache"))
        self.trainable = safetensors.save(support.tensors(self.description))

    def opening(self):
        return control("welcome", {"protocolVersion": 1, "site": "site-py", "completedRounds": 0}) + with_blob(
            "model", {"digest": self.digest}, self.base, "base-model"
        )

    def train(self, **extra):
        body = {"round": 1, "baseDigest": self.digest, "configuration": {"epochs": 2, "batch_size": 16}}
        body.update(extra)
        return with_blob("train", body, self.trainable, "trainable")

    def converse(self, frames):
        writer = Writer()

        async def run():
            reader = asyncio.StreamReader()
            reader.feed_data(frames)
            reader.feed_eof()
            return await Conversation(self.site).converse(wire.Channel(reader, writer), deadline())

        def deadline():
            return asyncio.get_event_loop().time() + 1e9

        return asyncio.run(run()), messages(writer.data)

    def test_a_round_is_trained_evaluated_and_finished(self):
        frames = (
            self.opening()
            + control("ping", {})
            + self.train()
            + control("failure", {"message": "update refused: late", "round": 1})
            + with_blob("evaluate", {"round": 1, "baseDigest": self.digest}, self.trainable, "trainable")
            + control("finished", {"rounds": 1})
        )
        rounds, sent = self.converse(frames)
        self.assertEqual(rounds, 1)
        self.assertEqual([m[0] for m in sent], ["update", "evaluation"])
        update = sent[0][1]
        self.assertEqual(update["round"], 1)
        self.assertEqual(update["blob"], {"content": "delta", "bytes": len(sent[0][2])})
        self.assertEqual(set(update["metrics"]), {"loss", "accuracy", "seconds"})
        delta, _ = safetensors.load(sent[0][2])
        self.assertEqual(set(delta), {"hidden.0.weight", "hidden.0.bias", "head.weight", "head.bias"})
        self.assertTrue(any(abs(v).max() > 0 for v in delta.values()))
        evaluation = sent[1][1]
        self.assertEqual(evaluation["examples"] + update["examples"], 100)
        self.assertEqual(set(evaluation["metrics"]), {"accuracy", "macro_f1", "loss"})
        self.assertEqual(os.listdir(self.site.cache.folder), [f"{self.digest}.safetensors"])

    def test_secure_aggregation_compression_and_text_models_are_refused_in_a_sentence(self):
        with self.assertRaisesRegex(Unsupported, "does not support secure aggregation"):
            self.converse(self.opening() + self.train(secureAggregation={"configuration": {}}))
        with self.assertRaisesRegex(Unsupported, "does not support compressed updates"):
            self.converse(self.opening() + self.train(compression={"compression": "int8"}, clipNorm=1.0))
        text = safetensors.save({"classifier.bias": [0.0, 0.0]}, {"fedtune.architecture": json.dumps(
            {"format": "fedtune.text-classifier"})})
        digest = hashlib.sha256(text).hexdigest()
        with self.assertRaisesRegex(Unsupported, "does not support text models"):
            self.converse(with_blob("model", {"digest": digest}, text, "base-model"))

    def test_protocol_violations_and_refusals_stop_the_site(self):
        with self.assertRaisesRegex(ProtocolViolation, "unknown key 'epoch'"):
            self.converse(self.opening() + self.train(configuration={"epoch": 1}))
        with self.assertRaisesRegex(ProtocolViolation, "a second base model"):
            self.converse(self.opening() + with_blob("model", {"digest": self.digest}, self.base, "base-model"))
        with self.assertRaisesRegex(ProtocolViolation, "digest is"):
            self.converse(with_blob("model", {"digest": "a" * 64}, self.base, "base-model"))
        with self.assertRaisesRegex(Refused, "not on this coordinator's allow-list"):
            self.converse(control("failure", {"message": "site 'x' is not on this coordinator's allow-list"}))

    def test_the_site_tells_the_coordinator_why_it_stops(self):
        writer = Writer()
        identity = mock.Mock()
        identity.name = "site-py"

        async def dial(*_):
            reader = asyncio.StreamReader()
            reader.feed_data(self.opening() + self.train(compression={"compression": "topk"}))
            reader.feed_eof()
            return reader, writer

        with mock.patch("fedtune_site.connection.load_identity", return_value=identity), mock.patch(
            "fedtune_site.connection.dial", dial
        ):
            with self.assertRaises(Unsupported):
                self.site.run()
        sent = messages(writer.data)
        self.assertEqual([m[0] for m in sent], ["hello", "failure"])
        self.assertEqual(sent[0][1]["examples"], 100)
        self.assertNotIn("round", sent[1][1])
        self.assertTrue(sent[1][1]["message"].startswith("this Python site does not support compressed updates"))

    def test_pings_go_out_while_a_hook_trains_and_never_inside_a_blob(self):
        import time

        def on_train(model, settings):
            time.sleep(0.5)
            return Update({n: model.tensors[n] + 1 for n in model.trainable}, examples=7, metrics={"loss": 1.0})

        site = Site(
            "127.0.0.1:1", "unused", on_train=on_train, on_evaluate=lambda model: Evaluation(0),
            cache=self.site.cache.folder, limits=wire.Limits(chunk_bytes=64),
        )
        site.limits.ping_seconds = 0.05
        writer = Writer()
        identity = mock.Mock()

        async def dial(*_):
            reader = asyncio.StreamReader()
            frames = self.opening() + self.train() + control("finished", {"rounds": 1})
            reader.feed_data(frames)
            reader.feed_eof()
            return reader, writer

        with mock.patch("fedtune_site.connection.load_identity", return_value=identity), mock.patch(
            "fedtune_site.connection.dial", dial
        ):
            self.assertEqual(site.run(), 1)
        sent = messages(writer.data)
        kinds = [m[0] for m in sent]
        self.assertEqual(kinds[0], "hello")
        self.assertNotIn("examples", sent[0][1])
        self.assertGreaterEqual(kinds[: kinds.index("update")].count("ping"), 5)
        update = sent[kinds.index("update")]
        self.assertEqual(len(update[2]), update[1]["blob"]["bytes"])
        delta, _ = safetensors.load(update[2])
        self.assertTrue(all(np.allclose(v, 1, atol=1e-5) for v in delta.values()))


if __name__ == "__main__":
    unittest.main()
