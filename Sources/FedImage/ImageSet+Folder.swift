import Foundation

extension ImageSet {
    /// File extensions of images fedtune cannot decode; such a file in a class folder is
    /// refused rather than skipped, so no image goes missing unnoticed.
    static let otherImageExtensions: Set<String> = ["jpg", "jpeg", "bmp", "gif", "tif", "tiff", "webp"]

    /// The images of an image folder (torchvision's ImageFolder convention): one subfolder per
    /// class, classes in sorted folder-name order, each holding PNG files read in sorted
    /// name order. Hidden entries and files that are not images are skipped; every image
    /// must have the size and channel count of the first (the error names both files).
    package static func load(imageFolder root: URL) throws -> ImageSet {
        let manager = FileManager.default
        func entries(_ folder: URL) throws -> [String] {
            do {
                return try manager.contentsOfDirectory(atPath: folder.path)
                    .filter { !$0.hasPrefix(".") }
                    .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            } catch {
                throw ImageError.unreadable(path: folder.path, reason: "not a readable folder")
            }
        }
        func isFolder(_ url: URL) -> Bool {
            var folder: ObjCBool = false
            return manager.fileExists(atPath: url.path, isDirectory: &folder) && folder.boolValue
        }
        let classNames = try entries(root).filter { isFolder(root.appendingPathComponent($0)) }
        guard !classNames.isEmpty else {
            throw ImageError.badImageFolder(path: root.path, reason: "it has no class subfolders")
        }
        var pixels: [UInt8] = []
        var labels: [Int] = []
        var first: (path: String, size: ImageSize)?
        for (label, name) in classNames.enumerated() {
            let folder = root.appendingPathComponent(name, isDirectory: true)
            var found = 0
            for file in try entries(folder) {
                let url = folder.appendingPathComponent(file)
                let suffix = url.pathExtension.lowercased()
                if Self.otherImageExtensions.contains(suffix) {
                    throw ImageError.unsupportedPNG(path: url.path, reason: "it is a .\(suffix) file, not a PNG")
                }
                guard suffix == "png", !isFolder(url) else { continue }
                let image = try PNGDecoder.decode(contentsOf: url)
                if let first {
                    guard image.size == first.size else {
                        throw ImageError.imageSizeMismatch(
                            path: url.path,
                            found: image.size,
                            expected: first.size,
                            firstPath: first.path
                        )
                    }
                } else {
                    first = (url.path, image.size)
                    pixels.reserveCapacity(image.pixels.count * 1024)
                }
                pixels += image.pixels
                labels.append(label)
                found += 1
            }
            guard found > 0 else {
                throw ImageError.badImageFolder(path: folder.path, reason: "class '\(name)' has no PNG files")
            }
        }
        let size = first!.size
        return ImageSet(
            height: size.height,
            width: size.width,
            channels: size.channels,
            pixels: pixels,
            labels: labels,
            classNames: classNames
        )
    }

    /// Writes the set as an image folder at `root` (one subfolder per class, files
    /// `00000.png`, …), the layout `load(imageFolder:)` reads.
    package func writeImageFolder(to root: URL) throws {
        for name in self.classNames {
            let folder = root.appendingPathComponent(name, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw ImageError.unwritable(path: folder.path, reason: error.localizedDescription)
            }
        }
        for index in 0..<self.count {
            let name = String(repeating: "0", count: max(0, 5 - String(index).count)) + String(index)
            let url = root.appendingPathComponent(self.classNames[self.labels[index]], isDirectory: true)
                .appendingPathComponent("\(name).png")
            try PNGEncoder.write(self.image(at: index), to: url)
        }
    }
}
