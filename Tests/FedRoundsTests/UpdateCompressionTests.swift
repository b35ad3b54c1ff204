import FedTensor
import Foundation
import OrderedCollections
import Testing

@testable import FedRounds

/// Shared fixtures: a two-tensor update and the encode → decode round trip.
enum CompressionFixtures {
    /// A [rows, columns] weight and a [rows] bias of normal values (std `std`).
    static func update(
        rows: Int = 40,
        columns: Int = 25,
        std: Float = 0.01,
        seed: UInt64 = 1
    )
        -> OrderedDictionary<String, Tensor>
    {
        var generator = SeededGenerator(seed: seed)
        return [
            "layer.weight": .normal(shape: [rows, columns], std: std, using: &generator),
            "layer.bias": .normal(shape: [rows], std: std, using: &generator),
        ]
    }

    static func spec(of update: OrderedDictionary<String, Tensor>) -> TensorSpec {
        TensorSpec(of: update.map { (key: $0.key, value: $0.value) })
    }

    static func roundTrip(
        _ update: OrderedDictionary<String, Tensor>,
        _ compression: UpdateCompression,
        seed: UInt64 = 7
    ) throws -> OrderedDictionary<String, Tensor> {
        var encoder = UpdateEncoder(compression: compression)
        var generator = SeededGenerator(seed: seed)
        let bytes = encoder.encode(update, using: &generator)
        return try UpdateDecoder.decode(bytes, spec: Self.spec(of: update), source: "update from site-1")
    }

    /// The bytes of `elements`' file, for hand-made (hostile) blobs.
    static func blob(
        _ metadata: [String: String],
        _ tensors: [(String, [Int], SafetensorsElements)]
    ) -> [UInt8] {
        var writer = SafetensorsWriter(metadata: metadata)
        for (name, shape, elements) in tensors { writer.append(name, shape: shape, elements) }
        return writer.encoded()
    }
}

struct UpdateCompressionTests {
    @Test(arguments: ["none", "fp16", "bf16", "int8", "topk"])
    func namesFromTheYAMLRoundTripThroughCodable(name: String) throws {
        let compression = try UpdateCompression(name: name, topKFraction: name == "topk" ? 0.05 : nil)

        let json = try JSONEncoder().encode(compression)

        #expect(compression.name == name)
        #expect(try JSONDecoder().decode(UpdateCompression.self, from: json) == compression)
    }

    @Test func topKWithoutAFractionSendsOnePercent() throws {
        #expect(try UpdateCompression(name: "topk", topKFraction: nil) == .topK(fraction: 0.01))
        #expect(try UpdateCompression(name: nil, topKFraction: nil) == UpdateCompression.none)
    }

    @Test func unknownCodecIsRefusedNamingTheKeyAndTheAllowedValues() {
        #expect(throws: UpdateCompressionError.unknownCodec("gzip")) {
            try UpdateCompression(name: "gzip", topKFraction: nil)
        }
        #expect(
            UpdateCompressionError.unknownCodec("gzip").description
                == "strategy.compression must be one of none, fp16, bf16, int8, topk, not 'gzip'"
        )
    }

    @Test(arguments: [0, -0.1, 1.5, Double.nan, Double.infinity])
    func fractionOutsideZeroToOneIsRefused(fraction: Double) {
        #expect(throws: UpdateCompressionError.self) { try UpdateCompression(name: "topk", topKFraction: fraction) }
        #expect(throws: UpdateCompressionError.self) { try UpdateCompression.topK(fraction: fraction).validate() }
        #expect(UpdateCompressionError.fractionOutOfRange(fraction).description.contains("strategy.topk_fraction"))
    }

    @Test func fractionWithAnotherCodecIsRefused() {
        #expect(throws: UpdateCompressionError.fractionWithoutTopK(codec: "int8", fraction: 0.1)) {
            try UpdateCompression(name: "int8", topKFraction: 0.1)
        }
    }

    @Test func codableRefusesAnUnknownCodec() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(UpdateCompression.self, from: Data(#"{"compression":"zip"}"#.utf8))
        }
    }

    // k = ⌈fraction · count⌉, at least 1 of a non-empty tensor, at most all of it.
    @Test(arguments: [
        (0.01, 1000, 10), (0.07, 100, 7), (0.015, 100, 2), (0.01, 3, 1), (1e-9, 10, 1), (1, 17, 17), (0.5, 0, 0),
        (0.01, 999_000, 9990),
    ])
    func topKCountIsTheCeilingOfFractionTimesCount(fraction: Double, count: Int, expected: Int) {
        #expect(UpdateCompression.topKCount(fraction: fraction, of: count) == expected)
    }
}

struct UpdateCodecRoundTripTests {
    @Test func noneAndLegacyDenseBlobsDecodeExactly() throws {
        let update = CompressionFixtures.update()
        let legacy = Safetensors(tensors: update).encoded()

        let decoded = try CompressionFixtures.roundTrip(update, .none)
        let fromLegacy = try UpdateDecoder.decode(
            legacy,
            spec: CompressionFixtures.spec(of: update),
            source: "update from an old site"
        )

        #expect(decoded == update)
        #expect(fromLegacy == update)
    }

    @Test func fp16KeepsRelativeErrorWithinTwoToTheMinusElevenInItsNormalRange() throws {
        // Magnitudes from 2⁻¹⁴ (fp16's smallest normal) to 60000, both signs.
        let values = (0..<2000).map { i in
            Float(i.isMultiple(of: 2) ? 1 : -1) * Float.pow2(-14 + Float(i) * 29.8 / 2000)
        }
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [2000], scalars: values)]

        let decoded = try CompressionFixtures.roundTrip(update, .fp16)

        for (x, y) in zip(values, decoded["w"]!.scalars) { #expect(abs(y - x) <= abs(x) * 0x1p-11, "\(x) → \(y)") }
    }

    @Test func fp16ClampsBeyondItsRangeAndKeepsTinyValuesWithinAnAbsoluteBound() throws {
        let values: [Float] = [1e6, -7e4, 65504, 3e-6, -1e-7, 0]
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [6], scalars: values)]

        let decoded = try CompressionFixtures.roundTrip(update, .fp16)["w"]!.scalars

        #expect(decoded[0...2] == [65504, -65504, 65504])
        for (x, y) in zip(values[3...], decoded[3...]) { #expect(abs(y - x) <= 0x1p-25) }
    }

    @Test func bf16KeepsRelativeErrorWithinTwoToTheMinusEight() throws {
        let values = (0..<2000).map { i in Float(i.isMultiple(of: 3) ? -1 : 1) * Float.pow2(-100 + Float(i) * 0.1) }
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [2000], scalars: values)]

        let decoded = try CompressionFixtures.roundTrip(update, .bf16)

        for (x, y) in zip(values, decoded["w"]!.scalars) { #expect(abs(y - x) <= abs(x) * 0x1p-8, "\(x) → \(y)") }
    }

    @Test func int8ErrorIsBelowTheScaleOnEveryElement() throws {
        let update = CompressionFixtures.update(std: 0.3)

        let decoded = try CompressionFixtures.roundTrip(update, .int8)

        for (name, tensor) in update {
            let scale = tensor.scalars.map(abs).max()! / 127
            // Below one step, give or take Float rounding of the product.
            #expect(decoded[name]!.maxAbsDifference(tensor) <= scale * (1 + 0x1p-20), "\(name)")
            #expect(decoded[name]!.maxAbsDifference(tensor) > 0)
        }
    }

    @Test func int8StochasticRoundingIsUnbiased() throws {
        // Values a third and two thirds of a step past a code, where rounding to nearest is off by a third.
        let scale: Float = 1.0 / 127
        let values =
            (0..<64).map { i in Float(i - 32) * scale + (i.isMultiple(of: 2) ? 1 : 2) * scale / 3 }
            + [1]  // sets the scale to 1 / 127
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [values.count], scalars: values)]
        let draws = 4000

        var sum = [Double](repeating: 0, count: values.count)
        for seed in 0..<draws {
            let decoded = try CompressionFixtures.roundTrip(update, .int8, seed: UInt64(seed))["w"]!.scalars
            for i in sum.indices { sum[i] += Double(decoded[i]) }
        }

        // Each decoded value is x ± a step with variance ≤ scale² / 4: the mean's standard error is
        // scale / (2 √draws); 6 of them bound all 65 means.
        let bound = 6 * Double(scale) / (2 * Double(draws).squareRoot())
        for i in values.indices {
            #expect(abs(sum[i] / Double(draws) - Double(values[i])) <= bound, "element \(i)")
        }
    }

    @Test(arguments: [UpdateCompression.none, .fp16, .bf16, .int8, .topK(fraction: 0.01)])
    func nonFiniteValuesReachTheCoordinatorAsNonFiniteAndAreRefused(compression: UpdateCompression) {
        for bad in [Float.nan, .infinity, -.infinity] {
            var update = CompressionFixtures.update()
            update["layer.weight"]!.scalars[17] = bad

            #expect(throws: UpdateDecodingError.self, "\(compression.name) with \(bad)") {
                try CompressionFixtures.roundTrip(update, compression)
            }
        }
    }

    @Test func int8OfATensorTooSmallForAScaleDecodesAsZeros() throws {
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [2], scalars: [1e-44, -1e-45])]

        #expect(try CompressionFixtures.roundTrip(update, .int8)["w"]!.scalars == [0, 0])
    }

    @Test func int8OfAZeroTensorIsZeroWithScaleZero() throws {
        let update: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [3, 2])]

        #expect(try CompressionFixtures.roundTrip(update, .int8) == update)
    }

    @Test func topKKeepsExactlyTheLargestMagnitudesOfEachTensor() throws {
        let update = CompressionFixtures.update(rows: 40, columns: 25)

        let decoded = try CompressionFixtures.roundTrip(update, .topK(fraction: 0.03))

        for (name, tensor) in update {
            let k = UpdateCompression.topKCount(fraction: 0.03, of: tensor.count)
            let largest = Set(
                tensor.scalars.indices.sorted { abs(tensor.scalars[$0]) > abs(tensor.scalars[$1]) }.prefix(k)
            )
            let kept = decoded[name]!.scalars.indices.filter { decoded[name]!.scalars[$0] != 0 }
            #expect(Set(kept) == largest, "\(name)")
            #expect(kept.allSatisfy { decoded[name]!.scalars[$0] == tensor.scalars[$0] }, "\(name)")
        }
        #expect(UpdateCompression.topKCount(fraction: 0.03, of: 1000) == 30)
        #expect(UpdateCompression.topKCount(fraction: 0.03, of: 40) == 2)
    }

    @Test func topKErrorFeedbackSendsTheWholeUpdateOverRounds() throws {
        let update = CompressionFixtures.update(rows: 50, columns: 20)
        let spec = CompressionFixtures.spec(of: update)
        let rounds = 100
        var encoder = UpdateEncoder(compression: .topK(fraction: 0.05))
        var generator = SeededGenerator(seed: 3)
        var withFeedback = update.mapValues { Tensor(shape: $0.shape) }
        var withoutFeedback = withFeedback
        var residualNorms: [Double] = []

        for _ in 0..<rounds {
            let bytes = encoder.encode(update, using: &generator)
            for (name, tensor) in try UpdateDecoder.decode(bytes, spec: spec, source: "site") {
                withFeedback[name]!.add(tensor)
            }
            residualNorms.append(encoder.residualNorm)
            var fresh = UpdateEncoder(compression: .topK(fraction: 0.05))
            for (name, tensor) in try UpdateDecoder.decode(
                fresh.encode(update, using: &generator),
                spec: spec,
                source: "site"
            ) {
                withoutFeedback[name]!.add(tensor)
            }
        }

        // What arrived plus what waits on the site is R · u (up to Float rounding), and the wait
        // stays bounded, so what arrived approaches R · u; without feedback 95% never arrives.
        let norm = update.values.reduce(0) { $0 + $1.squaredNorm() }.squareRoot()
        func distance(_ sums: OrderedDictionary<String, Tensor>) -> Double {
            update.reduce(0) { total, entry in
                var gap = sums[entry.key]!
                gap.axpy(-Float(rounds), entry.value)
                return total + gap.squaredNorm()
            }.squareRoot()
        }
        var arrivedAndWaiting = withFeedback
        for (name, tensor) in encoder.residual { arrivedAndWaiting[name]!.add(tensor) }
        #expect(distance(arrivedAndWaiting) <= 1e-4 * Double(rounds) * norm)
        #expect(abs(distance(withFeedback) - encoder.residualNorm) <= 1e-4 * Double(rounds) * norm)
        #expect(residualNorms.max()! <= 20 * norm)
        #expect(residualNorms[(rounds / 2)...].max()! <= residualNorms[..<(rounds / 2)].max()! * 1.05)
        #expect(distance(withFeedback) <= 0.2 * Double(rounds) * norm)
        #expect(distance(withoutFeedback) >= 0.5 * Double(rounds) * norm)
        print(
            "top-k 5% error feedback over \(rounds) rounds: ‖Σ decoded − R·u‖ / ‖R·u‖ = "
                + "\(distance(withFeedback) / (Double(rounds) * norm)) with feedback, "
                + "\(distance(withoutFeedback) / (Double(rounds) * norm)) without; "
                + "max ‖residual‖ / ‖u‖ = \(residualNorms.max()! / norm)"
        )
    }

    @Test func topKResidualRestartsForATensorWhoseShapeChanged() throws {
        var encoder = UpdateEncoder(compression: .topK(fraction: 0.1))
        var generator = SeededGenerator(seed: 1)
        _ = encoder.encode(CompressionFixtures.update(rows: 10, columns: 10), using: &generator)
        let reshaped = CompressionFixtures.update(rows: 5, columns: 10, seed: 2)

        let decoded = try UpdateDecoder.decode(
            encoder.encode(reshaped, using: &generator),
            spec: CompressionFixtures.spec(of: reshaped),
            source: "site"
        )

        #expect(decoded["layer.weight"]!.shape == [5, 10])
        #expect(encoder.residual["layer.weight"]!.shape == [5, 10])
        #expect(encoder.residual["layer.bias"]!.shape == [5])
    }
}

extension Float {
    /// 2^exponent for a fractional exponent.
    fileprivate static func pow2(_ exponent: Float) -> Float { Float(Foundation.pow(2.0, Double(exponent))) }
}

struct TopKSelectionTests {
    // Sizes around the radix buckets' edges, with runs of equal and zero values and both signs.
    @Test(arguments: [(1, 1), (10, 0), (10, 3), (100, 100), (1000, 17), (5000, 50)])
    func selectsWhatASortWouldWithTiesToTheLowerIndex(count: Int, k: Int) {
        var generator = SeededGenerator(seed: UInt64(count * 31 + k))
        let values = (0..<count).map { _ -> Float in
            let pick = generator.next() % 4
            return pick == 0 ? 0 : pick == 1 ? 0.5 : Float(Int(generator.next() % 2001) - 1000) / 7
        }

        let selected = TopKSelection.largestMagnitudes(values, count: k)

        let byMagnitudeThenIndex = values.indices.sorted { (abs(values[$0]), -$0) > (abs(values[$1]), -$1) }
        #expect(selected == byMagnitudeThenIndex.prefix(k).sorted().map(Int32.init))
    }

    @Test func tiesAtTheThresholdKeepTheLowerPositions() {
        #expect(TopKSelection.largestMagnitudes([1, -3, 3, 2, 3, -3], count: 2) == [1, 2])
        #expect(TopKSelection.largestMagnitudes([0, 0, 0, 0], count: 3) == [0, 1, 2])
        #expect(TopKSelection.largestMagnitudes([-0.0, 1e-45, 0], count: 1) == [1])
    }
}

struct UpdateDecoderRefusalTests {
    static let spec = TensorSpec([(name: "w", shape: [2, 3])])
    static let source = "update from site-9"

    static func decode(_ bytes: [UInt8]) throws(UpdateDecodingError) -> OrderedDictionary<String, Tensor> {
        try UpdateDecoder.decode(bytes, spec: Self.spec, source: Self.source)
    }

    static func topK(indices: [Int32], values: [Float], shape: String = "[2,3]") -> [UInt8] {
        CompressionFixtures.blob(
            ["fedtune.compression": "topk", "w.__shape__": shape],
            [
                ("w.__indices__", [indices.count], .int32(indices)),
                ("w.__values__", [values.count], .float(values, .f32)),
            ]
        )
    }

    static func int8(scale: Float, codes: [Int8] = [1, 2, 3, -1, -2, -127]) -> [UInt8] {
        CompressionFixtures.blob(
            ["fedtune.compression": "int8"],
            [("w", [2, 3], .int8(codes)), ("w.__scale__", [], .float([scale], .f32))]
        )
    }

    @Test func wellFormedTopKAndInt8BlobsFromAnyWriterDecode() throws {
        #expect(try Self.decode(Self.topK(indices: [0, 5], values: [1, -2]))["w"]!.scalars == [1, 0, 0, 0, 0, -2])
        #expect(
            try Self.decode(Self.topK(indices: [], values: [], shape: "[2, 3]"))["w"]!.scalars == [0, 0, 0, 0, 0, 0]
        )
        #expect(try Self.decode(Self.int8(scale: 0.5))["w"]!.scalars == [0.5, 1, 1.5, -0.5, -1, -63.5])
    }

    @Test(
        arguments: [
            (
                Self.topK(indices: [0, 6], values: [1, 2]),
                UpdateDecodingError.indexOutOfRange(source: source, tensor: "w", index: 6, elements: 6)
            ),
            (
                Self.topK(indices: [-1], values: [1]),
                .indexOutOfRange(source: source, tensor: "w", index: -1, elements: 6)
            ),
            (
                Self.topK(indices: [2, 2], values: [1, 2]),
                .indicesNotIncreasing(source: source, tensor: "w", position: 1)
            ),
            (
                Self.topK(indices: [3, 1], values: [1, 2]),
                .indicesNotIncreasing(source: source, tensor: "w", position: 1)
            ),
            (
                Self.topK(indices: [0, 1, 2], values: [1, 2]),
                .wrongCount(source: source, tensor: "w", indices: 3, values: 2, elements: 6)
            ),
            (
                Self.topK(indices: Array(0..<7), values: Array(repeating: 1, count: 7)),
                .wrongCount(source: source, tensor: "w", indices: 7, values: 7, elements: 6)
            ),
            (Self.topK(indices: [1], values: [.nan]), .nonFinite(source: source, tensor: "w")),
            (
                Self.topK(indices: [1], values: [1], shape: "[3,2]"),
                .wrongDenseShape(source: source, tensor: "w", expected: [2, 3], found: "[3,2]")
            ),
            (
                CompressionFixtures.blob(
                    ["fedtune.compression": "topk"],
                    [("w.__indices__", [1], .int32([0])), ("w.__values__", [1], .float([1], .f32))]
                ), .wrongDenseShape(source: source, tensor: "w", expected: [2, 3], found: nil)
            ),
            (Self.int8(scale: -1), .invalidScale(source: source, tensor: "w", scale: -1)),
            (Self.int8(scale: .greatestFiniteMagnitude), .nonFinite(source: source, tensor: "w")),
            (
                CompressionFixtures.blob(
                    ["fedtune.compression": "zstd"],
                    [("w", [2, 3], .float([1, 2, 3, 4, 5, 6], .f32))]
                ), .unknownCodec(source: source, codec: "zstd")
            ),
            (
                CompressionFixtures.blob(["fedtune.compression": "int8"], [("w", [2, 3], .int8([1, 2, 3, 4, 5, 6]))]),
                .missingTensor(source: source, tensor: "w.__scale__")
            ),
            (
                CompressionFixtures.blob(["fedtune.compression": "fp16"], []),
                .missingTensor(source: source, tensor: "w")
            ),
            (
                CompressionFixtures.blob(
                    ["fedtune.compression": "fp16"],
                    [("w", [2, 3], .float([1, 2, 3, 4, 5, 6], .f32))]
                ), .wrongDType(source: source, tensor: "w", expected: "F16", found: "F32")
            ),
            (
                CompressionFixtures.blob([:], [("w", [3, 2], .float([1, 2, 3, 4, 5, 6], .f32))]),
                .wrongShape(source: source, tensor: "w", expected: [2, 3], found: [3, 2])
            ),
            (
                CompressionFixtures.blob([:], [("w", [2, 3], .float([1, 2, 3, 4, 5, .infinity], .bf16))]),
                .nonFinite(source: source, tensor: "w")
            ),
            (
                CompressionFixtures.blob(
                    ["fedtune.compression": "int8"],
                    [
                        ("w", [2, 3], .int8([1, 2, 3, 4, 5, 6])), ("w.__scale__", [], .float([1], .f32)),
                        ("extra", [1], .int8([0])),
                    ]
                ), .unexpectedTensor(source: source, tensor: "extra")
            ),
        ] as [([UInt8], UpdateDecodingError)]
    )
    func hostileBlobIsRefusedWithASentenceNamingTheTensor(blob: [UInt8], expected: UpdateDecodingError) {
        #expect(throws: expected) { try Self.decode(blob) }
        #expect(expected.description.hasPrefix(Self.source))
        #expect(expected.description.contains("'"))
    }

    @Test func int8WithANaNScaleIsRefused() {
        // A separate test because NaN is not equal to itself, so the error cannot be compared whole.
        #expect {
            try Self.decode(Self.int8(scale: .nan))
        } throws: { error in
            guard case .invalidScale(_, "w", let scale) = error as? UpdateDecodingError else { return false }
            return scale.isNaN
        }
    }

    @Test func bytesThatAreNotSafetensorsAreUnreadable() {
        #expect {
            try Self.decode([1, 2, 3])
        } throws: { error in
            guard case .unreadable(let source, let detail) = error as? UpdateDecodingError else { return false }
            return source == Self.source && detail.contains("truncated")
        }
    }

    @Test func refusalsReadAsSentences() {
        #expect(
            UpdateDecodingError.indexOutOfRange(source: Self.source, tensor: "w", index: 6, elements: 6).description
                == "update from site-9: top-k tensor 'w' has index 6, outside 0..<6"
        )
        #expect(
            UpdateDecodingError.invalidScale(source: Self.source, tensor: "w", scale: .nan).description
                == "update from site-9: int8 tensor 'w' has scale nan; a scale must be finite and 0 or more"
        )
    }
}

struct UpdateCompressionSizeTests {
    /// A 1,000,000-weight update: a [1000, 999] weight and a [1000] bias.
    static let million = CompressionFixtures.update(rows: 1000, columns: 999, seed: 5)

    // Payload bytes: F32 4 per weight, F16/BF16 2, int8 1 plus two 4-byte scales, top-k 1% keeps
    // ⌈0.01 · 999000⌉ + ⌈0.01 · 1000⌉ = 10000 weights at 8 bytes (int32 index + float32 value).
    @Test(arguments: [
        (UpdateCompression.none, 4_000_000), (.fp16, 2_000_000), (.bf16, 2_000_000), (.int8, 1_000_008),
        (.topK(fraction: 0.01), 80_000),
    ])
    func aMillionWeightUpdateTakesTheBytesItsCodecPromises(compression: UpdateCompression, payload: Int) throws {
        var encoder = UpdateEncoder(compression: compression)
        var generator = SeededGenerator(seed: 1)

        let bytes = encoder.encode(Self.million, using: &generator)

        // The header (names, shapes, offsets, metadata) adds a few hundred bytes at most.
        #expect(bytes.count > payload && bytes.count < payload + 512)
        print("1,000,000 weights as \(compression.name): \(bytes.count) bytes")
    }

    @Test(arguments: [1_000_000])
    func encodeAndDecodeTimes(weights: Int) throws {
        try Self.time(weights: weights)
    }

    // 22M weights (MiniLM-sized) take seconds in a debug build: run with FEDTUNE_COMPRESSION_TIMING=1.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_COMPRESSION_TIMING"] != nil))
    func encodeAndDecodeTimesOfTwentyTwoMillionWeights() throws {
        try Self.time(weights: 22_000_000)
    }

    /// Prints each codec's encode and decode time for an update of `weights` in two tensors.
    static func time(weights: Int) throws {
        let update = CompressionFixtures.update(rows: weights / 1000, columns: 999, seed: 9)
        let spec = CompressionFixtures.spec(of: update)
        let clock = ContinuousClock()
        for compression in [UpdateCompression.none, .fp16, .bf16, .int8, .topK(fraction: 0.01)] {
            var encoder = UpdateEncoder(compression: compression)
            var generator = SeededGenerator(seed: 1)
            var bytes: [UInt8] = []
            let encoding = clock.measure { bytes = encoder.encode(update, using: &generator) }
            let data = Data(bytes)
            var decoded: OrderedDictionary<String, Tensor> = [:]
            let decoding = try clock.measure { decoded = try UpdateDecoder.decode(data, spec: spec, source: "timing") }
            #expect(decoded.keys.elementsEqual(spec.names))
            print(
                "\(weights) weights, \(compression.name): \(bytes.count) bytes, encode \(encoding), decode \(decoding)"
            )
        }
    }
}
