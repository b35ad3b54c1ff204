import FedImage
import FedTestSupport
import Foundation
import Testing

struct ImageFolderTests {
    static func grey(_ value: UInt8, width: Int = 3, height: Int = 2) -> DecodedImage {
        DecodedImage(
            width: width,
            height: height,
            channels: 1,
            pixels: [UInt8](repeating: value, count: width * height)
        )
    }

    @Test func readsClassesAndFilesInSortedOrder() throws {
        let folder = try TemporaryFolder("imagefolder")
        defer { folder.remove() }
        let root = folder.url
        for (path, value) in [("zebra/b.png", 4), ("zebra/a.png", 3), ("ant/2.png", 2), ("ant/10.png", 1)] {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try PNGEncoder.write(Self.grey(UInt8(value)), to: url)
        }
        try Data("notes".utf8).write(to: root.appendingPathComponent("ant/README.txt"))
        try Data().write(to: root.appendingPathComponent("zebra/.hidden.png"))

        let set = try ImageSet.load(imageFolder: root)

        #expect(set.classNames == ["ant", "zebra"])
        #expect(set.labels == [0, 0, 1, 1])
        // "10.png" sorts before "2.png", as Python's sorted() puts them.
        #expect(set.pixels.enumerated().filter { $0.offset % 6 == 0 }.map(\.element) == [1, 2, 3, 4])
        #expect(set.size == ImageSize(height: 2, width: 3, channels: 1))
    }

    @Test func roundTripsThroughWriteImageFolder() throws {
        let folder = try TemporaryFolder("imagefolder")
        defer { folder.remove() }
        let set = ImageSet(
            height: 1,
            width: 2,
            channels: 3,
            pixels: Array(0..<18),
            labels: [1, 0, 1],
            classNames: ["cat", "dog"]
        )

        try set.writeImageFolder(to: folder.url)
        let back = try ImageSet.load(imageFolder: folder.url)

        #expect(back.classNames == ["cat", "dog"])
        #expect(back.labels == [0, 1, 1])
        #expect(back.pixels == Array(6..<12) + Array(0..<6) + Array(12..<18))
    }

    @Test func namesTheImageOfAnotherSizeAndBothSizes() throws {
        let folder = try TemporaryFolder("imagefolder")
        defer { folder.remove() }
        let a = folder.url.appendingPathComponent("a")
        try FileManager.default.createDirectory(at: a, withIntermediateDirectories: true)
        try PNGEncoder.write(Self.grey(1), to: a.appendingPathComponent("1.png"))
        try PNGEncoder.write(Self.grey(1, width: 4), to: a.appendingPathComponent("2.png"))

        let error = #expect(throws: ImageError.self) { try ImageSet.load(imageFolder: folder.url) }

        let second = a.appendingPathComponent("2.png").path
        #expect(
            error?.description == "\(second): image is 2×4 (height×width), 1 channel, but the others are "
                + "2×3 (height×width), 1 channel (as \(a.appendingPathComponent("1.png").path)); resize or convert "
                + "it so every image has one size and channel count"
        )
    }

    @Test func namesTheImageWithAnotherChannelCount() throws {
        let folder = try TemporaryFolder("imagefolder")
        defer { folder.remove() }
        let a = folder.url.appendingPathComponent("a")
        try FileManager.default.createDirectory(at: a, withIntermediateDirectories: true)
        try PNGEncoder.write(Self.grey(1), to: a.appendingPathComponent("1.png"))
        let rgb = DecodedImage(width: 3, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 18))
        try PNGEncoder.write(rgb, to: a.appendingPathComponent("2.png"))

        let error = #expect(throws: ImageError.self) { try ImageSet.load(imageFolder: folder.url) }

        guard case .imageSizeMismatch(let path, let found, let expected, _)? = error else {
            Issue.record("expected a size mismatch, got \(String(describing: error))")
            return
        }
        #expect(path.hasSuffix("a/2.png") && found.channels == 3 && expected.channels == 1)
    }

    @Test func refusesJPEGsEmptyClassesAndBadPNGsByPath() throws {
        let folder = try TemporaryFolder("imagefolder")
        defer { folder.remove() }
        let root = folder.url
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(name),
                withIntermediateDirectories: true
            )
        }
        try PNGEncoder.write(Self.grey(1), to: root.appendingPathComponent("a/1.png"))

        let empty = #expect(throws: ImageError.self) { try ImageSet.load(imageFolder: root) }
        try Data([0xFF, 0xD8]).write(to: root.appendingPathComponent("b/photo.JPG"))
        let jpeg = #expect(throws: ImageError.self) { try ImageSet.load(imageFolder: root) }
        try FileManager.default.removeItem(at: root.appendingPathComponent("b/photo.JPG"))
        try Data("not a png".utf8).write(to: root.appendingPathComponent("b/broken.png"))
        let broken = #expect(throws: ImageError.self) { try ImageSet.load(imageFolder: root) }

        #expect(
            empty == .badImageFolder(path: root.appendingPathComponent("b").path, reason: "class 'b' has no PNG files")
        )
        #expect(jpeg?.description.contains("b/photo.JPG: it is a .jpg file, not a PNG") == true)
        #expect(
            broken
                == .corruptPNG(
                    path: root.appendingPathComponent("b/broken.png").path,
                    reason: "it does not start with the PNG signature"
                )
        )
    }
}
