import FedLearning
import FedSupport
import Foundation
import Testing

/// The local training settings as the wire carries them: snake_case keys with defaults,
/// and a key a site does not know refused rather than trained past.
struct TrainingSettingsTests {
    static func decode(_ json: String) throws -> TrainingConfiguration {
        try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
    }

    @Test func keysLeftOutKeepTheirDefaults() throws {
        let settings = try Self.decode(#"{"epochs": 1, "learning_rate": 0.5, "optimizer": {"kind": "sgd"}}"#)

        #expect(settings.epochs == 1 && settings.learningRate == 0.5 && settings.batchSize == 32)
        #expect(settings.optimizer.kind == .sgd && settings.optimizer.momentum == 0.9)
    }

    @Test func encodingAndDecodingGiveTheSameSettings() throws {
        var settings = TrainingConfiguration()
        settings.epochs = 3
        settings.balanceClasses = true
        settings.gradientClipNorm = 2
        settings.seed = (1 << 53) - 1
        let json = try JSONEncoder().encode(settings)

        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: json) == settings)
        #expect(String(decoding: json, as: UTF8.self).contains(#""class_weights":"balanced""#))
    }

    @Test(arguments: [
        (#"{"epoch": 1}"#, "unknown key 'epoch'"),
        (#"{"batchSize": 8}"#, "'batchSize' is spelt 'batch_size'"),
        (#"{"optimizer": {"kind": "sgd", "nesterov": true}}"#, "unknown key 'optimizer.nesterov'"),
        (#"{"class_weights": "inverse"}"#, "'inverse' is not balanced, none or a list"),
    ])
    func unknownKeysAndValuesAreRefused(json: String, message: String) {
        let error = #expect(throws: DecodingError.self) { try Self.decode(json) }

        #expect(error.map { $0.fieldDescription.contains(message) } == true, "\(String(describing: error))")
    }
}
