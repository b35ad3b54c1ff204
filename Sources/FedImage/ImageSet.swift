/// Labelled images of one size: 8-bit pixels [count, height, width, channels] (channels 1
/// for grey, 3 for RGB, interleaved), one class index per image, and the class names.
/// Loaded from an .npz (`init(arrays:…)`, `load(npz:…)`) or an image folder
/// (`load(imageFolder:)`); turned into model inputs by `ImageBatcher`.
package struct ImageSet: Sendable, Equatable {
    package let height: Int
    package let width: Int
    /// 1 (grey) or 3 (RGB).
    package let channels: Int
    /// [count, height, width, channels], row-major.
    package let pixels: [UInt8]
    /// Class index of each image, in 0..<classNames.count.
    package let labels: [Int]
    package let classNames: [String]

    /// A set over existing pixels; the pixel count must fill `labels.count` images and
    /// every label must name a class (checked: a caller's mistake, not bad input).
    package init(height: Int, width: Int, channels: Int, pixels: [UInt8], labels: [Int], classNames: [String]) {
        precondition(channels == 1 || channels == 3, "an ImageSet holds grey or RGB images, not \(channels) channels")
        precondition(pixels.count == labels.count * height * width * channels, "pixels do not fill the images")
        precondition(labels.allSatisfy { (0..<classNames.count).contains($0) }, "a label names no class")
        self.height = height
        self.width = width
        self.channels = channels
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
    }

    /// Number of images.
    package var count: Int { self.labels.count }

    /// Height, width and channels of every image.
    package var size: ImageSize { ImageSize(height: self.height, width: self.width, channels: self.channels) }

    /// Bytes per image.
    package var imageByteCount: Int { self.height * self.width * self.channels }

    /// How many images each class has, by class index.
    package var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: self.classNames.count)
        for label in self.labels { counts[label] += 1 }
        return counts
    }

    /// Image `index` on its own (for writing examples into a report).
    package func image(at index: Int) -> DecodedImage {
        let start = index * self.imageByteCount
        return DecodedImage(
            width: self.width,
            height: self.height,
            channels: self.channels,
            pixels: Array(self.pixels[start..<(start + self.imageByteCount)])
        )
    }

    /// The images at `indices`, in that order (a site's share, a split).
    package func subset(_ indices: some Collection<Int>) -> ImageSet {
        var pixels = [UInt8]()
        pixels.reserveCapacity(indices.count * self.imageByteCount)
        for index in indices {
            let start = index * self.imageByteCount
            pixels += self.pixels[start..<(start + self.imageByteCount)]
        }
        return ImageSet(
            height: self.height,
            width: self.width,
            channels: self.channels,
            pixels: pixels,
            labels: indices.map { self.labels[$0] },
            classNames: self.classNames
        )
    }

    /// The same images with their pixels replaced (e.g. a simulated scanner's shift); the
    /// new pixels must have the same count.
    package func replacingPixels(_ pixels: [UInt8]) -> ImageSet {
        ImageSet(
            height: self.height,
            width: self.width,
            channels: self.channels,
            pixels: pixels,
            labels: self.labels,
            classNames: self.classNames
        )
    }
}
