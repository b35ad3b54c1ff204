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
}
