import FedTensor
import FedTestSupport
import Foundation
import Testing

/// `fedtune inspect FILE.pth` and `fedtune models convert FILE.pth --out …` through the built
/// binary, on the fixtures of scripts/fixtures/make_torch_fixtures.py.
struct TorchCheckpointCommandTests {
    static let fixtures = Command.repository.appendingPathComponent("Tests/FedTorchTests/Fixtures")

    @Test func inspectListsACheckpointAsItListsSafetensors() throws {
        let output = try Command.fedtune("inspect", "--json", Self.fixtures.appendingPathComponent("legacy.pth").path)

        #expect(output.status == 0, "\(output.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 10)
        #expect(
            rows.compactMap { $0["name"] as? String }.prefix(4) == [
                "conv.weight", "bn.weight", "bn.running_var", "bn.num_batches_tracked",
            ]
        )
        #expect(
            rows.compactMap { $0["dtype"] as? String } == [
                "F32", "F32", "F32", "I64", "F16", "BF16", "F64", "I32", "F32", "F32",
            ]
        )
        #expect(rows[0]["shape"] as? [Int] == [2, 3, 2, 2])
        #expect(rows.compactMap { $0["bytes"] as? Int } == [96, 12, 12, 8, 8, 6, 16, 12, 12, 24])
    }

    @Test func convertWritesTheFloatTensorsInTheirPrecisionAndListsTheIntegers() throws {
        let folder = try TemporaryFolder("fedtune-convert")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("model.safetensors")

        let output = try Command.fedtune(
            "models",
            "convert",
            Self.fixtures.appendingPathComponent("zip.pt").path,
            "--out",
            out.path
        )

        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("wrote 8 tensors"), "\(output.stdout)")
        #expect(output.stdout.contains("left out 2 integer tensors"))
        #expect(output.stdout.contains("bn.num_batches_tracked  int64  []"))
        #expect(output.stdout.contains("index.buffer  int32  [3]"))
        #expect(output.stdout.contains("stored 1 float64 tensors as float32: double.weight"))
        let file = try Safetensors.read(contentsOf: out)
        #expect(
            file.tensors.map(\.key) == [
                "conv.weight", "bn.weight", "bn.running_var", "half.weight", "bf16.weight", "double.weight",
                "view.offset", "view.transposed",
            ]
        )
        #expect(file.storedTypes["half.weight"] == .f16 && file.storedTypes["bf16.weight"] == .bf16)
        #expect(file.tensors.first { $0.key == "view.transposed" }?.value.scalars == [0, 4.5, 1.5, 6, 3, 7.5])
        #expect(file.tensors.first { $0.key == "half.weight" }?.value.scalars == [0.5, -1.25, 3, 65504])
    }

    @Test func convertRefusesAnExistingOutputAndLeavesIt() throws {
        let folder = try TemporaryFolder("fedtune-convert")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("model.safetensors")
        try Data("keep me".utf8).write(to: out)

        let output = try Command.fedtune(
            "models",
            "convert",
            Self.fixtures.appendingPathComponent("legacy.pth").path,
            "--out",
            out.path
        )

        #expect(output.status == 1)
        #expect(output.stderr.contains("already exists"), "\(output.stderr)")
        #expect(try Data(contentsOf: out) == Data("keep me".utf8))
    }

    @Test func convertRefusesAHostileCheckpointNamingTheGlobal() throws {
        let folder = try TemporaryFolder("fedtune-convert")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("model.safetensors")

        let output = try Command.fedtune(
            "models",
            "convert",
            Self.fixtures.appendingPathComponent("malicious_zip.pt").path,
            "--out",
            out.path
        )

        #expect(output.status == 1)
        #expect(output.stderr.contains("refused to load global 'posix.system'"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/fedtune-pwned-by-checkpoint"))
    }
}
