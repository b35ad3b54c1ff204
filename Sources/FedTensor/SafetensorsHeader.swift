import Foundation

/// The parsed and checked header of a safetensors file: one entry per tensor, in file
/// order, plus the free-form `__metadata__` strings.
///
/// Parsing checks everything the format promises before any tensor is touched: the
/// header fits in the file, every entry has a dtype, shape and offsets, offsets lie
/// inside the data section without overlapping or leaving gaps, and each span's size
/// agrees with its dtype and shape.
package struct SafetensorsHeader: Sendable, Equatable {
    /// One tensor's description in the header.
    package struct Entry: Sendable, Equatable {
        package var name: String
        /// The dtype name as written in the file (also those fedtune does not compute in).
        package var dtypeName: String
        package var shape: [Int]
        /// Byte range inside the data section.
        package var begin: Int
        package var end: Int

        package var byteCount: Int { self.end - self.begin }
        package var dtype: SafetensorsDType? { SafetensorsDType(rawValue: self.dtypeName) }
    }

    /// Entries sorted by their position in the data section.
    package var entries: [Entry]
    package var metadata: [String: String]
    /// Offset of the data section from the start of the file (8 + header length).
    package var dataStart: Int

    /// The largest header accepted; real headers are kilobytes, this guards a hostile length.
    package static let maximumHeaderBytes = 100 * 1024 * 1024

    /// Parses the header at the start of `bytes`, the whole file or at least its header.
    /// - Parameters:
    ///   - fileSize: the size of the whole file, to check data offsets against.
    ///   - path: names the file in errors.
    package static func parse(_ bytes: Data, fileSize: Int, path: String) throws -> SafetensorsHeader {
        guard bytes.count >= 8 else {
            throw SafetensorsError.truncated(
                path: path,
                detail: "\(bytes.count) bytes, fewer than the 8-byte header length"
            )
        }
        let length = bytes.withUnsafeBytes { raw in
            UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        }
        guard length <= UInt64(maximumHeaderBytes) else {
            throw SafetensorsError.invalidHeader(
                path: path,
                detail: "header length \(length) exceeds \(maximumHeaderBytes) bytes"
            )
        }
        let headerLength = Int(length)
        guard 8 + headerLength <= fileSize, 8 + headerLength <= bytes.count else {
            throw SafetensorsError.truncated(
                path: path,
                detail: "header claims \(headerLength) bytes but the file has \(fileSize - 8) after the length"
            )
        }
        let json = bytes.subdata(in: bytes.startIndex + 8..<bytes.startIndex + 8 + headerLength)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: json)
        } catch {
            throw SafetensorsError.invalidHeader(path: path, detail: "not JSON (\(error.localizedDescription))")
        }
        guard let dictionary = object as? [String: Any] else {
            throw SafetensorsError.invalidHeader(path: path, detail: "the header is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in dictionary {
            if name == "__metadata__" {
                guard let pairs = value as? [String: Any] else {
                    throw SafetensorsError.invalidHeader(path: path, detail: "__metadata__ is not an object of strings")
                }
                for (key, item) in pairs {
                    guard let text = item as? String else {
                        throw SafetensorsError.invalidHeader(
                            path: path,
                            detail: "__metadata__ value for '\(key)' is not a string"
                        )
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try parseEntry(name: name, value: value, path: path))
        }
        let dataStart = 8 + headerLength
        try checkLayout(&entries, dataBytes: fileSize - dataStart, path: path)
        return SafetensorsHeader(entries: entries, metadata: metadata, dataStart: dataStart)
    }

    /// Reads and parses only the header of a file, without loading its tensors.
    package static func read(contentsOf url: URL) throws -> SafetensorsHeader {
        let path = url.path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SafetensorsError.unreadable(path: path, reason: "no such file or not readable")
        }
        defer { try? handle.close() }
        let fileSize = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        let prefix = (try? handle.read(upToCount: 8)) ?? Data()
        guard prefix.count == 8 else {
            throw SafetensorsError.truncated(
                path: path,
                detail: "\(prefix.count) bytes, fewer than the 8-byte header length"
            )
        }
        let length = prefix.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        let wanted = Int(Swift.min(length, UInt64(maximumHeaderBytes) + 1))
        let rest = (try? handle.read(upToCount: wanted)) ?? Data()
        return try parse(prefix + rest, fileSize: fileSize, path: path)
    }

    private static func parseEntry(name: String, value: Any, path: String) throws -> Entry {
        guard let fields = value as? [String: Any] else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "entry is not an object")
        }
        guard let dtype = fields["dtype"] as? String else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "missing string field 'dtype'")
        }
        guard let shapeValues = fields["shape"] as? [Any],
            let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 })
        else {
            throw SafetensorsError.malformedEntry(
                path: path,
                tensor: name,
                detail: "'shape' is not a list of non-negative integers"
            )
        }
        guard let offsetValues = fields["data_offsets"] as? [Any], let offsets = integers(offsetValues),
            offsets.count == 2
        else {
            throw SafetensorsError.malformedEntry(
                path: path,
                tensor: name,
                detail: "'data_offsets' is not a pair of integers"
            )
        }
        guard SafetensorsDType.byteWidth(ofName: dtype) != nil else {
            throw SafetensorsError.malformedEntry(path: path, tensor: name, detail: "unknown dtype '\(dtype)'")
        }
        return Entry(name: name, dtypeName: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            // JSONSerialization yields NSNumber; fractions are refused.
            guard let number = value as? NSNumber, let int = Int(exactly: number.doubleValue) else { return nil }
            result.append(int)
        }
        return result
    }

    private static func checkLayout(_ entries: inout [Entry], dataBytes: Int, path: String) throws {
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        var previous: String?
        for entry in entries {
            guard entry.begin >= 0, entry.end >= entry.begin, entry.end <= dataBytes else {
                throw SafetensorsError.offsetsOutOfRange(
                    path: path,
                    tensor: entry.name,
                    begin: entry.begin,
                    end: entry.end,
                    dataBytes: dataBytes
                )
            }
            let width = SafetensorsDType.byteWidth(ofName: entry.dtypeName)!
            let (elements, overflow) = entry.shape.reduce((1, false)) { acc, dim in
                let (product, o) = acc.0.multipliedReportingOverflow(by: dim)
                return (product, acc.1 || o)
            }
            let (bytes, bytesOverflow) = elements.multipliedReportingOverflow(by: width)
            guard !overflow, !bytesOverflow, bytes == entry.byteCount else {
                throw SafetensorsError.sizeMismatch(
                    path: path,
                    tensor: entry.name,
                    dtype: entry.dtypeName,
                    shape: entry.shape,
                    expectedBytes: overflow || bytesOverflow ? Int.max : bytes,
                    actualBytes: entry.byteCount
                )
            }
            if entry.begin < covered, let previous {
                throw SafetensorsError.overlap(path: path, tensor: entry.name, previous: previous)
            }
            if entry.begin > covered {
                throw SafetensorsError.gap(path: path, detail: "bytes \(covered)..<\(entry.begin) belong to no tensor")
            }
            covered = Swift.max(covered, entry.end)
            previous = entry.name
        }
        if covered != dataBytes {
            throw SafetensorsError.gap(
                path: path,
                detail: "bytes \(covered)..<\(dataBytes) at the end belong to no tensor"
            )
        }
    }
}
