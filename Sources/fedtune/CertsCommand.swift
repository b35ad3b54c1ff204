import ArgumentParser
import FedClient
import FedTLS
import Foundation

/// `fedtune certs`: makes the federation's PKI (a CA, the coordinator's certificate, one certificate per site).
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Make the federation's CA and certificates (see certs/README.md).",
        subcommands: [Init.self, Issue.self, Revoke.self, Kit.self]
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

extension CertsCommand {
    /// `fedtune certs kit SITE --coordinator HOST:PORT --out FILE`: one .tar.gz with what a site needs.
    struct Kit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kit",
            abstract: "Pack what one site needs into a .tar.gz: identity, CA, settings, run script, systemd unit.",
            discussion: """
                Packs DIR/sites/SITE, issuing it first when the site has no certificate yet (which needs \
                DIR/ca-key.pem), with a site.env naming the coordinator, run.sh and fedtune-site@.service \
                (deploy/README.md). The archive holds the site's private key: it is written with mode 0600; \
                send it over a private channel.
                """
        )

        @Argument(help: "The site's name, 1 to 64 of A-Z a-z 0-9 . _ -") var site: String
        @Option(help: "The coordinator as sites dial it: HOST:PORT, a name its certificate holds.") var coordinator:
            String
        @Option(help: "The .tar.gz to write; must not exist.") var out: String
        @Option(help: "The federation folder made by `fedtune certs init`.") var dir = "certs"
        @Option(help: "Days a certificate issued for the kit stays valid.") var days = 365

        func validate() throws {
            guard self.days > 0 else { throw ValidationError("--days must be positive") }
        }

        func run() throws {
            var configuration = SiteKitConfiguration(
                site: self.site,
                coordinator: self.coordinator,
                pki: URL(fileURLWithPath: self.dir),
                output: URL(fileURLWithPath: self.out)
            )
            configuration.lifetime = TimeInterval(self.days) * 86_400
            let made = try runReportingErrors { try SiteKit.make(configuration) }
            let identity = made.issued ? "a certificate issued now" : "its existing certificate"
            print("wrote \(made.archive.path)  (mode 0600): site '\(self.site)' with \(identity), coordinator \(made.endpoint)")
            for entry in made.entries {
                print("    \(entry.path)  (mode 0\(String(entry.mode, radix: 8)))")
            }
            print("send it to site '\(self.site)' over a private channel: it holds the site's private key")
        }
    }
}

/// One line per file written, with its permission bits.
private func printWritten(_ files: [PKIFolder.WrittenFile]) {
    for file in files {
        print("wrote \(file.url.path)  (mode 0\(String(file.mode, radix: 8)))")
    }
}
