import FedImage
import Foundation

/// Labelled images for a model whose classes are known: a folder of PNG files in one
/// subfolder per class (named as the model's classes; a site may lack some), or a NumPy
/// .npz holding uint8 images and integer labels that index the model's classes — arrays
/// `images` and `labels`, or `<split>_images` and `<split>_labels` (PneumoniaMNIST's
/// `train_`, `val_`, `test_`).
package enum LabeledImages {
    /// With `classNames` nil an image folder keeps its own classes and an .npz's labels are
    /// not checked against any (for counting a site's images before the model arrives).
    package static func read(_ url: URL, classNames: [String]?, split: String? = nil) throws -> ImageSet {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw ImageError.unreadable(path: url.path, reason: "no such file or folder")
        }
        if isFolder.boolValue {
            let found = try ImageSet.load(imageFolder: url)
            guard let classNames else { return found }
            var mapping: [Int] = []
            for name in found.classNames {
                guard let index = classNames.firstIndex(of: name) else {
                    throw ImageError.badImageFolder(
                        path: url.appendingPathComponent(name).path,
                        reason:
                            "class '\(name)' is not one of the model's classes (\(classNames.joined(separator: ", "))); rename or remove that subfolder"
                    )
                }
                mapping.append(index)
            }
            return ImageSet(
                height: found.height,
                width: found.width,
                channels: found.channels,
                pixels: found.pixels,
                labels: found.labels.map { mapping[$0] },
                classNames: classNames
            )
        }
        let plain = split == nil ? try NumPyArchive.read(contentsOf: url, only: ["images"]) : [:]
        let prefix = split.map { "\($0)_" } ?? (plain["images"] != nil ? "" : "test_")
        return try ImageSet.load(
            npz: url,
            images: prefix + "images",
            labels: prefix + "labels",
            classNames: classNames ?? (0..<256).map(String.init)
        )
    }
}
