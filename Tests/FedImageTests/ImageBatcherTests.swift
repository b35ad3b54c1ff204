import FedImage
import FedTensor
import Foundation
import Testing

struct ImageBatcherTests {
    static func greySet(_ rows: [[UInt8]], labels: [Int] = [0]) -> ImageSet {
        ImageSet(
            height: rows.count,
            width: rows[0].count,
            channels: 1,
            pixels: rows.flatMap { $0 },
            labels: labels,
            classNames: ["a", "b"]
        )
    }

    /// Channel 0 of image 0 of `batch` back on the 0–255 scale (unit normalisation).
    static func plane(_ batch: Tensor, channel: Int = 0, image: Int = 0) -> [Float] {
        let (h, w) = (batch.shape[2], batch.shape[3])
        let start = (image * 3 + channel) * h * w
        return batch.scalars[start..<(start + h * w)].map { $0 * 255 }
    }

    static func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-3) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func upsamplesWithHalfPixelCentresAsPyTorch() {
        let set = Self.greySet([[0, 100], [200, 255]])
        let batcher = ImageBatcher(height: 4, width: 4, normalization: .unit)
        var batch = Tensor(shape: [0])

        batcher.fill(&batch, from: set, rows: [0])

        // numpy implementation of torch.nn.functional.interpolate(mode="bilinear", align_corners=False).
        let expected: [Float] = [
            0, 25, 75, 100, 50, 72.1875, 116.5625, 138.75, 150, 166.5625, 199.6875, 216.25, 200, 213.75, 241.25, 255,
        ]
        #expect(batch.shape == [1, 3, 4, 4])
        #expect(Self.close(Self.plane(batch), expected))
    }

    @Test func downsamplesWithHalfPixelCentresAsPyTorch() {
        let rows = (0..<4).map { y in (0..<5).map { x in UInt8((y * 5 + x) * 13 % 256) } }
        let batcher = ImageBatcher(height: 3, width: 2, normalization: .unit)
        var batch = Tensor(shape: [0])

        batcher.fill(&batch, from: Self.greySet(rows), rows: [0])

        let expected: [Float] = [20.583333, 53.083333, 107.25, 139.75, 193.916667, 226.416667]
        #expect(Self.close(Self.plane(batch), expected))
    }

    @Test func sameSizeIsExactAndGreyFillsThreeChannels() {
        let set = Self.greySet([[0, 51, 255], [1, 2, 3]])
        let batcher = ImageBatcher(height: 2, width: 3, normalization: .imageNet)
        var batch = Tensor(shape: [0])

        batcher.fill(&batch, from: set, rows: [0])

        let imageNet = ImageNormalization.imageNet
        for channel in 0..<3 {
            let expected = set.pixels.map { (Float($0) / 255 - imageNet.mean[channel]) / imageNet.std[channel] }
            #expect(Self.close(Array(batch.scalars[(channel * 6)..<(channel * 6 + 6)]), expected, 1e-5))
        }
    }

    @Test func efficientNetLitePresetIsPixelMinus127Over128() {
        let set = Self.greySet([[0, 127, 255]])
        let batcher = ImageBatcher(height: 1, width: 3, normalization: .efficientNetLite)
        var batch = Tensor(shape: [0])

        batcher.fill(&batch, from: set, rows: [0])

        #expect(Self.close(Array(batch.scalars[0..<3]), [-127.0 / 128, 0, 1], 1e-6))
    }

    @Test func keepsRGBChannelsApartAndRowsInOrder() {
        let set = ImageSet(
            height: 1,
            width: 1,
            channels: 3,
            pixels: [10, 20, 30, 40, 50, 60],
            labels: [0, 1],
            classNames: ["a", "b"]
        )
        let batcher = ImageBatcher(height: 1, width: 1, normalization: .unit)
        var batch = Tensor(shape: [0])
        var labels: [Int] = []

        batcher.fill(&batch, from: set, rows: [1, 0])
        ImageBatcher.fillLabels(&labels, from: set, rows: [1, 0])

        #expect(Self.close(batch.scalars.map { $0 * 255 }, [40, 50, 60, 10, 20, 30]))
        #expect(labels == [1, 0])
    }

    @Test func reusesTheBatchStorageOnceSized() {
        let set = Self.greySet([[1, 2], [3, 4]], labels: [0]).subset([0, 0, 0, 0])
        let batcher = ImageBatcher(height: 8, width: 8)
        var batch = Tensor(shape: [0])
        batcher.fill(&batch, from: set, rows: [0, 1, 2])
        let first = batch.scalars.withUnsafeBufferPointer { $0.baseAddress }

        batcher.fill(&batch, from: set, rows: [3, 2, 1])
        let second = batch.scalars.withUnsafeBufferPointer { $0.baseAddress }

        #expect(first == second)
        #expect(batch.shape == [3, 3, 8, 8])
    }

    @Test func preprocessesAPneumoniaBatchQuickly() throws {
        guard SharedPneumonia.available else {
            print("skipped: \(SharedPneumonia.url.path) is absent")
            return
        }
        let train = try PneumoniaMNIST.load(contentsOf: SharedPneumonia.url).train
        let plain = ImageBatcher(height: 64, width: 64, normalization: .imageNet)
        var augmented = plain
        augmented.augmentation = AugmentationSettings(
            horizontalFlip: true,
            cropScale: [0.08, 1],
            rotationDegrees: 10,
            brightness: 0.2,
            contrast: 0.2
        )
        var batch = Tensor(shape: [0])
        var generator = SeededGenerator(seed: 1)
        let rows = Array(0..<32)[...]
        plain.fill(&batch, from: train, rows: rows)
        let clock = ContinuousClock()
        let repeats = 20

        let plainTime = clock.measure { for _ in 0..<repeats { plain.fill(&batch, from: train, rows: rows) } } / repeats
        let augmentedTime =
            clock.measure {
                for _ in 0..<repeats { augmented.fill(&batch, from: train, rows: rows, generator: &generator) }
            } / repeats

        print("batch of 32 PneumoniaMNIST images to [32, 3, 64, 64]: \(plainTime) plain, \(augmentedTime) augmented")
        #expect(batch.scalars.allSatisfy { $0.isFinite })
    }
}
