import FedTLS
import Foundation

/// A throwaway federation folder (CA, coordinator, sites) in a fresh temporary directory, one per test.
struct TestPKI {
    let directory: URL
    let folder: PKIFolder

    /// Runs `body` with a folder where `certs init` ran for `hosts` and `certs issue` for each of `sites`,
    /// then deletes it.
    static func with<T>(
        sites: [String] = ["site-a"],
        hosts: [String] = CoordinatorHost.defaults,
        _ body: (TestPKI) async throws -> T
    ) async throws -> T {
        try await withTemporaryDirectory { directory in
            let folder = PKIFolder(directory.appendingPathComponent("certs", isDirectory: true))
            _ = try folder.initialise(hosts: hosts)
            for site in sites {
                _ = try folder.issueSite(site)
            }
            return try await body(TestPKI(directory: directory, folder: folder))
        }
    }

    func coordinator() throws -> Identity {
        try Identity(directory: self.folder.coordinatorDirectory)
    }

    func site(_ name: String = "site-a") throws -> Identity {
        try Identity(directory: self.folder.siteDirectory(name))
    }
}

/// Runs `body` with a new empty directory and deletes it afterwards, whether `body` throws or not.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("FedTLSTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// The permission bits of the file at `url`.
func permissions(of url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
