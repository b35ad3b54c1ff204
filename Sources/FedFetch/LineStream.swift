import Foundation

/// Reads a text file line by line in fixed-size chunks, so a file of any size is read with
/// memory bounded by the chunk and the longest line; each line is handed over as bytes
/// (without its `\n` or `\r\n`) in a buffer that is reused for the next line.
struct LineStream {
    /// How much of the file is read at a time.
    static let chunkSize = 1 << 20
    /// A line longer than this is refused: no file fedtune converts has one, and a file
    /// without line breaks must not be read whole.
    static let maximumLineLength = 1 << 20

    /// Calls `body` with each line's 1-based number and its bytes, blank lines included.
    static func forEachLine(
        in url: URL,
        _ body: (_ number: Int, _ line: UnsafeMutableBufferPointer<UInt8>) throws -> Void
    ) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw FetchError.io(path: url.path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var line: [UInt8] = []
        line.reserveCapacity(4096)
        var number = 0
        func emit() throws {
            number += 1
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            try line.withUnsafeMutableBufferPointer { try body(number, $0) }
            line.removeAll(keepingCapacity: true)
        }
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: self.chunkSize) ?? Data()
            } catch {
                throw FetchError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            try chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                var start = 0
                while start < bytes.count {
                    let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
                    let end = newline ?? bytes.count
                    line.append(contentsOf: bytes[start..<end])
                    guard line.count <= self.maximumLineLength else {
                        throw FetchError.unexpectedContent(
                            path: url.path,
                            detail: "line \(number + 1) is longer than \(self.maximumLineLength) bytes"
                        )
                    }
                    if newline != nil { try emit() }
                    start = end + 1
                }
            }
        }
        if !line.isEmpty { try emit() }
    }
}

/// Appends bytes to a file through a buffer, writing it out whenever it holds a chunk.
struct BufferedWriter {
    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(creating url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
            let handle = FileHandle(forWritingAtPath: url.path)
        else {
            throw FetchError.io(path: url.path, reason: "cannot create")
        }
        self.url = url
        self.handle = handle
        self.buffer.reserveCapacity(LineStream.chunkSize + 4096)
    }

    mutating func append<Bytes: Sequence>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
        self.buffer.append(contentsOf: bytes)
        if self.buffer.count >= LineStream.chunkSize { try self.flush() }
    }

    mutating func append(_ text: String) throws { try self.append(text.utf8) }

    mutating func flush() throws {
        guard !self.buffer.isEmpty else { return }
        do {
            try self.handle.write(contentsOf: self.buffer)
        } catch {
            throw FetchError.io(path: self.url.path, reason: "cannot write: \(error.localizedDescription)")
        }
        self.buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes the file.
    mutating func close() throws {
        try self.flush()
        try? self.handle.close()
    }
}
