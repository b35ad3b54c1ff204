/// Why image data could not be read or used; every case names the file (and the array,
/// image or key inside it) and, where the fix is known, says what to do.
package enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The file or folder cannot be opened or read at all.
    case unreadable(path: String, reason: String)
    /// A file cannot be written.
    case unwritable(path: String, reason: String)
    /// A NumPy array (a .npy file, or the member `array` of a .npz) is malformed or of a kind
    /// fedtune does not read.
    case badArray(file: String, array: String, reason: String)
    /// An .npz lacks arrays the caller needs; `available` lists what it has.
    case missingArrays(file: String, missing: [String], available: [String])
    /// An array has another element type than the one needed.
    case wrongDType(file: String, array: String, found: String, expected: String)
    /// An array has another shape than the one needed; `expected` describes it, e.g. "[N, 28, 28]".
    case wrongShape(file: String, array: String, found: [Int], expected: String)
    /// The images and the labels do not count the same examples.
    case countMismatch(file: String, images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label is not the index of one of the classes.
    case labelOutOfRange(file: String, array: String, index: Int, label: Int, classCount: Int)
    /// A PNG file is damaged (bad signature, CRC, zlib stream or size).
    case corruptPNG(path: String, reason: String)
    /// A valid PNG of a kind fedtune does not decode (16-bit, interlaced, …).
    case unsupportedPNG(path: String, reason: String)
    /// An image of a set whose size or channel count differs from the others.
    case imageSizeMismatch(path: String, found: ImageSize, expected: ImageSize, firstPath: String)
    /// An image folder is not laid out as one subfolder of PNG files per class.
    case badImageFolder(path: String, reason: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .unwritable(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .badArray(let file, let array, let reason):
            return "\(file): array '\(array)': \(reason)"
        case .missingArrays(let file, let missing, let available):
            let has = available.isEmpty ? "no arrays" : available.sorted().joined(separator: ", ")
            return "\(file): has no array \(missing.map { "'\($0)'" }.joined(separator: ", ")); it holds \(has)"
        case .wrongDType(let file, let array, let found, let expected):
            return "\(file): array '\(array)' holds \(found), expected \(expected)"
        case .wrongShape(let file, let array, let found, let expected):
            return "\(file): array '\(array)' has shape \(found), expected \(expected)"
        case .countMismatch(let file, let images, let imageCount, let labels, let labelCount):
            return "\(file): '\(images)' holds \(imageCount) images but '\(labels)' holds \(labelCount) labels; "
                + "they must count the same examples"
        case .labelOutOfRange(let file, let array, let index, let label, let classCount):
            return "\(file): array '\(array)' has label \(label) at index \(index), but there are "
                + "\(classCount) classes (labels 0...\(classCount - 1))"
        case .corruptPNG(let path, let reason):
            return "\(path): not a valid PNG file: \(reason)"
        case .unsupportedPNG(let path, let reason):
            return "\(path): \(reason); fedtune reads non-interlaced 8-bit grey, grey+alpha, RGB, RGBA and "
                + "palette PNGs, so convert the image to one of these"
        case .imageSizeMismatch(let path, let found, let expected, let firstPath):
            return "\(path): image is \(found), but the others are \(expected) (as \(firstPath)); "
                + "resize or convert it so every image has one size and channel count"
        case .badImageFolder(let path, let reason):
            return "\(path): \(reason); an image folder holds one subfolder of PNG files per class"
        }
    }
}

/// The size of one image: height, width and channels, written `28×28 (height×width), 1 channel`.
package struct ImageSize: Sendable, Equatable, CustomStringConvertible {
    package var height: Int
    package var width: Int
    package var channels: Int

    package init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    package var description: String {
        "\(self.height)×\(self.width) (height×width), \(self.channels) channel\(self.channels == 1 ? "" : "s")"
    }
}
