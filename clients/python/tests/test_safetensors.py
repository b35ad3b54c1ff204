"""The hand-written safetensors reader and writer: round trips, the F16/BF16 widening, the
checks the Swift reader makes, and agreement with the ``safetensors`` package when installed."""

import json
import struct
import unittest

import numpy as np

from fedtune_site import safetensors
from fedtune_site.errors import SafetensorsError


def blob(header, data=b""):
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + data


class RoundTripTests(unittest.TestCase):
    def test_tensors_and_metadata_come_back_exactly(self):
        rng = np.random.default_rng(1)
        tensors = {
            "hidden.0.weight": rng.standard_normal((32, 8)).astype(np.float32),
            "hidden.0.bias": rng.standard_normal(32).astype(np.float32),
            "head.bias": np.array([1.5, -2.25, np.float32(3.1e-38)], dtype=np.float32),
            "scalar": np.float32(7.0),
        }
        data = safetensors.save(tensors, {"fedtune.architecture": '{"a": 1}', "format": "pt"})
        back, metadata = safetensors.load(data)
        self.assertEqual(set(back), set(tensors))
        for name, value in tensors.items():
            self.assertEqual(back[name].dtype, np.float32)
            self.assertEqual(back[name].shape, np.shape(value))
            np.testing.assert_array_equal(back[name], value)
        self.assertEqual(metadata, {"fedtune.architecture": '{"a": 1}', "format": "pt"})

    def test_header_is_padded_with_spaces_to_eight_bytes(self):
        data = safetensors.save({"w": np.zeros(3, dtype=np.float32)})
        (length,) = struct.unpack("<Q", data[:8])
        self.assertEqual(length % 8, 0)
        header = data[8 : 8 + length]
        self.assertTrue(header.rstrip(b" ").endswith(b"}"))
        self.assertEqual(json.loads(header)["w"], {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]})

    def test_f16_and_bf16_are_widened_to_float32(self):
        half = np.array([1.0, -0.5, 65504.0], dtype="<f2").tobytes()
        # BF16 of 1.0 is 0x3F80, of -2.0 0xC000.
        brain = struct.pack("<2H", 0x3F80, 0xC000)
        data = blob(
            {
                "h": {"dtype": "F16", "shape": [3], "data_offsets": [0, 6]},
                "b": {"dtype": "BF16", "shape": [2], "data_offsets": [6, 10]},
            },
            half + brain,
        )
        tensors, _ = safetensors.load(data)
        np.testing.assert_array_equal(tensors["h"], np.array([1.0, -0.5, 65504.0], dtype=np.float32))
        np.testing.assert_array_equal(tensors["b"], np.array([1.0, -2.0], dtype=np.float32))

    def test_the_safetensors_package_reads_what_this_writes_and_the_reverse(self):
        try:
            from safetensors.numpy import load as reference_load
            from safetensors.numpy import save as reference_save
        except ImportError:
            self.skipTest("the safetensors package is not installed (it is only a cross-check)")
        tensors = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4, dtype=np.float32)}
        for name, value in reference_load(safetensors.save(tensors)).items():
            np.testing.assert_array_equal(value, tensors[name])
        back, _ = safetensors.load(reference_save(tensors, metadata={"k": "v"}))
        for name, value in back.items():
            np.testing.assert_array_equal(value, tensors[name])


class RefusalTests(unittest.TestCase):
    def assertRefused(self, data, words):
        with self.assertRaises(SafetensorsError) as caught:
            safetensors.load(data, name="update")
        self.assertIn(words, str(caught.exception))

    def test_a_span_that_does_not_match_dtype_and_shape(self):
        self.assertRefused(
            blob({"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 12]}}, bytes(12)), "tensor 'w' in update"
        )

    def test_a_gap_an_overlap_and_trailing_bytes(self):
        gap = {"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}
        self.assertRefused(blob(gap, bytes(8)), "gap")
        overlap = {
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
        }
        self.assertRefused(blob(overlap, bytes(8)), "overlaps")
        self.assertRefused(blob({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, bytes(8)), "after its last")

    def test_an_unknown_dtype_a_short_file_and_a_lying_header_length(self):
        self.assertRefused(blob({"a": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, bytes(8)), "dtype 'I64'")
        self.assertRefused(b"\x01\x02", "fewer than the 8")
        self.assertRefused(struct.pack("<Q", 1000) + b"{}", "header claims 1000 bytes")


if __name__ == "__main__":
    unittest.main()
