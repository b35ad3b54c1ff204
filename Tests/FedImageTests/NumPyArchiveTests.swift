import FedImage
import FedTestSupport
import Foundation
import Testing

/// The fixtures scripts/fixtures/make_npy_fixtures.py and make_png_fixtures.py wrote.
enum Fixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func url(_ name: String) -> URL { self.folder.appendingPathComponent(name) }
}

/// The repository's copy of PneumoniaMNIST (../shared/datasets from the repository root), or
/// nil with a note when the machine does not have it.
enum SharedPneumonia {
    static let url = Repository.root.appendingPathComponent("../shared/datasets/pneumoniamnist.npz").standardizedFileURL

    static var available: Bool { FileManager.default.fileExists(atPath: self.url.path) }
}

struct NumPyArchiveTests {
    @Test func readsVersion1UInt8() throws {
        let array = try NumPyArray.read(contentsOf: Fixtures.url("v1_uint8.npy"))

        #expect(array.shape == [2, 3, 4])
        #expect(array.dtype == .uint8)
        #expect(array.bytes == (0..<24).map { UInt8($0) })
    }

    @Test func readsVersion2Float32AndVersion3Int64() throws {
        let floats = try NumPyArray.read(contentsOf: Fixtures.url("v2_float32.npy"))
        let integers = try NumPyArray.read(contentsOf: Fixtures.url("v3_int64.npy"))

        #expect(floats.shape == [2, 3] && floats.dtype == .float32)
        #expect(floats.floats() == (0..<6).map { Float($0) / 4 - 1 })
        #expect(integers.shape == [4] && integers.dtype == .int64)
        #expect(try integers.integers(file: "f", name: "a") == [-3, 0, 5, 1 << 40])
    }

    @Test func swapsBigEndianElements() throws {
        let array = try NumPyArray.read(contentsOf: Fixtures.url("big_endian_f8.npy"))

        #expect(array.dtype == .float64)
        #expect(array.floats() == [1.5, -2.25])
    }

    @Test func refusesFortranOrderNamingTheArray() throws {
        let url = Fixtures.url("fortran.npy")

        let error = #expect(throws: ImageError.self) { try NumPyArray.read(contentsOf: url) }

        #expect(error?.description.contains(url.path) == true)
        #expect(error?.description.contains("'fortran'") == true)
        #expect(error?.description.contains("Fortran (column-major) order") == true)
    }

    @Test(arguments: ["stored.npz", "compressed.npz"])
    func readsNpzStoredOrDeflated(name: String) throws {
        let arrays = try NumPyArchive.read(contentsOf: Fixtures.url(name))

        #expect(arrays.keys.sorted() == ["images", "labels"])
        #expect(arrays["images"]?.shape == [3, 2, 2])
        #expect(arrays["images"]?.bytes == (0..<12).map { UInt8($0 * 10) })
        #expect(arrays["labels"]?.dtype == .int64)
        #expect(try arrays["labels"]?.integers(file: name, name: "labels") == [0, 1, 1])
    }

    @Test func writtenNpzReadsBack() throws {
        let folder = try TemporaryFolder("npz")
        defer { folder.remove() }
        let url = folder.url.appendingPathComponent("out.npz")
        let arrays = [
            "x": NumPyArray(shape: [2, 2], float32: [1, -2, 3.5, 0]),
            "y": NumPyArray(shape: [2], int64: [7, -1]),
            "z": NumPyArray(shape: [1, 3], uint8: [0, 128, 255]),
        ]

        try NumPyArchive.write(arrays, to: url, compressed: true)
        let back = try NumPyArchive.read(contentsOf: url)

        #expect(back == arrays)
    }

    @Test func refusesTruncatedArrayWithSizes() throws {
        var data = NumPyArray(shape: [4, 4], float32: [Float](repeating: 1, count: 16)).npyData
        data.removeLast(5)

        let error = #expect(throws: ImageError.self) { try NumPyArray(npy: data, file: "cut.npy", name: "w") }

        #expect(
            error?.description == "cut.npy: array 'w': shape [4, 4] of float32 needs 64 bytes but 59 follow the "
                + "header; the file is truncated or damaged"
        )
    }

    @Test func refusesUnsupportedDTypeAndGarbage() throws {
        let header = "{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }\n"
        var text = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0])
        text.append(contentsOf: Array(header.utf8))

        let unicode = #expect(throws: ImageError.self) { try NumPyArray(npy: text, file: "s.npy", name: "s") }
        let garbage = #expect(throws: ImageError.self) {
            try NumPyArray(npy: Data("hello world".utf8), file: "g.npy", name: "g")
        }

        #expect(unicode?.description.contains("element type '<U5' is not supported") == true)
        #expect(garbage?.description.contains("does not start with \\x93NUMPY") == true)
    }

    @Test func refusesAFileThatIsNotAZip() throws {
        let error = #expect(throws: ImageError.self) {
            try NumPyArchive.read(contentsOf: Fixtures.url("v1_uint8.npy"))
        }

        #expect(error?.description.contains("not a NumPy .npz (zip) archive") == true)
    }

    @Test func readsTheSharedPneumoniaMNISTQuickly() throws {
        guard SharedPneumonia.available else {
            print("skipped: \(SharedPneumonia.url.path) is absent")
            return
        }
        let clock = ContinuousClock()

        let start = clock.now
        let arrays = try NumPyArchive.read(contentsOf: SharedPneumonia.url)
        let elapsed = clock.now - start

        #expect(arrays["train_images"]?.shape == [3882, 28, 28])
        #expect(arrays["train_labels"]?.shape == [3882, 1])
        #expect(arrays["val_images"]?.shape == [524, 28, 28])
        #expect(arrays["test_images"]?.shape == [624, 28, 28])
        print("read \(SharedPneumonia.url.lastPathComponent) (6 arrays, 3.5 MB) in \(elapsed)")
        #expect(elapsed < .seconds(2))
    }
}
