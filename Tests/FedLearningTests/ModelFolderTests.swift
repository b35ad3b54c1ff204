import FedCommands
import FedData
import FedTensor
import Foundation
import OrderedCollections
import Testing

@testable import FedLearning

struct ModelFolderTests {
    @Test func saveAndLoadKeepTensorsFrozenNamesAndPreprocessing() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Classifier(
            architecture: ModelArchitecture(inputs: 3, hidden: [4], classes: 2, classNames: ["no", "yes"]),
            seed: 1
        )
        model.freeze(prefixes: ["hidden.0"])

        try ModelFolder.save(model, to: folder)
        let loaded = try ModelFolder.load(folder)

        #expect(loaded.architecture == model.architecture)
        #expect(loaded.parameters.values() == model.parameters.values())
        #expect(loaded.parameters.entries.map(\.trainable) == [false, false, true, true])
        let rows = try TensorInspection.run(folder.appendingPathComponent(ModelFolder.weightsFile))
        #expect(rows.map(\.name) == ["hidden.0.weight", "hidden.0.bias", "head.weight", "head.bias"])
        #expect(rows.map(\.trainable) == [false, false, true, true])
        #expect(rows[0].bytes == 4 * 3 * 4)
    }

    @Test func tensorsThatDisagreeWithTheArchitectureAreAllNamed() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = Classifier(architecture: ModelArchitecture(inputs: 3, hidden: [4], classes: 2), seed: 1)
        try ModelFolder.save(model, to: folder)
        var tensors = model.parameters.values()
        tensors.removeValue(forKey: "head.bias")
        tensors["hidden.0.weight"] = Tensor(shape: [4, 5])
        tensors["extra"] = Tensor(shape: [1])
        try Safetensors(tensors: tensors).write(to: folder.appendingPathComponent(ModelFolder.weightsFile))

        let error = #expect(throws: ModelError.self) { try ModelFolder.load(folder) }

        let message = "\(error!)"
        #expect(message.contains("missing tensors: head.bias"))
        #expect(message.contains("unexpected tensors: extra"))
        #expect(message.contains("tensor 'hidden.0.weight' has shape [4, 5], the architecture needs [4, 3]"))
    }

    @Test func invalidDescriptionIsRefusedNamingTheField() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try #"{"inputs": 3, "hidden": [4], "classes": 1}"#.write(
            to: folder.appendingPathComponent(ModelFolder.architectureFile),
            atomically: true,
            encoding: .utf8
        )

        let error = #expect(throws: ModelError.self) { try ModelFolder.load(folder) }

        #expect("\(error!)".contains("classes must be at least 2"))
        #expect("\(error!)".contains("model.json"))
    }

    @Test func missingFolderGivesAHint() {
        let error = #expect(throws: ModelError.self) {
            try ModelFolder.load(URL(fileURLWithPath: "/nonexistent/model"))
        }

        #expect("\(error!)".contains("HINT"))
    }
}
