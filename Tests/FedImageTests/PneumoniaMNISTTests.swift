import FedImage
import Foundation
import Testing

struct PneumoniaMNISTTests {
    @Test func loadsTheSharedCopyWithItsDocumentedCountsUnderASecond() throws {
        guard SharedPneumonia.available else {
            print("skipped: \(SharedPneumonia.url.path) is absent (the repository's copy of PneumoniaMNIST)")
            return
        }
        let clock = ContinuousClock()

        let start = clock.now
        let (train, val, test) = try PneumoniaMNIST.load(contentsOf: SharedPneumonia.url)
        let elapsed = clock.now - start

        // The counts ../shared/datasets/README.md gives for this copy.
        #expect(train.count == 3882 && train.classCounts == [388, 3494])
        #expect(val.count == 524 && val.classCounts == [135, 389])
        #expect(test.count == 624 && test.classCounts == [234, 390])
        #expect(train.size == ImageSize(height: 28, width: 28, channels: 1))
        #expect(train.classNames == ["normal", "pneumonia"])
        print("loaded 3,882 + 524 + 624 PneumoniaMNIST images in \(elapsed)")
        #expect(elapsed < .seconds(1))
    }

    @Test func refusesLabelTwoWrongDTypeAndMissingSplit() throws {
        var arrays: [String: NumPyArray] = [:]
        for split in PneumoniaMNIST.splits {
            arrays["\(split)_images"] = NumPyArray(shape: [2, 28, 28], uint8: [UInt8](repeating: 7, count: 2 * 784))
            arrays["\(split)_labels"] = NumPyArray(shape: [2, 1], uint8: [0, 1])
        }
        var labelTwo = arrays
        labelTwo["val_labels"] = NumPyArray(shape: [2, 1], uint8: [1, 2])
        var wide = arrays
        wide["test_labels"] = NumPyArray(shape: [2, 1], int64: [0, 1])
        var missing = arrays
        missing["test_images"] = nil

        #expect(try PneumoniaMNIST.check(arrays, file: "p.npz") == ["train": 2, "val": 2, "test": 2])
        #expect(
            throws: ImageError.labelOutOfRange(file: "p.npz", array: "val_labels", index: 1, label: 2, classCount: 2)
        ) {
            try PneumoniaMNIST.check(labelTwo, file: "p.npz")
        }
        #expect(throws: ImageError.wrongDType(file: "p.npz", array: "test_labels", found: "int64", expected: "uint8")) {
            try PneumoniaMNIST.check(wide, file: "p.npz")
        }
        let error = #expect(throws: ImageError.self) { try PneumoniaMNIST.check(missing, file: "p.npz") }
        #expect(
            error?.description.hasPrefix("p.npz: has no array 'test_images'; it holds test_labels, train_images")
                == true
        )
    }
}
