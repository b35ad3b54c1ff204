import FedClient
import FedCoordinator
import FedSupport
import FedTLS
import FedTestSupport
import Foundation
import Testing

/// deploy/: the systemd units pass `systemd-analyze verify`, the Kubernetes manifests validate
/// against the Kubernetes schemas, every coordinator.yaml there loads, compose.yaml and the
/// Containerfile name files and flags that exist, and a site kit unpacks with `tar` into an
/// identity the federation's CA verifies.
struct DeploymentTests {
    static let deploy = Repository.root.appendingPathComponent("deploy")
    static let systemdAnalyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
    static let hasSystemdAnalyze = FileManager.default.isExecutableFile(atPath: systemdAnalyze.path)
    /// The pinned validator of scripts/requirements.txt, from the project's .venv or PATH.
    static let kubernetesValidate: URL? = {
        let candidates = [Repository.root.appendingPathComponent(".venv/bin/kubernetes-validate")]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map {
                URL(fileURLWithPath: String($0)).appendingPathComponent("kubernetes-validate")
            }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: Self.deploy.appendingPathComponent(path), encoding: .utf8)
    }

    /// Runs `executable` in `folder`; its status and stdout and stderr together.
    static func run(_ executable: URL, _ arguments: [String], in folder: URL? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// `systemd-analyze verify` of `unit` (an instance for a template) from copies of the deploy
    /// units whose ExecStart runs the fedtune just built: verify refuses a binary that is missing.
    static func verify(units: [String: String], unit: String) throws -> (Int32, String) {
        let folder = try TemporaryFolder("systemd-units")
        defer { folder.remove() }
        for (name, text) in units {
            let copy = text.replacingOccurrences(of: "/usr/local/bin/fedtune", with: Repository.fedtune.path)
            try copy.write(to: folder.url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return try Self.run(Self.systemdAnalyze, ["verify", "--man=no", unit], in: folder.url)
    }

    /// A unit's `[Service]` settings, each key with every value it is given.
    static func serviceSettings(_ unit: String) -> [String: [String]] {
        var settings: [String: [String]] = [:]
        var inService = false
        for line in unit.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("[") { inService = line == "[Service]" }
            guard inService, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return settings
    }

    @Test(.enabled(if: Self.hasSystemdAnalyze, "/usr/bin/systemd-analyze is missing: systemd units not verified"))
    func systemdUnitsPassSystemdAnalyzeVerify() throws {
        for (file, unit) in [
            ("fedtune-coordinator.service", "fedtune-coordinator.service"),
            ("fedtune-site@.service", "fedtune-site@site-a.service"),
        ] {
            let text = try Self.text("systemd/\(file)")
            #expect(text.contains("ExecStart=/usr/local/bin/fedtune "))
            let (status, output) = try Self.verify(units: [file: text], unit: unit)
            // verify exits 0 on unknown keys and bad values too; it only says so: nothing must be said.
            #expect(status == 0 && output.isEmpty, "systemd-analyze verify \(unit): \(output)")
        }
    }

    @Test(.enabled(if: Self.hasSystemdAnalyze, "/usr/bin/systemd-analyze is missing: systemd units not verified"))
    func theVerificationCatchesABrokenUnit() throws {
        let text = try Self.text("systemd/fedtune-site@.service")
            .replacingOccurrences(of: "ProtectHome=yes", with: "ProtectHome=sometimes\nRestartOften=yes")
        let (_, output) = try Self.verify(units: ["fedtune-site@.service": text], unit: "fedtune-site@site-a.service")
        #expect(output.contains("sometimes") && output.contains("RestartOften"), "\(output)")
    }

    @Test func systemdUnitsRunAsTheirOwnUserHardenedAndReloadable() throws {
        for file in ["fedtune-coordinator.service", "fedtune-site@.service"] {
            let settings = Self.serviceSettings(try Self.text("systemd/\(file)"))
            for (key, value) in [
                ("User", "fedtune"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                ("PrivateTmp", "yes"), ("Restart", "on-failure"), ("KillSignal", "SIGTERM"),
            ] {
                #expect(settings[key] == [value], "\(file): \(key)")
            }
            let state = try #require(settings["StateDirectory"]?.first, "\(file): StateDirectory")
            let writable = settings["ReadWritePaths"] ?? []
            #expect(writable.contains { $0.hasSuffix(state) || $0 == "/var/lib/\(state)" }, "\(file): \(writable)")
        }
        let coordinator = Self.serviceSettings(try Self.text("systemd/fedtune-coordinator.service"))
        #expect(coordinator["ExecReload"] == ["/bin/kill -HUP $MAINPID"])
    }

    /// Every option the deploy files and the kit's run script give `fedtune client` and
    /// `fedtune coordinator` is one the binary knows.
    @Test func everyOptionTheDeployFilesPassExists() throws {
        let clientHelp = try Self.run(Repository.fedtune, ["client", "--help"]).1
        let coordinatorHelp = try Self.run(Repository.fedtune, ["coordinator", "--help"]).1
        let options = try Regex("--[a-z][a-z-]+")
        func used(in text: Substring) -> Set<String> {
            Set(text.matches(of: options).map { String(text[$0.range]) })
        }
        let kit = try SiteKitFixture.make()
        defer { kit.folder.remove() }
        let siteUnit = try Self.text("systemd/fedtune-site@.service")
        let clientLines: [Substring] = [
            siteUnit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") } ?? "",
            try Self.text("compose.yaml")[...], try Self.text("kubernetes/site-a-deployment.yaml")[...],
            try Self.text("kubernetes/simulated-sites-job.yaml")[...],
            Substring(try #require(kit.files["site-a/run.sh"])),
        ]
        let clientOptions = clientLines.reduce(into: Set<String>()) { $0.formUnion(used(in: $1)) }
        #expect(clientOptions.isSuperset(of: ["--coordinator", "--identity", "--data", "--label"]))
        for option in clientOptions.subtracting(["--config"]) {
            #expect(clientHelp.contains(option), "fedtune client has no \(option)")
        }
        #expect(coordinatorHelp.contains("--config"))
    }

    @Test func everyCoordinatorYAMLInDeployLoads() throws {
        struct ConfigMap: Decodable { var data: [String: String] }
        let map = try YAMLDocument(contentsOf: Self.deploy.appendingPathComponent("kubernetes/coordinator-configmap.yaml"))
            .decode(ConfigMap.self)
        let folder = try TemporaryFolder("deploy-coordinator")
        defer { folder.remove() }
        let fromMap = folder.url.appendingPathComponent("coordinator.yaml")
        try #require(map.data["coordinator.yaml"]).write(to: fromMap, atomically: true, encoding: .utf8)
        for url in [
            Self.deploy.appendingPathComponent("systemd/coordinator.yaml"),
            Self.deploy.appendingPathComponent("compose/coordinator.yaml"), fromMap,
        ] {
            let configuration = try CoordinatorConfiguration.load(url)
            #expect(configuration.host == "0.0.0.0" && configuration.port == 7443, "\(url.path)")
            #expect(configuration.state.path.hasPrefix("/var/lib/fedtune/"), "\(url.path)")
        }
    }

    @Test(.enabled(if: Self.kubernetesValidate != nil, "kubernetes-validate is missing: run the tests with scripts/test"))
    func kubernetesManifestsValidateAgainstTheSchemas() throws {
        let validator = try #require(Self.kubernetesValidate)
        let folder = Self.deploy.appendingPathComponent("kubernetes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 6)
        let (status, output) = try Self.run(validator, ["--strict", "--quiet"] + files.sorted(), in: folder)
        #expect(status == 0, "\(output)")

        // The same validator, offline, refuses a field the Job schema does not have.
        let scratch = try TemporaryFolder("kubernetes-broken")
        defer { scratch.remove() }
        let broken = try Self.text("kubernetes/simulated-sites-job.yaml")
            .replacingOccurrences(of: "completionMode: Indexed", with: "completionMode: Indexed\n  completionIndex: 3")
        try broken.write(to: scratch.url.appendingPathComponent("job.yaml"), atomically: true, encoding: .utf8)
        let (refused, message) = try Self.run(validator, ["--strict", "job.yaml"], in: scratch.url)
        #expect(refused != 0 && message.contains("completionIndex"), "\(message)")
    }

    @Test func kubernetesWorkloadsHaveTheirStateIdentityAndIndex() throws {
        struct SecretSource: Decodable { var secretName: String }
        struct Volume: Decodable { var name: String; var secret: SecretSource? }
        struct Spec: Decodable { var volumes: [Volume] }
        struct Template: Decodable { var spec: Spec }
        struct Claim: Decodable { var metadata: [String: String] }
        struct WorkloadSpec: Decodable {
            var template: Template
            var volumeClaimTemplates: [Claim]?
            var completionMode: String?
        }
        struct Workload: Decodable { var kind: String; var spec: WorkloadSpec }
        func load(_ file: String) throws -> Workload {
            try YAMLDocument(contentsOf: Self.deploy.appendingPathComponent("kubernetes/\(file)")).decode(Workload.self)
        }
        let coordinator = try load("coordinator-statefulset.yaml")
        #expect(coordinator.kind == "StatefulSet")
        #expect(coordinator.spec.volumeClaimTemplates?.map { $0.metadata["name"] } == ["state"])
        #expect(coordinator.spec.template.spec.volumes.contains { $0.secret?.secretName == "fedtune-coordinator-identity" })
        let site = try load("site-a-deployment.yaml")
        #expect(site.kind == "Deployment" && site.spec.template.spec.volumes.contains { $0.secret != nil })
        let job = try load("simulated-sites-job.yaml")
        #expect(job.kind == "Job" && job.spec.completionMode == "Indexed")
        #expect(try Self.text("kubernetes/simulated-sites-job.yaml").contains("sim-${JOB_COMPLETION_INDEX}"))
    }

    @Test func composeRunsACoordinatorAndThreeSitesFromFilesThatExist() throws {
        struct Build: Decodable { var context: String; var dockerfile: String }
        struct Service: Decodable {
            var image: String
            var build: Build?
            var command: [String]
            var volumes: [String]
        }
        struct Compose: Decodable { var services: [String: Service]; var volumes: [String: [String: String]] }
        let compose = try YAMLDocument(contentsOf: Self.deploy.appendingPathComponent("compose.yaml"))
            .decode(Compose.self)
        #expect(Set(compose.services.keys) == ["coordinator", "site-a", "site-b", "site-c"])
        let build = try #require(compose.services["coordinator"]?.build)
        let context = Self.deploy.appendingPathComponent(build.context).standardized
        #expect(context.path == Repository.root.standardized.path)
        #expect(FileManager.default.fileExists(atPath: context.appendingPathComponent(build.dockerfile).path))
        let readme = try Self.text("README.md")
        for (name, service) in compose.services {
            #expect(service.image == "fedtune:latest")
            if name.hasPrefix("site-") {
                #expect(Array(service.command.prefix(3)) == ["client", "--coordinator", "coordinator:7443"])
                #expect(service.volumes.contains("./pki/sites/\(name):/etc/fedtune/identity:ro"))
            }
            for volume in service.volumes {
                let source = String(volume.split(separator: ":")[0])
                guard source.hasPrefix("./") else {
                    #expect(compose.volumes[source] != nil, "\(name): volume \(source) is not declared")
                    continue
                }
                // pki/ and data/ are made by deploy/README.md's steps; everything else is in the repository.
                if source.hasPrefix("./pki/") || source.hasPrefix("./data/") {
                    #expect(volume.hasSuffix(":ro"), "\(name): \(volume) must be read-only")
                    let made = "deploy/" + (source.dropFirst(2).split(separator: "/").first ?? "")
                    #expect(readme.contains(made), "deploy/README.md never makes \(made)")
                } else {
                    #expect(FileManager.default.fileExists(atPath: Self.deploy.appendingPathComponent(source).path))
                }
            }
        }
    }

    @Test func containerfileBuildsWithSwiftAndRunsOnSlimDebianAsAnotherUser() throws {
        let lines = try Self.text("Containerfile").split(separator: "\n").filter { !$0.hasPrefix("#") }
        let stages = lines.filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2)
        #expect(stages.first?.contains("swift:6.3") == true && stages.last?.contains("debian:bookworm-slim") == true)
        let text = lines.joined(separator: "\n")
        for needed in [
            "swift build -c release", "libopenblas0", "ca-certificates", "USER fedtune", "VOLUME [\"/var/lib/fedtune\"]",
            "ENTRYPOINT [\"fedtune\"]", "COPY --from=build",
        ] {
            #expect(text.contains(needed), "Containerfile lacks \(needed)")
        }
    }

    @Test func aKitUnpacksIntoAnIdentityTheCAVerifies() throws {
        let kit = try SiteKitFixture.make()
        defer { kit.folder.remove() }
        #expect(kit.made.issued)
        #expect(kit.modes["site-a/identity/key.pem"] == 0o600 && kit.modes["site-a/identity"] == 0o700)
        #expect(kit.modes["site-a/run.sh"] == 0o755)
        #expect(kit.archiveMode == 0o600)
        let unpacked = kit.unpacked.appendingPathComponent("site-a/identity")
        let identity = try Identity(directory: unpacked)
        try identity.check(role: .site, folder: unpacked)
        #expect(identity.commonName == "site-a")
        #expect(try identity.trustRootPEM() == String(contentsOf: kit.pki.caCertificate, encoding: .utf8))
        #expect(kit.files["site-a/fedtune-site@.service"] == (try Self.text("systemd/fedtune-site@.service")))
        #expect(kit.files["site-a/site.env"]?.contains("FEDTUNE_COORDINATOR=\"fed.example.org:7443\"") == true)

        // A second kit packs the same certificate; the first archive is never replaced.
        let again = kit.folder.url.appendingPathComponent("again.tar.gz")
        var configuration = SiteKitConfiguration(
            site: "site-a", coordinator: "10.0.0.7:7443", pki: kit.pki.root, output: again
        )
        #expect(try SiteKit.make(configuration).issued == false)
        #expect(throws: SiteKitError.outputExists(path: again.path)) { try SiteKit.make(configuration) }
        configuration.output = kit.folder.url.appendingPathComponent("other.tar.gz")
        configuration.site = "site/a"
        #expect(throws: PKIError.invalidSiteName("site/a")) { try SiteKit.make(configuration) }
    }

    @Test(arguments: ["fed.example.org", "fed.example.org:", ":7443", "fed.example.org:0", "fed:70000", "a:b:1", "bad host:1"])
    func malformedCoordinatorsAreRefused(text: String) {
        let error = #expect(throws: SiteKitError.self) { try CoordinatorEndpoint(parsing: text) }
        guard case .malformedCoordinator(let given, _) = error else {
            Issue.record("\(text): \(String(describing: error))")
            return
        }
        #expect(given == text)
    }

    @Test func tarRefusesPathsItCannotHold() {
        for path in ["/etc/passwd", "a/../../b", String(repeating: "x", count: 101), ""] {
            var archive = TarArchive(modified: Date())
            archive.addFile(path, text: "x")
            #expect(throws: TarArchiveProblem(path: path)) { try archive.bytes() }
        }
    }
}

/// A federation folder with a kit for site-a made from it and unpacked with the system's `tar`.
struct SiteKitFixture {
    let folder: TemporaryFolder
    let pki: PKIFolder
    let made: SiteKit.Made
    let unpacked: URL
    /// Each unpacked path (relative, folders without a trailing `/`) with its permission bits.
    let modes: [String: Int]
    /// Each unpacked regular file's text.
    let files: [String: String]
    let archiveMode: Int

    static func make() throws -> SiteKitFixture {
        let folder = try TemporaryFolder("site-kit")
        let pki = PKIFolder(folder.url.appendingPathComponent("pki"))
        _ = try pki.initialise(hosts: ["fed.example.org"])
        let archive = folder.url.appendingPathComponent("site-a.tar.gz")
        let made = try SiteKit.make(
            SiteKitConfiguration(site: "site-a", coordinator: "fed.example.org:7443", pki: pki.root, output: archive)
        )
        let unpacked = folder.url.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        let (status, output) = try DeploymentTests.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["tar", "-xzf", archive.path, "-C", unpacked.path]
        )
        try #require(status == 0, "tar -xzf: \(output)")
        var modes: [String: Int] = [:]
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: unpacked.path)
        while let path = enumerator?.nextObject() as? String {
            let url = unpacked.appendingPathComponent(path)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            modes[path] = (attributes[.posixPermissions] as? Int) ?? -1
            if attributes[.type] as? FileAttributeType == .typeRegular {
                files[path] = try String(contentsOf: url, encoding: .utf8)
            }
        }
        let archiveMode = (try FileManager.default.attributesOfItem(atPath: archive.path)[.posixPermissions] as? Int)
        return SiteKitFixture(
            folder: folder, pki: pki, made: made, unpacked: unpacked, modes: modes, files: files,
            archiveMode: archiveMode ?? -1
        )
    }
}
