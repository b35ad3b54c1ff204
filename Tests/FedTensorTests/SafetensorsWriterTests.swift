import FedTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import FedTensor

struct SafetensorsWriterTests {
    static let mixed: [(String, [Int], SafetensorsElements)] = [
        ("codes", [2, 3], .int8([-127, -1, 0, 1, 64, 127])),
        ("scale", [], .float([0.25], .f32)),
        ("indices", [4], .int32([0, 7, 65_536, 16_777_215])),  // exact in Python's float32 view
        ("half", [2], .float([1.5, -0.099975586], .f16)),
        ("brain", [3], .float([3.140625, -2, 1e-3], .bf16)),
        ("empty", [0], .int32([])),
    ]

    static func encode(_ tensors: [(String, [Int], SafetensorsElements)], metadata: [String: String]) -> [UInt8] {
        var writer = SafetensorsWriter(metadata: metadata)
        for (name, shape, elements) in tensors { writer.append(name, shape: shape, elements) }
        return writer.encoded()
    }

    @Test func headerListsEveryDTypeAndTheDataReadsBack() throws {
        let bytes = Data(
            Self.encode(
                Self.mixed + [("extremes", [2], .int32([.min, .max]))],
                metadata: ["fedtune.compression": "int8"]
            )
        )

        let header = try SafetensorsHeader.parse(bytes, fileSize: bytes.count, path: "mixed")

        #expect(header.metadata == ["fedtune.compression": "int8"])
        #expect(header.dataStart % 8 == 0)
        let entries = Dictionary(uniqueKeysWithValues: header.entries.map { ($0.name, $0) })
        #expect(
            entries.mapValues(\.dtypeName) == [
                "codes": "I8", "scale": "F32", "indices": "I32", "half": "F16", "brain": "BF16", "empty": "I32",
                "extremes": "I32",
            ]
        )
        #expect(header.int8s(of: entries["codes"]!, in: bytes) == [-127, -1, 0, 1, 64, 127])
        #expect(header.int32s(of: entries["indices"]!, in: bytes) == [0, 7, 65_536, 16_777_215])
        #expect(header.int32s(of: entries["extremes"]!, in: bytes) == [.min, .max])
        #expect(header.int32s(of: entries["empty"]!, in: bytes) == [])
        #expect(header.floats(of: entries["scale"]!, in: bytes) == [0.25])
        #expect(header.floats(of: entries["half"]!, in: bytes) == [1.5, -0.099975586])
        #expect(
            header.floats(of: entries["brain"]!, in: bytes) == [
                3.140625, -2, HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(1e-3)),
            ]
        )
        // Typed readers refuse the other dtypes rather than reinterpret their bytes.
        #expect(header.floats(of: entries["codes"]!, in: bytes) == nil)
        #expect(header.int8s(of: entries["indices"]!, in: bytes) == nil)
        #expect(header.int32s(of: entries["scale"]!, in: bytes) == nil)
    }

    @Test func floatTensorsMatchWhatSafetensorsEncodedWrites() throws {
        var generator = SeededGenerator(seed: 4)
        let tensors: OrderedDictionary<String, Tensor> = [
            "b.weight": .normal(shape: [3, 5], std: 1, using: &generator),
            "a.bias": .normal(shape: [5], std: 1, using: &generator),
        ]
        for dtype in SafetensorsDType.allCases {
            let written = Self.encode(
                tensors.map { ($0.key, $0.value.shape, SafetensorsElements.float($0.value.scalars, dtype)) },
                metadata: ["producer": "fedtune"]
            )

            #expect(
                Data(written) == Safetensors(tensors: tensors, metadata: ["producer": "fedtune"]).encoded(as: dtype)
            )
        }
    }

    @Test func pythonReadsIntegerAndHalfTensors() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(Self.encode(Self.mixed, metadata: ["fedtune.compression": "topk"])).write(to: file)

        let output = try PythonFixture.run("load_safetensors.py", file.path)

        let parsed = try JSONSerialization.jsonObject(with: output) as! [String: Any]
        let python = parsed["tensors"] as! [String: [String: Any]]
        #expect(parsed["metadata"] as? [String: String] == ["fedtune.compression": "topk"])
        for (name, shape, elements) in Self.mixed {
            let entry = try #require(python[name], "python did not see \(name)")
            #expect(entry["dtype"] as? String == elements.dtypeName, "\(name)")
            #expect(entry["shape"] as? [Int] == shape, "\(name)")
            let values = (entry["values"] as! [NSNumber]).map(\.doubleValue)
            let expected: [Double] =
                switch elements {
                case .int8(let codes): codes.map(Double.init)
                case .int32(let indices): indices.map(Double.init)
                case .float(let floats, .f16):
                    floats.map { Double(HalfPrecision.float(fromFloat16: HalfPrecision.float16Bits($0))) }
                case .float(let floats, .bf16):
                    floats.map { Double(HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits($0))) }
                case .float(let floats, _): floats.map(Double.init)
                }
            #expect(values == expected, "\(name)")
        }
    }
}
