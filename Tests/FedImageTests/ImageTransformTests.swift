import FedImage
import FedTensor
import Foundation
import Testing

struct ImageTransformTests {
    /// A 4×4 grey image whose pixel (x, y) is 10·(4y + x) + 5.
    static let square = ImageBatcherTests.greySet((0..<4).map { y in (0..<4).map { x in UInt8(10 * (4 * y + x) + 5) } })
    static let batcher = ImageBatcher(height: 4, width: 4, normalization: .unit)

    static func render(_ transform: ImageTransform, set: ImageSet = square) -> [Float] {
        var batch = Tensor(shape: [1, 3, Self.batcher.height, Self.batcher.width])
        Self.batcher.fill(&batch, slot: 0, from: set, index: 0, transform: transform)
        return ImageBatcherTests.plane(batch)
    }

    static var identity: ImageTransform { .identity(height: 4, width: 4) }

    @Test func flippedImageIsTheMirror() {
        var flip = Self.identity
        flip.flip = true

        let mirrored: [Float] = (0..<4).flatMap { (y: Int) -> [Float] in
            (0..<4).map { (x: Int) -> Float in Float(10 * (4 * y + 3 - x) + 5) }
        }
        #expect(ImageBatcherTests.close(Self.render(flip), mirrored))
        #expect(ImageBatcherTests.close(Self.render(Self.identity), Self.square.pixels.map(Float.init)))
    }

    @Test func quarterTurnRotatesCounterClockwise() {
        var turn = Self.identity
        turn.angle = .pi / 2

        // Counter-clockwise: output (x, y) shows source (3 − y, x); the top-right corner moves to the top left.
        let expected: [Float] = (0..<4).flatMap { (y: Int) -> [Float] in
            (0..<4).map { (x: Int) -> Float in Float(10 * (4 * x + 3 - y) + 5) }
        }
        #expect(ImageBatcherTests.close(Self.render(turn), expected, 1e-2))
    }

    @Test(arguments: [1, 3])
    func rotatedAndSeparablePathsAgreeAtATinyAngle(channels: Int) {
        let pixels = (0..<(5 * 6 * channels)).map { UInt8(($0 * 37) % 251) }
        let set = ImageSet(height: 5, width: 6, channels: channels, pixels: pixels, labels: [0], classNames: ["a"])
        let batcher = ImageBatcher(height: 7, width: 9, normalization: .imageNet)
        var straight = ImageTransform(cropX: 1, cropY: 1, cropWidth: 4, cropHeight: 3, flip: true)
        var tilted = straight
        tilted.angle = 1e-6
        straight.contrast = 1
        var a = Tensor(shape: [1, 3, 7, 9])
        var b = Tensor(shape: [1, 3, 7, 9])

        batcher.fill(&a, slot: 0, from: set, index: 0, transform: straight)
        batcher.fill(&b, slot: 0, from: set, index: 0, transform: tilted)

        #expect(ImageBatcherTests.close(a.scalars, b.scalars, 1e-3))
    }

    @Test func smallRotationFillsCornersWithZero() {
        var tilt = Self.identity
        tilt.angle = 30 * .pi / 180

        let out = Self.render(tilt)

        // The 30° corners of the frame come from outside the image.
        #expect(out[0] == 0 && out[3] == 0 && out[12] == 0 && out[15] == 0)
        #expect(out[5] > 0)
    }

    @Test func cropTakesItsRegionExactly() {
        let crop = ImageTransform(cropX: 1, cropY: 2, cropWidth: 2, cropHeight: 2)
        let batcher = ImageBatcher(height: 2, width: 2, normalization: .unit)
        var batch = Tensor(shape: [1, 3, 2, 2])

        batcher.fill(&batch, slot: 0, from: Self.square, index: 0, transform: crop)

        #expect(ImageBatcherTests.close(ImageBatcherTests.plane(batch), [95, 105, 135, 145]))
    }

    @Test func zeroJitterIsTheIdentityAndJitterScales() {
        var neutral = Self.identity
        neutral.brightness = 1
        neutral.contrast = 1
        var darker = Self.identity
        darker.brightness = 0.5
        var flat = Self.identity
        flat.contrast = 0

        let mean = Self.square.pixels.map(Float.init).reduce(0, +) / 16
        #expect(Self.render(neutral) == Self.render(Self.identity))
        #expect(ImageBatcherTests.close(Self.render(darker), Self.square.pixels.map { Float($0) / 2 }))
        #expect(ImageBatcherTests.close(Self.render(flat), [Float](repeating: mean, count: 16)))
    }

    @Test func brightnessSaturatesAtWhite() {
        var bright = Self.identity
        bright.brightness = 2

        #expect(Self.render(bright).max() == 255)
        #expect(ImageBatcherTests.close(Array(Self.render(bright).prefix(2)), [10, 30]))
    }

    @Test func randomResizedCropStaysInsideItsRanges() {
        var generator = SeededGenerator(seed: 7)
        let settings = AugmentationSettings(cropScale: [0.25, 0.5], cropRatio: [0.5, 2])

        for _ in 0..<500 {
            let t = ImageTransform.random(settings, height: 40, width: 60, using: &generator)
            let area = t.cropWidth * t.cropHeight / 2400
            let ratio = t.cropWidth / t.cropHeight
            #expect(t.cropX >= 0 && t.cropY >= 0 && t.cropX + t.cropWidth <= 60 && t.cropY + t.cropHeight <= 40)
            #expect(area > 0.23 && area < 0.53, "area fraction \(area)")
            #expect(ratio > 0.45 && ratio < 2.2, "ratio \(ratio)")
        }
    }

    @Test func fullScaleSquareCropOfASquareIsTheWholeImage() {
        var generator = SeededGenerator(seed: 3)
        let settings = AugmentationSettings(cropScale: [1, 1], cropRatio: [1, 1])

        let t = ImageTransform.random(settings, height: 28, width: 28, using: &generator)

        #expect(t == .identity(height: 28, width: 28))
    }

    @Test func sameSeedSameBatchOtherSeedOtherBatch() {
        let set = Self.square.subset([0, 0, 0, 0, 0, 0, 0, 0])
        var batcher = ImageBatcher(height: 6, width: 6)
        batcher.augmentation = AugmentationSettings(
            horizontalFlip: true,
            cropScale: [0.3, 1],
            rotationDegrees: 15,
            brightness: 0.3,
            contrast: 0.3
        )
        func batch(seed: UInt64) -> Tensor {
            var generator = SeededGenerator(seed: seed)
            var out = Tensor(shape: [0])
            batcher.fill(&out, from: set, rows: Array(0..<8)[...], generator: &generator)
            return out
        }

        #expect(batch(seed: 11) == batch(seed: 11))
        #expect(batch(seed: 11) != batch(seed: 12))
        // Each image of a batch gets its own transform.
        let one = batch(seed: 11)
        #expect(one.scalars[0..<108] != one.scalars[108..<216])
    }

    @Test func noAugmentationDrawsNothingAndMatchesEvaluation() {
        let batcher = ImageBatcher(height: 5, width: 5)
        var generator = SeededGenerator(seed: 5)
        let before = generator
        var train = Tensor(shape: [0])
        var evaluation = Tensor(shape: [0])

        batcher.fill(&train, from: Self.square, rows: [0], generator: &generator)
        batcher.fill(&evaluation, from: Self.square, rows: [0])

        #expect(train == evaluation)
        #expect(generator == before)
    }
}
