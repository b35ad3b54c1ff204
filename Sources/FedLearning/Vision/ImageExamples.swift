import FedImage
import FedTensor

/// Labelled images (raw 8-bit pixels, any size; the classifier resizes them). A class, so a
/// classifier whose lower layers are frozen can keep what those layers compute for these
/// images beside them and compute it once, not once per epoch and round.
package final class ImageExamples: LabeledExamples {
    package let images: ImageSet
    /// The output of one backbone layer (or the pooled features) for every image, computed
    /// by the frozen weights identified by `key`.
    var cached: (key: UInt64, layer: Int, features: Tensor)?

    package init(_ images: ImageSet) {
        self.images = images
    }

    package var count: Int { self.images.count }
    package var labels: [Int] { self.images.labels }
    package var classNames: [String] { self.images.classNames }

    /// The examples at `indices`, in that order (without cached features).
    package func subset(_ indices: [Int]) -> ImageExamples {
        ImageExamples(self.images.subset(indices))
    }

    /// The examples of `parts` one after another; frozen features cached on every part with
    /// the same weights are joined too, so pooling sites' examples computes nothing again.
    package static func concatenating(_ parts: [ImageExamples]) -> ImageExamples {
        guard let first = parts.first?.images else { preconditionFailure("nothing to concatenate") }
        let joined = ImageExamples(
            ImageSet(
                height: first.height,
                width: first.width,
                channels: first.channels,
                pixels: parts.flatMap(\.images.pixels),
                labels: parts.flatMap(\.images.labels),
                classNames: first.classNames
            )
        )
        if let cached = parts.first?.cached,
            parts.allSatisfy({ $0.cached?.key == cached.key && $0.cached?.layer == cached.layer })
        {
            let features = parts.flatMap { $0.cached!.features.scalars }
            joined.cached = (
                cached.key, cached.layer,
                Tensor(shape: [joined.count] + cached.features.shape.dropFirst(), scalars: features)
            )
        }
        return joined
    }
}
