import FedCommands
import FedData
import Foundation
import Testing

@testable import FedLearning

struct LocalTrainingTests {
    @Test func logisticRegressionTrainsFromScratchAndScoresItsTestSplit() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("data.csv")
        try SyntheticDomain(features: 6, classes: 3, noise: 1).sample(count: 600, seed: 1).writeCSV(to: csv)
        var request = TableTraining.Request(data: csv, labelColumn: "label", output: folder.appendingPathComponent("m"))
        request.architecture = "logistic"
        request.testFraction = 0.2
        request.training.epochs = 15
        request.training.learningRate = 1e-2

        let outcome = try TableTraining(request).run()

        let test = try #require(outcome.test)
        #expect(test.count == 120)
        #expect(test.accuracy > 0.8)
        let model = try ModelFolder.load(request.output)
        #expect(model.parameters.names == ["head.weight", "head.bias"])
        #expect(model.architecture.classNames == ["c0", "c1", "c2"])
    }

    @Test func unknownArchitectureIsRefusedBeforeAnythingIsWritten() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("data.csv")
        try SyntheticDomain(features: 2, classes: 2).sample(count: 20, seed: 1).writeCSV(to: csv)
        var request = TableTraining.Request(data: csv, labelColumn: "label", output: folder.appendingPathComponent("m"))
        request.architecture = "transformer"

        #expect(throws: TrainingError.self) { try TableTraining(request).run() }
        #expect(!FileManager.default.fileExists(atPath: request.output.path))
    }

    @Test func fineTuningDataMustHaveTheModelsFeatureColumns() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("data.csv")
        try SyntheticDomain(features: 3, classes: 2).sample(count: 40, seed: 1).writeCSV(to: csv)
        var request = TableTraining.Request(data: csv, labelColumn: "label", output: folder.appendingPathComponent("m"))
        request.training.epochs = 1
        _ = try TableTraining(request).run()
        let narrow = folder.appendingPathComponent("narrow.csv")
        try "x0,x1,label\n1,2,c0\n".write(to: narrow, atomically: true, encoding: .utf8)
        request.data = narrow
        request.baseModel = request.output

        let error = #expect(throws: DataError.self) { try TableTraining(request).run() }

        #expect("\(error!)".contains("no column named 'x2'"))
    }
}
