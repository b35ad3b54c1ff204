import Foundation
import Testing

@testable import FedFetch

/// The in-process gunzip used for sklearn's digits.csv.gz.
struct GzipTests {
    @Test func decompressesWhatGzipWrote() throws {
        try withTemporaryFolder { folder in
            let text = (0..<5000).map { "\($0),\($0 % 17),\($0 % 10)" }.joined(separator: "\n")
            let url = folder.appendingPathComponent("rows.csv")
            try Data(text.utf8).write(to: url)
            // -n leaves out the name, so also try a header with FNAME set (without -n).
            try run("/usr/bin/env", ["gzip", "-k", url.path])

            let data = try Gzip.decompress(try Data(contentsOf: url.appendingPathExtension("gz")), path: "rows.csv.gz")

            #expect(String(decoding: data, as: UTF8.self) == text)
        }
    }

    @Test func corruptTrailerIsRefused() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("x.txt")
            try Data("hello hello hello\n".utf8).write(to: url)
            try run("/usr/bin/env", ["gzip", "-kn", url.path])
            var data = try Data(contentsOf: url.appendingPathExtension("gz"))
            data[data.count - 8] ^= 0xff

            #expect(
                throws: FetchError.unexpectedContent(
                    path: "x.txt.gz",
                    detail: "not a valid gzip file: CRC-32 or length does not match the trailer"
                )
            ) {
                try Gzip.decompress(data, path: "x.txt.gz")
            }
            #expect(throws: FetchError.self) { try Gzip.decompress(Data("not gzip at all".utf8), path: "y") }
        }
    }

    @Test func truncatedStreamIsRefusedNotLoopedOn() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("big.txt")
            try Data((0..<20000).map { "line \($0)\n" }.joined().utf8).write(to: url)
            try run("/usr/bin/env", ["gzip", "-kn", url.path])
            let data = try Data(contentsOf: url.appendingPathExtension("gz"))
            let truncated = data.prefix(data.count / 2) + data.suffix(8)

            #expect(throws: FetchError.self) { try Gzip.decompress(Data(truncated), path: "big.txt.gz") }
        }
    }
}
