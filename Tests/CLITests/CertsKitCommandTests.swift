import FedTestSupport
import Foundation
import Testing

/// `fedtune certs kit`: the archive unpacks with the system's tar into the files and modes a
/// site needs, its certificate verifies against its CA with openssl, its run script starts
/// `fedtune client` with options the client accepts, and bad requests are refused in a sentence.
struct CertsKitCommandTests {
    static let hasOpenSSL = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

    /// A federation folder made with `fedtune certs init` in a fresh temporary folder.
    static func federation() throws -> TemporaryFolder {
        let folder = try TemporaryFolder("certs-kit")
        let initialised = try Command.fedtune("certs", "init", "--dir", folder.url.appendingPathComponent("pki").path,
            "--host", "fed.example.org")
        try #require(initialised.status == 0, "\(initialised.stderr)")
        return folder
    }

    /// Unpacks `archive` into `folder`/unpacked with `tar -xzf`.
    static func unpack(_ archive: URL, in folder: URL) throws -> URL {
        let target = folder.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let tar = try Command.run(URL(fileURLWithPath: "/usr/bin/env"), ["tar", "-xzf", archive.path, "-C", target.path])
        try #require(tar.status == 0, "tar -xzf: \(tar.stderr)")
        return target
    }

    /// `fedtune certs kit SITE --coordinator ENDPOINT` into `folder`/SITE.tar.gz from its PKI.
    static func kit(_ site: String, coordinator: String, in folder: TemporaryFolder) throws -> (
        made: Command.Output, archive: URL
    ) {
        let archive = folder.url.appendingPathComponent("\(site).tar.gz")
        let made = try Command.fedtune(
            "certs", "kit", site, "--coordinator", coordinator, "--out", archive.path,
            "--dir", folder.url.appendingPathComponent("pki").path)
        return (made, archive)
    }

    static func mode(_ url: URL) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int ?? -1
    }

    @Test func aKitHoldsTheIdentitySettingsScriptAndUnit() throws {
        let folder = try Self.federation()
        defer { folder.remove() }
        let pki = folder.url.appendingPathComponent("pki").path
        let (made, archive) = try Self.kit("site-a", coordinator: "fed.example.org:7443", in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("a certificate issued now"))
        #expect(try Self.mode(archive) == 0o600)

        let kit = try Self.unpack(archive, in: folder.url).appendingPathComponent("site-a")
        let expected: [String: Int] = [
            "README.txt": 0o644, "site.env": 0o644, "run.sh": 0o755, "fedtune-site@.service": 0o644,
            "identity": 0o700, "identity/cert.pem": 0o644, "identity/key.pem": 0o600, "identity/ca.pem": 0o644,
        ]
        for (path, mode) in expected {
            #expect(try Self.mode(kit.appendingPathComponent(path)) == mode, "\(path)")
        }
        let unit = try String(contentsOf: kit.appendingPathComponent("fedtune-site@.service"), encoding: .utf8)
        let deployed = try String(
            contentsOf: Repository.root.appendingPathComponent("deploy/systemd/fedtune-site@.service"),
            encoding: .utf8
        )
        #expect(unit == deployed)
        let settings = try String(contentsOf: kit.appendingPathComponent("site.env"), encoding: .utf8)
        #expect(settings.contains("FEDTUNE_COORDINATOR=\"fed.example.org:7443\"\n"))
        // The CA in the kit is the federation's, byte for byte.
        #expect(
            try Data(contentsOf: kit.appendingPathComponent("identity/ca.pem"))
                == Data(contentsOf: folder.url.appendingPathComponent("pki/ca.pem"))
        )

        // A second kit for the same site packs the certificate it already has.
        let second = folder.url.appendingPathComponent("again.tar.gz")
        let again = try Command.fedtune(
            "certs", "kit", "site-a", "--coordinator", "fed.example.org:7443", "--out", second.path, "--dir", pki
        )
        #expect(again.status == 0 && again.stdout.contains("its existing certificate"), "\(again.stderr)")
    }

    @Test(.enabled(if: Self.hasOpenSSL, "/usr/bin/openssl is missing (scripts/install-deps --test installs it)"))
    func theUnpackedCertificateVerifiesAgainstTheCA() throws {
        let folder = try Self.federation()
        defer { folder.remove() }
        let (made, archive) = try Self.kit("site-b", coordinator: "10.1.2.3:7443", in: folder)
        try #require(made.status == 0, "\(made.stderr)")
        let identity = try Self.unpack(archive, in: folder.url).appendingPathComponent("site-b/identity")
        let verified = try Command.run(
            URL(fileURLWithPath: "/usr/bin/openssl"),
            ["verify", "-purpose", "sslclient", "-CAfile", identity.appendingPathComponent("ca.pem").path,
                identity.appendingPathComponent("cert.pem").path]
        )
        #expect(verified.status == 0 && verified.stdout.contains(": OK"), "\(verified.stdout)\(verified.stderr)")
    }

    /// run.sh reaches `fedtune client` with the kit's identity and settings: the client accepts
    /// every option it is given and stops at the data file the settings still name as a placeholder.
    @Test func theRunScriptStartsTheClientWithTheKitsSettings() throws {
        let folder = try Self.federation()
        defer { folder.remove() }
        let (made, archive) = try Self.kit("site-c", coordinator: "localhost:7443", in: folder)
        try #require(made.status == 0, "\(made.stderr)")
        let kit = try Self.unpack(archive, in: folder.url).appendingPathComponent("site-c")
        let run = try Command.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["FEDTUNE=\(Command.fedtune.path)", kit.appendingPathComponent("run.sh").path, "--retries", "0"]
        )
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("/srv/fedtune/site-c/data.csv"), "\(run.stderr)")
    }

    @Test func badRequestsAreRefusedInASentenceAndWriteNothing() throws {
        let folder = try Self.federation()
        defer { folder.remove() }
        let pki = folder.url.appendingPathComponent("pki")
        let taken = folder.url.appendingPathComponent("taken.tar.gz")
        try Data("not a kit".utf8).write(to: taken)
        let fresh = folder.url.appendingPathComponent("fresh.tar.gz").path

        let cases: [(arguments: [String], says: String)] = [
            (["site-a", "--coordinator", "fed.example.org:7443", "--out", taken.path], "already exists"),
            (["site-a", "--coordinator", "fed.example.org", "--out", fresh], "is not HOST:PORT"),
            (["site-a", "--coordinator", "fed.example.org:99999", "--out", fresh], "from 1 to 65535"),
            (["../etc", "--coordinator", "fed.example.org:7443", "--out", fresh], "is not allowed"),
        ]
        for (arguments, says) in cases {
            let result = try Command.run(Command.fedtune, ["certs", "kit"] + arguments + ["--dir", pki.path])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(says), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(try String(contentsOf: taken, encoding: .utf8) == "not a kit")

        // With the CA key kept offline, a site the folder never issued is unknown.
        try FileManager.default.moveItem(
            at: pki.appendingPathComponent("ca-key.pem"), to: folder.url.appendingPathComponent("ca-key.pem")
        )
        let unknown = try Command.run(
            Command.fedtune,
            ["certs", "kit", "site-z", "--coordinator", "fed.example.org:7443", "--out", fresh, "--dir", pki.path]
        )
        #expect(unknown.status == 1 && unknown.stderr.contains("site 'site-z' is unknown here"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fresh))
        #expect(!FileManager.default.fileExists(atPath: pki.appendingPathComponent("sites/site-z").path))
    }
}
