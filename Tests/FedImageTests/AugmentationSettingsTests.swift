import FedImage
import Foundation
import Testing

struct AugmentationSettingsTests {
    static func decode(_ json: String) throws -> AugmentationSettings {
        try JSONDecoder().decode(AugmentationSettings.self, from: Data(json.utf8))
    }

    @Test func emptyIsNoAugmentation() throws {
        let settings = try Self.decode("{}")

        #expect(settings == .none)
        #expect(settings.isIdentity)
        #expect(settings.problems.isEmpty)
    }

    @Test func readsSnakeCaseKeysAndRoundTrips() throws {
        let settings = try Self.decode(
            #"{"horizontal_flip": true, "crop_scale": [0.5, 1], "rotation_degrees": 10, "#
                + #""brightness": 0.2, "contrast": 0.1}"#
        )

        #expect(settings.horizontalFlip && settings.cropScale == [0.5, 1] && settings.rotationDegrees == 10)
        #expect(settings.brightness == 0.2 && settings.contrast == 0.1)
        #expect(settings.cropRatio == [3.0 / 4.0, 4.0 / 3.0])
        #expect(try JSONDecoder().decode(AugmentationSettings.self, from: JSONEncoder().encode(settings)) == settings)
    }

    @Test func refusesAnUnknownKeyNamingIt() throws {
        let error = #expect(throws: DecodingError.self) { try Self.decode(#"{"horizontalFlip": true}"#) }

        #expect(String(describing: error).contains("horizontal_flip"))
    }

    @Test func namesEachKeyOutOfRange() {
        let settings = AugmentationSettings(
            cropScale: [0.5, 0.2],
            cropRatio: [2, 1],
            rotationDegrees: 270,
            brightness: -0.1,
            contrast: 1.5
        )

        #expect(
            settings.problems == [
                "crop_scale must be [min, max] with 0 < min ≤ max ≤ 1, found [0.5, 0.2]",
                "crop_ratio must be [min, max] with 0.1 ≤ min ≤ max ≤ 10, found [2.0, 1.0]",
                "rotation_degrees must be in 0.0...180.0, found 270.0",
                "brightness must be in 0.0...1.0, found -0.1",
                "contrast must be in 0.0...1.0, found 1.5",
            ]
        )
    }

    @Test func normalizationDecodesPresetsAndValues() throws {
        let decoder = JSONDecoder()

        let preset = try decoder.decode(ImageNormalization.self, from: Data(#""efficientnet-lite""#.utf8))
        let values = try decoder.decode(
            ImageNormalization.self,
            from: Data(#"{"mean": [0.5, 0.5, 0.5], "std": [1, 1, 1]}"#.utf8)
        )
        let unknown = #expect(throws: DecodingError.self) {
            try decoder.decode(ImageNormalization.self, from: Data(#""imagenette""#.utf8))
        }

        #expect(preset == .efficientNetLite)
        #expect(values.mean == [0.5, 0.5, 0.5] && values.problems.isEmpty)
        #expect(String(describing: unknown).contains("unknown normalization 'imagenette'"))
        #expect(ImageNormalization(mean: [0, 0], std: [1, 0, 1]).problems.count == 2)
    }
}
