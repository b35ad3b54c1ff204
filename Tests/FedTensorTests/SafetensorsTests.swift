import FedTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import FedTensor

struct SafetensorsTests {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let repository = Repository.root

    /// A file made of a JSON header and raw data bytes, as the format lays them out.
    static func blob(_ header: String, data: [UInt8] = []) -> Data {
        var out = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    @Test func readsEveryTensorPythonWrote() throws {
        let expected =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.fixtures.appendingPathComponent("python_written.json"))
            ) as! [String: [String: Any]]

        var loaded = try Safetensors.read(
            contentsOf: Self.fixtures.appendingPathComponent("python_written.safetensors")
        )
        let bf16 = try Safetensors.read(contentsOf: Self.fixtures.appendingPathComponent("bf16_written.safetensors"))
        loaded.tensors.merge(bf16.tensors) { a, _ in a }
        loaded.storedTypes.merge(bf16.storedTypes) { a, _ in a }

        #expect(loaded.metadata == ["producer": "python-safetensors"])
        #expect(Set(loaded.tensors.keys) == Set(expected.keys))
        for (name, entry) in expected {
            let tensor = try #require(loaded.tensors[name])
            #expect(tensor.shape == entry["shape"] as! [Int], "shape of \(name)")
            #expect(loaded.storedTypes[name]?.rawValue == entry["dtype"] as? String, "dtype of \(name)")
            let values = (entry["values"] as! [NSNumber]).map { $0.floatValue }
            #expect(tensor.scalars == values, "values of \(name)")
        }
    }

    @Test(arguments: SafetensorsDType.allCases)
    func pythonReadsWhatWeWrite(dtype: SafetensorsDType) throws {
        var generator = SeededGenerator(seed: 8)
        let tensors: OrderedDictionary<String, Tensor> = [
            "head.weight": .normal(shape: [3, 4], std: 1, using: &generator),
            "head.bias": .normal(shape: [3], std: 1, using: &generator),
            "scalar": Tensor(scalar: 2.5),
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Safetensors(tensors: tensors, metadata: ["producer": "fedtune"]).write(to: file, as: dtype)

        let output = try PythonFixture.run("load_safetensors.py", file.path)
        let parsed = try JSONSerialization.jsonObject(with: output) as! [String: Any]
        let python = parsed["tensors"] as! [String: [String: Any]]

        #expect(parsed["metadata"] as? [String: String] == ["producer": "fedtune"])
        let reread = try Safetensors.read(contentsOf: file)
        for (name, tensor) in tensors {
            let entry = try #require(python[name], "python did not see \(name)")
            #expect(entry["dtype"] as? String == dtype.rawValue)
            #expect(entry["shape"] as? [Int] == tensor.shape)
            let values = (entry["values"] as! [NSNumber]).map { $0.floatValue }
            // Python and fedtune agree on the stored values exactly, whatever the precision.
            #expect(values == reread.tensors[name]!.scalars)
            let tolerance: Float = dtype == .f32 ? 0 : (dtype == .f16 ? 2e-3 : 1e-2)
            #expect(reread.tensors[name]!.maxAbsDifference(tensor) <= tolerance * Swift.max(1, tensor.max()))
        }
    }

    @Test func roundTripKeepsNamesOrderShapesAndValues() throws {
        var generator = SeededGenerator(seed: 2)
        let original = Safetensors(
            tensors: [
                "z.last": .normal(shape: [2, 3], std: 1, using: &generator),
                "a.first": .normal(shape: [5], std: 1, using: &generator),
                "empty": Tensor(shape: [0, 4]),
            ],
            metadata: ["k": "v \"quoted\""]
        )

        let decoded = try Safetensors.decode(original.encoded(), path: "memory")

        #expect(Array(decoded.tensors.keys) == ["z.last", "a.first", "empty"])
        #expect(decoded.tensors == original.tensors)
        #expect(decoded.metadata == original.metadata)
    }

    @Test func headerIsPaddedSoDataStartsEightByteAligned() throws {
        let data = Safetensors(tensors: ["w": Tensor(shape: [1], scalars: [1])]).encoded()

        let header = try SafetensorsHeader.parse(data, fileSize: data.count, path: "memory")

        #expect(header.dataStart % 8 == 0)
    }

    static let malformed: [(String, Data, String)] = [
        ("truncated length", Data([1, 2, 3]), "fewer than the 8-byte header length"),
        ("header past end", blob("{}").prefix(9), "header claims"),
        ("not json", blob("{nope"), "not JSON"),
        (
            "unsupported dtype",
            blob(#"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
            "tensor 'ids' has dtype I64"
        ),
        (
            "size mismatch",
            blob(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
            "tensor 'w' is F32 [3], which needs 12 bytes"
        ),
        (
            "out of range",
            blob(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 4)),
            "tensor 'w' has data_offsets [0, 8] outside the 4-byte data section"
        ),
        (
            "overlap",
            blob(
                #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: .init(repeating: 0, count: 8)
            ), "tensor 'b' overlaps the data of 'a'"
        ),
        (
            "gap",
            blob(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: .init(repeating: 0, count: 8)),
            "bytes 0..<4 belong to no tensor"
        ),
        (
            "missing shape", blob(#"{"a":{"dtype":"F32","data_offsets":[0,4]}}"#, data: .init(repeating: 0, count: 4)),
            "tensor 'a': 'shape' is not a list"
        ),
    ]

    @Test(arguments: malformed)
    func refusesMalformedFilesNamingTheProblem(label: String, data: Data, message: String) {
        #expect {
            try Safetensors.decode(data, path: "bad.safetensors")
        } throws: { error in
            let text = "\(error)"
            return text.contains(message) && text.hasPrefix("bad.safetensors")
        }
    }

    @Test func skippedTensorsNeedNotHaveASupportedDType() throws {
        let data = Self.blob(
            #"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
            data: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3F]
        )

        let loaded = try Safetensors.decode(data, path: "memory", skipping: ["ids"])

        #expect(Array(loaded.tensors.keys) == ["w"])
        #expect(loaded.tensors["w"]?.scalars == [1])
    }

    @Test func failedWriteLeavesTheExistingFileUntouched() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("model.safetensors")
        try Safetensors(tensors: ["w": Tensor(scalar: 1)]).write(to: file)
        let before = try Data(contentsOf: file)

        // A target under a regular file cannot be created: the write must fail cleanly.
        #expect(throws: SafetensorsError.self) {
            try Safetensors(tensors: ["w": Tensor(scalar: 2)]).write(to: file.appendingPathComponent("inside-a-file"))
        }

        #expect(try Data(contentsOf: file) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }
}

/// Runs one of the repository's Python fixture scripts and returns its standard output.
enum PythonFixture {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ script: String, _ arguments: String...) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let path = SafetensorsTests.repository.appendingPathComponent("scripts/fixtures/\(script)").path
        process.arguments = ["python3", path] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "python3 \(script) failed (run the tests with scripts/test, which puts .venv/bin with the pinned packages first on PATH): "
                    + String(decoding: message, as: UTF8.self)
            )
        }
        return data
    }
}

struct SafetensorsHostileHeaderTests {
    @Test func shapeWhoseByteSizeOverflowsIsRefusedNotAllocated() {
        // 2³¹ · 2³¹ elements · 4 bytes wraps to 0 in 64 bits, matching empty offsets.
        let data = SafetensorsTests.blob(#"{"w":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,0]}}"#)

        #expect(throws: SafetensorsError.self) { try Safetensors.decode(data, path: "update") }
    }
}
