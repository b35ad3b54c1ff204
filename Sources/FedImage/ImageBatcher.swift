import FedTensor

/// Turns images of an `ImageSet` into a model's input batch [N, 3, height, width] (NCHW,
/// Float32): each image resized bilinearly, grey copied to three channels, scaled to [0, 1]
/// and normalised per channel. Training batches may also be augmented (`augmentation`),
/// each image with its own seeded transform; evaluation batches never are.
///
/// Resizing uses half-pixel centres: output pixel `o` samples the source at
/// `(o + 0.5) · in / out − 0.5`, clamped to the image, as PyTorch's `interpolate(…,
/// mode="bilinear", align_corners=False, antialias=False)` and TensorFlow's
/// `resize_bilinear(half_pixel_centers=True)`. A crop is resized the same way within its
/// own borders. Batches are written into the caller's tensor, which is only reallocated
/// when the batch's shape changes.
package struct ImageBatcher: Sendable, Equatable {
    /// Output height and width.
    package var height: Int
    package var width: Int
    package var normalization: ImageNormalization
    package var augmentation: AugmentationSettings

    package init(
        height: Int,
        width: Int,
        normalization: ImageNormalization = .imageNet,
        augmentation: AugmentationSettings = .none
    ) {
        precondition(height > 0 && width > 0, "an output image needs a positive size")
        precondition(normalization.problems.isEmpty, "\(normalization.problems)")
        self.height = height
        self.width = width
        self.normalization = normalization
        self.augmentation = augmentation
    }

    /// An evaluation batch: the images at `rows` of `set`, resized and normalised, into
    /// `batch` [rows.count, 3, height, width].
    package func fill(_ batch: inout Tensor, from set: ImageSet, rows: ArraySlice<Int>) {
        self.fill(&batch, from: set, rows: rows, seed: nil)
    }

    /// A training batch: as `fill(_:from:rows:)` with each image augmented by a transform
    /// drawn from `augmentation`. One word is drawn from `generator` per batch; image i's
    /// transform comes from a generator seeded by that word and i, so a batch is the same
    /// whatever the number of threads, and the same seed gives the same batch.
    package func fill(
        _ batch: inout Tensor,
        from set: ImageSet,
        rows: ArraySlice<Int>,
        generator: inout SeededGenerator
    ) {
        self.fill(&batch, from: set, rows: rows, seed: self.augmentation.isIdentity ? nil : generator.next())
    }

    /// Image `index` of `set` with an explicit `transform`, into slot `slot` of `batch`, which
    /// must already have the shape [N, 3, height, width] (for tests and report examples).
    package func fill(_ batch: inout Tensor, slot: Int, from set: ImageSet, index: Int, transform: ImageTransform) {
        precondition(batch.shape == [batch.shape[0], 3, self.height, self.width] && slot < batch.shape[0])
        let plane = self.height * self.width
        set.pixels.withUnsafeBufferPointer { pixels in
            batch.scalars.withUnsafeMutableBufferPointer { out in
                self.render(
                    source: pixels.baseAddress! + index * set.imageByteCount,
                    set: set,
                    transform: transform,
                    into: out.baseAddress! + slot * 3 * plane
                )
            }
        }
    }

    /// The labels of the images at `rows` into `labels`, reusing its storage.
    package static func fillLabels(_ labels: inout [Int], from set: ImageSet, rows: ArraySlice<Int>) {
        labels.removeAll(keepingCapacity: true)
        for row in rows { labels.append(set.labels[row]) }
    }

    private func fill(_ batch: inout Tensor, from set: ImageSet, rows: ArraySlice<Int>, seed: UInt64?) {
        let count = rows.count
        let shape = batch.shape
        if !(shape.count == 4 && shape[0] == count && shape[1] == 3 && shape[2] == self.height
            && shape[3] == self.width)
        {
            batch.resize(to: [count, 3, self.height, self.width])
        }
        let plane = self.height * self.width
        let first = rows.startIndex
        set.pixels.withUnsafeBufferPointer { pixels in
            batch.scalars.withUnsafeMutableBufferPointer { out in
                // Images are independent, so they are split across cores; a few per worker at least.
                Parallel.forEachChunk(count, minimum: 4) { range in
                    for slot in range {
                        let index = rows[first + slot]
                        var transform = ImageTransform.identity(height: set.height, width: set.width)
                        if let seed {
                            var generator = SeededGenerator(seed: seed &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15)
                            transform = .random(
                                self.augmentation,
                                height: set.height,
                                width: set.width,
                                using: &generator
                            )
                        }
                        self.render(
                            source: pixels.baseAddress! + index * set.imageByteCount,
                            set: set,
                            transform: transform,
                            into: out.baseAddress! + slot * 3 * plane
                        )
                    }
                }
            }
        }
    }
}
