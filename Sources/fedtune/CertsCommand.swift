import ArgumentParser
import FedTLS
import Foundation

/// `fedtune certs`: makes the federation's PKI (a CA, the coordinator's certificate, one certificate per site).
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make the federation's CA and certificates (see certs/README.md).",
        subcommands: [Init.self, Issue.self, Revoke.self]
    )

    /// `fedtune certs init`: a new CA and the coordinator's certificate.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a federation CA and the coordinator's certificate in a new folder."
        )

        @Option(help: "Folder to write the CA and coordinator/ into; must not hold a CA yet.") var dir = "certs"
        @Option(
            name: .customLong("host"),
            help: """
                A DNS name or IP address sites dial to reach the coordinator \
                (repeatable; replaces the default localhost and 127.0.0.1).
                """
        )
        var hosts: [String] = []
        @Option(name: .customLong("ca-days"), help: "Days the CA stays valid.") var caDays = 3650
        @Option(help: "Days the coordinator's certificate stays valid.") var days = 365

        func validate() throws {
            guard self.caDays > 0, self.days > 0 else { throw ValidationError("--ca-days and --days must be positive") }
        }

        func run() throws {
            let folder = PKIFolder(URL(fileURLWithPath: self.dir))
            let written = try runReportingErrors {
                try folder.initialise(
                    hosts: self.hosts.isEmpty ? CoordinatorHost.defaults : self.hosts,
                    caLifetime: TimeInterval(self.caDays) * 86_400,
                    coordinatorLifetime: TimeInterval(self.days) * 86_400
                )
            }
            printWritten(written)
            print("keep \(folder.caPrivateKey.path) offline; give every site \(folder.caCertificate.path)")
        }
    }

    /// `fedtune certs issue SITE`: one site's certificate, key and the CA certificate, in sites/SITE/.
    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue a site's certificate into DIR/sites/SITE (the folder a site passes as --identity)."
        )

        @Argument(help: "The site's name, 1 to 64 of A-Z a-z 0-9 . _ -") var site: String
        @Option(help: "The federation folder made by `fedtune certs init`.") var dir = "certs"
        @Option(help: "Days the site's certificate stays valid.") var days = 365

        func validate() throws {
            guard self.days > 0 else { throw ValidationError("--days must be positive") }
        }

        func run() throws {
            let folder = PKIFolder(URL(fileURLWithPath: self.dir))
            let written = try runReportingErrors {
                try folder.issueSite(self.site, lifetime: TimeInterval(self.days) * 86_400)
            }
            printWritten(written)
            print("send \(folder.siteDirectory(self.site).path) to site '\(self.site)' over a private channel")
        }
    }
}

extension CertsCommand {
    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Revoke a site's certificate: add it to DIR/crl.pem, signed by the CA.",
            discussion: """
                A coordinator whose coordinator.yaml names the list (crl: certs/crl.pem) refuses the site from \
                then on; send it SIGHUP to reload the list without dropping other sites.
                """
        )

        @Argument(help: "The site's name.") var site: String
        @Option(help: "The federation folder made by `fedtune certs init`.") var dir = "certs"

        func run() throws {
            let folder = PKIFolder(URL(fileURLWithPath: self.dir))
            let list = try runReportingErrors { try folder.revoke(self.site) }
            print(
                "wrote \(folder.revocationListURL.path): \(list.revoked.count) revoked certificate(s), CRL number \(list.number)"
            )
        }
    }
}

/// One line per file written, with its permission bits.
private func printWritten(_ files: [PKIFolder.WrittenFile]) {
    for file in files {
        print("wrote \(file.url.path)  (mode 0\(String(file.mode, radix: 8)))")
    }
}
