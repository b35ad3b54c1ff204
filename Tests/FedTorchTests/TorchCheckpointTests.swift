import FedTensor
import FedTestSupport
import FedTorch
import Foundation
import Testing

/// Reading the fixture state dict from both `torch.save` layouts (and protocol 5, and nested
/// in a training checkpoint) gives exactly the values the fixture script wrote.
struct TorchCheckpointTests {
    @Test(arguments: [
        ("legacy.pth", TorchCheckpointFormat.legacy),
        ("zip.pt", .zip),
        ("zip_protocol5.pt", .zip),
        ("nested.pth", .zip),
    ])
    func readsEveryTensorWithExactValues(file: String, format: TorchCheckpointFormat) throws {
        let stateDict = try TorchCheckpoint.read(contentsOf: TorchFixtures.url(file))

        #expect(stateDict.format == format)
        #expect(stateDict.floatNames == TorchFixtures.floats.map(\.name))
        for (name, shape, values) in TorchFixtures.floats {
            let tensor = try #require(stateDict.float(name), "\(name) missing")
            #expect(tensor.shape == shape, "\(name)")
            #expect(tensor.scalars == values, "\(name)")
        }
        #expect(stateDict.integerNames == TorchFixtures.integers.map(\.name))
        for (name, shape, values) in TorchFixtures.integers {
            #expect(stateDict.integer(name) == TorchIntegerTensor(shape: shape, values: values), "\(name)")
        }
        #expect(stateDict.entryTypes.map(\.0) == TorchFixtures.dtypes.map(\.0))
        #expect(stateDict.entryTypes.map(\.1) == TorchFixtures.dtypes.map(\.1))
    }

    @Test func aTrainingCheckpointGivesItsOneStateDictAndSaysWhere() throws {
        let stateDict = try TorchCheckpoint.read(contentsOf: TorchFixtures.url("nested.pth"))

        #expect(stateDict.nestedKey == "state_dict")
        #expect(stateDict.floatNames.count == 8)
    }

    @Test func twoStateDictsAreRefusedNamingBoth() throws {
        let error = #expect(throws: TorchCheckpointError.self) {
            try TorchCheckpoint.read(contentsOf: TorchFixtures.url("two_state_dicts.pth"))
        }

        guard case .notAStateDict? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        let text = "\(error!)"
        #expect(text.contains("'model'") && text.contains("'ema'"), "\(text)")
        #expect(text.contains("two_state_dicts.pth"))
    }

    @Test func shapeOfFindsBothKinds() throws {
        let stateDict = try TorchCheckpoint.read(contentsOf: TorchFixtures.url("legacy.pth"))

        #expect(stateDict.shape(of: "conv.weight") == [2, 3, 2, 2])
        #expect(stateDict.shape(of: "bn.num_batches_tracked") == [])
        #expect(stateDict.shape(of: "absent") == nil)
    }

    @Test func checkpointsAreRecognisedByTheirFirstBytes() throws {
        #expect(TorchCheckpoint.isCheckpoint(TorchFixtures.url("legacy.pth")))
        #expect(TorchCheckpoint.isCheckpoint(TorchFixtures.url("zip.pt")))
        #expect(!TorchCheckpoint.isCheckpoint(URL(fileURLWithPath: #filePath)))
    }

    /// A safetensors header of 640 bytes starts the file with 80 02, as a pickle does.
    @Test func aSafetensorsFileWhoseLengthLooksLikeAPickleIsNoCheckpoint() throws {
        let folder = try TemporaryFolder("fedtorch-sniff")
        defer { folder.remove() }
        let file = folder.url.appendingPathComponent("model.safetensors")
        var bytes: [UInt8] = [0x80, 0x02, 0, 0, 0, 0, 0, 0]
        bytes += Array("{}".utf8) + [UInt8](repeating: 0x20, count: 638)
        try Data(bytes).write(to: file)

        #expect(!TorchCheckpoint.isCheckpoint(file))
    }
}

/// Pre-0.4 legacy files name views into storages: `(view_key, offset, view_size)`.
struct LegacyStorageViewTests {
    @Test func aTensorOnAStorageViewReadsFromTheViewsOffset() throws {
        let stateDict = try TorchCheckpoint.read(contentsOf: TorchFixtures.url("legacy_views.pth"))

        #expect(stateDict.float("view.a")?.scalars == [3, 4])
        #expect(stateDict.float("whole")?.scalars == (0..<8).map(Float.init))
    }
}
