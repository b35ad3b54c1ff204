import Foundation

/// PneumoniaMNIST's .npz layout (MedMNIST v2): for each split `train`, `val`, `test`, the
/// arrays `<split>_images` uint8 [N, 28, 28] and `<split>_labels` uint8 [N, 1] with labels
/// 0 (normal) and 1 (pneumonia).
package enum PneumoniaMNIST {
    package static let classNames = ["normal", "pneumonia"]
    package static let splits = ["train", "val", "test"]
    package static let side = 28

    /// The six array names the file must hold.
    package static var arrayNames: [String] { self.splits.flatMap { ["\($0)_images", "\($0)_labels"] } }

    /// Checks `arrays` (read from `file`) against the layout: every array present, uint8,
    /// shapes [N, 28, 28] and [N, 1] with equal N, labels 0 or 1. Returns N per split.
    @discardableResult
    package static func check(_ arrays: [String: NumPyArray], file: String) throws -> [String: Int] {
        let missing = self.arrayNames.filter { arrays[$0] == nil }
        guard missing.isEmpty else {
            throw ImageError.missingArrays(file: file, missing: missing, available: Array(arrays.keys))
        }
        var counts: [String: Int] = [:]
        for split in self.splits {
            let (imageName, labelName) = ("\(split)_images", "\(split)_labels")
            let (images, labels) = (arrays[imageName]!, arrays[labelName]!)
            for (name, array) in [(imageName, images), (labelName, labels)] where array.dtype != .uint8 {
                throw ImageError.wrongDType(file: file, array: name, found: array.dtype.rawValue, expected: "uint8")
            }
            guard images.shape.count == 3, images.shape[1] == self.side, images.shape[2] == self.side else {
                throw ImageError.wrongShape(file: file, array: imageName, found: images.shape, expected: "[N, 28, 28]")
            }
            guard labels.shape.count == 2, labels.shape[1] == 1 else {
                throw ImageError.wrongShape(file: file, array: labelName, found: labels.shape, expected: "[N, 1]")
            }
            guard images.shape[0] == labels.shape[0] else {
                throw ImageError.countMismatch(
                    file: file,
                    images: imageName,
                    imageCount: images.shape[0],
                    labels: labelName,
                    labelCount: labels.shape[0]
                )
            }
            if let bad = labels.bytes.firstIndex(where: { $0 > 1 }) {
                throw ImageError.labelOutOfRange(
                    file: file,
                    array: labelName,
                    index: bad,
                    label: Int(labels.bytes[bad]),
                    classCount: self.classNames.count
                )
            }
            counts[split] = images.shape[0]
        }
        return counts
    }

    /// The three splits of the PneumoniaMNIST file at `url`, checked against the layout.
    package static func load(contentsOf url: URL) throws -> (train: ImageSet, val: ImageSet, test: ImageSet) {
        let arrays = try NumPyArchive.read(contentsOf: url)
        try self.check(arrays, file: url.path)
        func split(_ name: String) throws -> ImageSet {
            try ImageSet(
                arrays: arrays,
                images: "\(name)_images",
                labels: "\(name)_labels",
                classNames: self.classNames,
                file: url.path
            )
        }
        return (try split("train"), try split("val"), try split("test"))
    }
}
