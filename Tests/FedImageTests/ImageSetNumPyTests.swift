import FedImage
import Foundation
import Testing

struct ImageSetNumPyTests {
    static let images = NumPyArray(shape: [3, 2, 2], uint8: (0..<12).map { UInt8($0 * 10) })
    static let labels = NumPyArray(shape: [3, 1], int64: [0, 1, 1])

    @Test func takesGreyImagesAndColumnLabels() throws {
        let set = try ImageSet(
            arrays: ["x": Self.images, "y": Self.labels],
            images: "x",
            labels: "y",
            classNames: ["a", "b"],
            file: "f.npz"
        )

        #expect(set.count == 3 && set.height == 2 && set.width == 2 && set.channels == 1)
        #expect(set.labels == [0, 1, 1])
        #expect(set.classCounts == [1, 2])
        #expect(set.image(at: 1).pixels == [40, 50, 60, 70])
        #expect(set.subset([2, 0]).labels == [1, 0])
        #expect(set.subset([2, 0]).pixels == [80, 90, 100, 110, 0, 10, 20, 30])
    }

    @Test func loadsTheFixtureNpz() throws {
        let set = try ImageSet.load(
            npz: Fixtures.url("compressed.npz"),
            images: "images",
            labels: "labels",
            classNames: ["no", "yes"]
        )

        #expect(set.pixels == (0..<12).map { UInt8($0 * 10) })
        #expect(set.labels == [0, 1, 1])
    }

    @Test func namesEveryMissingArrayAndWhatTheFileHas() throws {
        let url = Fixtures.url("stored.npz")

        let error = #expect(throws: ImageError.self) {
            try ImageSet.load(npz: url, images: "train_images", labels: "train_labels", classNames: ["a", "b"])
        }

        #expect(
            error?.description
                == "\(url.path): has no array 'train_images', 'train_labels'; it holds images, labels"
        )
    }

    @Test func refusesALabelOutsideTheClasses() throws {
        let labels = NumPyArray(shape: [3], int64: [0, 2, 1])

        let error = #expect(throws: ImageError.self) {
            try ImageSet(
                arrays: ["x": Self.images, "y": labels],
                images: "x",
                labels: "y",
                classNames: ["a", "b"],
                file: "f"
            )
        }

        #expect(error == .labelOutOfRange(file: "f", array: "y", index: 1, label: 2, classCount: 2))
        #expect(error?.description == "f: array 'y' has label 2 at index 1, but there are 2 classes (labels 0...1)")
    }

    @Test func refusesMismatchedCountsWrongDTypeAndShape() throws {
        let short = NumPyArray(shape: [2], int64: [0, 1])
        let floats = NumPyArray(shape: [3, 2, 2], float32: [Float](repeating: 0, count: 12))
        let fourChannels = NumPyArray(shape: [1, 2, 2, 4], uint8: [UInt8](repeating: 0, count: 16))
        func load(_ x: NumPyArray, _ y: NumPyArray) throws -> ImageSet {
            try ImageSet(arrays: ["x": x, "y": y], images: "x", labels: "y", classNames: ["a", "b"], file: "f")
        }

        let counts = #expect(throws: ImageError.self) { try load(Self.images, short) }
        let dtype = #expect(throws: ImageError.self) { try load(floats, Self.labels) }
        let shape = #expect(throws: ImageError.self) { try load(fourChannels, short) }

        #expect(counts == .countMismatch(file: "f", images: "x", imageCount: 3, labels: "y", labelCount: 2))
        #expect(dtype?.description == "f: array 'x' holds float32, expected uint8")
        #expect(
            shape?.description.contains("[1, 2, 2, 4], expected [N, height, width] or [N, height, width, 1 or 3]")
                == true
        )
    }

    @Test func takesRGBImages() throws {
        let rgb = NumPyArray(shape: [1, 1, 2, 3], uint8: [1, 2, 3, 4, 5, 6])

        let set = try ImageSet(
            arrays: ["x": rgb, "y": NumPyArray(shape: [1], int64: [0])],
            images: "x",
            labels: "y",
            classNames: ["only"],
            file: "f"
        )

        #expect(set.channels == 3 && set.width == 2 && set.height == 1)
    }
}
