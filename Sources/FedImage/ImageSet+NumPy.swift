import Foundation

extension ImageSet {
    /// The images in the uint8 array `images` ([N, H, W] grey, or [N, H, W, 1 or 3]) with the
    /// integer labels in `labels` ([N] or [N, 1]), taken from `arrays` as read from `file`.
    /// Missing arrays (all of them named, with what the file has), a wrong element type or
    /// shape, different counts and labels outside `classNames` are refused.
    package init(
        arrays: [String: NumPyArray],
        images: String,
        labels: String,
        classNames: [String],
        file: String
    ) throws {
        let missing = [images, labels].filter { arrays[$0] == nil }
        guard missing.isEmpty, let imageArray = arrays[images], let labelArray = arrays[labels] else {
            throw ImageError.missingArrays(file: file, missing: missing, available: Array(arrays.keys))
        }
        guard imageArray.dtype == .uint8 else {
            throw ImageError.wrongDType(file: file, array: images, found: imageArray.dtype.rawValue, expected: "uint8")
        }
        let shape = imageArray.shape
        guard shape.count == 3 || (shape.count == 4 && (shape[3] == 1 || shape[3] == 3)), shape[1] > 0, shape[2] > 0
        else {
            throw ImageError.wrongShape(
                file: file,
                array: images,
                found: shape,
                expected: "[N, height, width] or [N, height, width, 1 or 3]"
            )
        }
        guard labelArray.shape.count == 1 || (labelArray.shape.count == 2 && labelArray.shape[1] == 1) else {
            throw ImageError.wrongShape(file: file, array: labels, found: labelArray.shape, expected: "[N] or [N, 1]")
        }
        guard labelArray.shape[0] == shape[0] else {
            throw ImageError.countMismatch(
                file: file,
                images: images,
                imageCount: shape[0],
                labels: labels,
                labelCount: labelArray.shape[0]
            )
        }
        let values = try labelArray.integers(file: file, name: labels)
        if let bad = values.firstIndex(where: { !(0..<classNames.count).contains($0) }) {
            throw ImageError.labelOutOfRange(
                file: file,
                array: labels,
                index: bad,
                label: values[bad],
                classCount: classNames.count
            )
        }
        self.init(
            height: shape[1],
            width: shape[2],
            channels: shape.count == 4 ? shape[3] : 1,
            pixels: imageArray.bytes,
            labels: values,
            classNames: classNames
        )
    }

    /// The images and labels of the .npz at `url` (see `init(arrays:images:labels:classNames:file:)`).
    package static func load(npz url: URL, images: String, labels: String, classNames: [String]) throws -> ImageSet {
        let arrays = try NumPyArchive.read(contentsOf: url, only: [images, labels])
        guard arrays.count == 2 else {
            // Read the names of everything the file has, so the error lists them.
            let all = try NumPyArchive.read(contentsOf: url)
            return try ImageSet(arrays: all, images: images, labels: labels, classNames: classNames, file: url.path)
        }
        return try ImageSet(arrays: arrays, images: images, labels: labels, classNames: classNames, file: url.path)
    }
}
