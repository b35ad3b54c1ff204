import Foundation

/// A POSIX ustar archive built in memory: folders and regular files with their permission
/// bits, owned by uid 0 / gid 0 ("root"), so that `tar -x` as root leaves them owned by root
/// and any other user gets them as their own. Enough for a site kit; no links, no long names.
package struct TarArchive: Sendable {
    /// One member of the archive.
    package struct Entry: Sendable, Equatable {
        package enum Kind: Sendable, Equatable {
            case file(Data)
            case directory
        }

        /// The path inside the archive, `/`-separated, without a leading `/` (a folder's ends in `/`).
        package let path: String
        package let kind: Kind
        /// Permission bits (0o600 for a key).
        package let mode: UInt16
    }

    /// ustar's name field; longer paths would need the prefix field, which a kit never needs.
    package static let maximumPathLength = 100
    static let blockSize = 512

    package private(set) var entries: [Entry] = []
    /// The modification time written into every header.
    package let modified: Date

    package init(modified: Date) {
        self.modified = modified
    }

    /// Adds a folder; `path` gets a trailing `/` as tar writes it.
    package mutating func addDirectory(_ path: String, mode: UInt16 = 0o755) {
        self.entries.append(Entry(path: path.hasSuffix("/") ? path : path + "/", kind: .directory, mode: mode))
    }

    /// Adds a regular file holding `contents`.
    package mutating func addFile(_ path: String, contents: Data, mode: UInt16 = 0o644) {
        self.entries.append(Entry(path: path, kind: .file(contents), mode: mode))
    }

    /// Adds a regular file holding `text` as UTF-8.
    package mutating func addFile(_ path: String, text: String, mode: UInt16 = 0o644) {
        self.addFile(path, contents: Data(text.utf8), mode: mode)
    }

    /// The archive's bytes: a header and the padded contents per entry, then two zero blocks.
    /// Throws ``TarArchiveProblem`` for a path that is empty, absolute, longer than 100 bytes or
    /// holds `..`, which no tar would read back as written.
    package func bytes() throws(TarArchiveProblem) -> Data {
        var archive = Data()
        for entry in self.entries {
            try Self.check(entry.path)
            let contents: Data
            switch entry.kind {
            case .file(let data): contents = data
            case .directory: contents = Data()
            }
            archive.append(self.header(for: entry, size: contents.count))
            archive.append(contents)
            let remainder = contents.count % Self.blockSize
            if remainder != 0 { archive.append(Data(count: Self.blockSize - remainder)) }
        }
        archive.append(Data(count: 2 * Self.blockSize))
        return archive
    }

    private static func check(_ path: String) throws(TarArchiveProblem) {
        guard !path.isEmpty, !path.hasPrefix("/"), path.utf8.count <= Self.maximumPathLength,
            !path.split(separator: "/").contains("..")
        else {
            throw TarArchiveProblem(path: path)
        }
    }

    /// The 512-byte ustar header of `entry` (POSIX.1-1988 layout; numbers in octal, NUL-terminated).
    private func header(for entry: Entry, size: Int) -> Data {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        func put(_ text: String, at offset: Int, width: Int) {
            for (index, byte) in text.utf8.prefix(width).enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, at offset: Int, width: Int) {
            // width − 1 octal digits, zero-padded, then the NUL already in the block.
            let digits = String(value, radix: 8)
            put(String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits, at: offset, width: width - 1)
        }
        put(entry.path, at: 0, width: 100)
        octal(Int(entry.mode), at: 100, width: 8)
        octal(0, at: 108, width: 8)  // uid
        octal(0, at: 116, width: 8)  // gid
        octal(size, at: 124, width: 12)
        octal(max(0, Int(self.modified.timeIntervalSince1970)), at: 136, width: 12)
        block[156] = entry.kind == .directory ? UInt8(ascii: "5") : UInt8(ascii: "0")
        put("ustar\u{0}00", at: 257, width: 8)
        put("root", at: 265, width: 32)
        put("root", at: 297, width: 32)
        // The checksum is taken with its own field read as eight spaces, then written as six
        // octal digits, a NUL and a space.
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let checksum = block.reduce(0) { $0 + Int($1) }
        octal(checksum, at: 148, width: 7)
        block[155] = UInt8(ascii: " ")
        return Data(block)
    }
}

/// A path a ustar archive cannot hold as given.
package struct TarArchiveProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    package var description: String {
        "'\(path)' cannot be a path in a tar archive: it must be 1 to \(TarArchive.maximumPathLength) bytes, "
            + "relative, and without '..'"
    }
}
