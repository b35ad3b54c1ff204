import Foundation

extension ImageSet {
    /// Writes the images as `images` (uint8 [N, H, W], or [N, H, W, 3] in colour) and the
    /// labels as `labels` (int64 [N]) of an uncompressed .npz, in order.
    package func writeNPZ(to url: URL) throws {
        let shape =
            self.channels == 1
            ? [self.count, self.height, self.width] : [self.count, self.height, self.width, self.channels]
        try NumPyArchive.write(
            [
                "images": NumPyArray(shape: shape, uint8: self.pixels),
                "labels": NumPyArray(shape: [self.count], int64: self.labels),
            ],
            to: url
        )
    }
}
