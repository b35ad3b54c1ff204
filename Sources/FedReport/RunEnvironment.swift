/// What a run ran on and with: the fedtune release and commit, the CPU and how many threads
/// it offered, so a number in a report can be traced to the code and machine that made it.
package struct RunEnvironment: Codable, Sendable, Equatable {
    /// The fedtune release, e.g. "0.4".
    package var version: String
    /// The git commit the code was built from ("unknown" outside a checkout; "+changes"
    /// when the checkout had uncommitted changes).
    package var commit: String
    /// The CPU model, as the system names it.
    package var cpu: String
    /// Threads the process could run on.
    package var threads: Int
    /// The operating system, e.g. "Linux 6.8.0".
    package var system: String?

    package init(version: String, commit: String, cpu: String, threads: Int, system: String? = nil) {
        self.version = version
        self.commit = commit
        self.cpu = cpu
        self.threads = threads
        self.system = system
    }
}
