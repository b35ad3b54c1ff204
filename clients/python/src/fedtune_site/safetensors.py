"""Hugging Face's safetensors format, read and written with numpy alone.

A file is an 8-byte little-endian header length N, N bytes of JSON header
(``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``)
and the raw little-endian tensor data. The reader accepts what the Swift reader accepts
(Sources/FedTensor/SafetensorsHeader.swift): F32, F16 and BF16, widened to float32, every
span matching its dtype and shape, and the spans covering the data with no gap or overlap.
The writer writes F32 with the header padded by spaces to a multiple of 8 bytes, as
fedtune and the Python ``safetensors`` package do.
"""

import json
import struct

import numpy as np

from .errors import SafetensorsError

#: Bytes per element of the dtypes a blob may hold.
_ITEM_BYTES = {"F32": 4, "F16": 2, "BF16": 2}

#: The largest header the reader parses (the Python package's own bound).
MAX_HEADER_BYTES = 100 * 1024 * 1024


def load(data, name="blob"):
    """Reads a safetensors file from bytes.

    Returns ``(tensors, metadata)``: a dict of name → float32 array (C order, a copy the
    caller owns) and the ``__metadata__`` dict (empty when absent). ``name`` names the blob
    in errors.
    """
    data = memoryview(bytes(data) if not isinstance(data, (bytes, bytearray, memoryview)) else data)
    if len(data) < 8:
        raise SafetensorsError(f"{name} holds {len(data)} bytes, fewer than the 8 of a safetensors header length")
    (header_bytes,) = struct.unpack("<Q", data[:8])
    if header_bytes > MAX_HEADER_BYTES or 8 + header_bytes > len(data):
        raise SafetensorsError(
            f"{name}'s header claims {header_bytes} bytes, but the blob holds {len(data) - 8} after the length"
        )
    try:
        header = json.loads(bytes(data[8 : 8 + header_bytes]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SafetensorsError(f"{name}'s header is not JSON: {error}") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{name}'s header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorsError(f"{name}'s __metadata__ is not an object of strings")
    body = data[8 + header_bytes :]
    spans = []
    tensors = {}
    for tensor, entry in header.items():
        dtype, shape, begin, end = _entry(name, tensor, entry)
        count = 1
        for dimension in shape:
            count *= dimension
        if end - begin != count * _ITEM_BYTES[dtype]:
            raise SafetensorsError(
                f"tensor '{tensor}' in {name}: {dtype} {shape} needs {count * _ITEM_BYTES[dtype]} bytes, "
                f"its span holds {end - begin}"
            )
        if end > len(body):
            raise SafetensorsError(f"tensor '{tensor}' in {name} ends at byte {end}, past the data's {len(body)}")
        spans.append((begin, end, tensor))
        tensors[tensor] = _decode(body[begin:end], dtype).reshape(shape)
    position = 0
    for begin, end, tensor in sorted(spans):
        if begin != position:
            what = "overlaps the one before it" if begin < position else f"leaves a gap at byte {position}"
            raise SafetensorsError(f"tensor '{tensor}' in {name} {what}")
        position = end
    if position != len(body):
        raise SafetensorsError(f"{name} has {len(body) - position} bytes after its last tensor")
    return tensors, metadata


def save(tensors, metadata=None):
    """Writes ``tensors`` (name → array-like, stored as F32) as safetensors bytes.

    Tensors are laid out in name order; ``metadata`` (str → str) becomes ``__metadata__``.
    """
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays = []
    offset = 0
    for tensor in sorted(tensors):
        # np.ascontiguousarray would turn a scalar [] into [1].
        array = np.array(tensors[tensor], dtype="<f4", order="C", copy=True)
        size = array.nbytes
        header[tensor] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + size]}
        arrays.append(array)
        offset += size
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    return b"".join([struct.pack("<Q", len(encoded)), encoded] + [a.tobytes() for a in arrays])


def _entry(name, tensor, entry):
    """Checks one header entry; returns (dtype, shape, begin, end)."""
    if not isinstance(entry, dict):
        raise SafetensorsError(f"tensor '{tensor}' in {name} is not described by an object")
    dtype = entry.get("dtype")
    shape = entry.get("shape")
    offsets = entry.get("data_offsets")
    if dtype not in _ITEM_BYTES:
        raise SafetensorsError(f"tensor '{tensor}' in {name} has dtype {dtype!r}; fedtune reads F32, F16 and BF16")
    if not isinstance(shape, list) or not all(_natural(d) for d in shape):
        raise SafetensorsError(f"tensor '{tensor}' in {name} has shape {shape!r}, not a list of sizes")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_natural(o) for o in offsets)):
        raise SafetensorsError(f"tensor '{tensor}' in {name} has data_offsets {offsets!r}, not [begin, end]")
    if offsets[1] < offsets[0]:
        raise SafetensorsError(f"tensor '{tensor}' in {name} ends before it begins")
    return dtype, shape, offsets[0], offsets[1]


def _natural(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _decode(raw, dtype):
    """Little-endian bytes of one dtype as a flat float32 array."""
    if dtype == "F32":
        return np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if dtype == "F16":
        return np.frombuffer(raw, dtype="<f2").astype(np.float32)
    # BF16 is the top half of a float32.
    return (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
