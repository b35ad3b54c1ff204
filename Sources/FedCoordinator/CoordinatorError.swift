/// Why the coordinator could not start or had to stop. What a site sends never ends up
/// here: a site's fault closes that site's connection only.
package enum CoordinatorError: Error, Equatable, CustomStringConvertible {
    case stopped(reason: String)
    case protocolViolation(site: String, detail: String)
    case invalidConfiguration(String)
    /// The listening address cannot be bound.
    case cannotListen(host: String, port: Int, reason: String)
    /// A folder to write that is already there (nothing is overwritten).
    case outputExists(path: String)
    /// A state folder without the checkpoint asked for.
    case noCheckpoint(path: String, detail: String)
    /// Another coordinator holds the state folder's lock.
    case stateFolderInUse(path: String, holder: Int32?)
    /// rounds.jsonl is not a clean history (gaps, duplicates, unreadable lines).
    case corruptState(path: String, line: Int, detail: String)
    /// The newest checkpoint is not what its record says (a flipped bit, non-finite values).
    case corruptCheckpoint(path: String, round: Int, detail: String)
    /// The state folder cannot be written (read-only, full, or not ours).
    case stateNotWritable(path: String, reason: String)

    package var description: String {
        switch self {
        case .stopped(let reason): "the federation stopped: \(reason)"
        case .protocolViolation(let site, let detail): "site '\(site)' broke the protocol: \(detail)"
        case .invalidConfiguration(let detail): "invalid coordinator configuration: \(detail)"
        case .cannotListen(let host, let port, let reason): "cannot listen on \(host):\(port): \(reason)"
        case .noCheckpoint(let path, let detail): "\(path): \(detail)"
        case .outputExists(let path): "\(path) already exists ---> HINT: choose another --out, or remove it first"
        case .stateFolderInUse(let path, let holder):
            "the state folder \(path) is in use by another coordinator"
                + (holder.map { " (process \($0))" } ?? "")
                + " ---> HINT: stop that coordinator first, or give this one another `state:` folder"
        case .corruptState(let path, let line, let detail):
            "\(path), line \(line): \(detail); the history must list rounds 1, 2, 3, … once each "
                + "---> HINT: this folder was written by two coordinators at once or edited by hand; "
                + "start a fresh state folder, or cut the file back to its last good line"
        case .corruptCheckpoint(let path, let round, let detail):
            "\(path), the checkpoint of round \(round), is damaged: \(detail) ---> HINT: restore it from a backup, "
                + "or remove it and its line in rounds.jsonl to resume from the round before"
        case .stateNotWritable(let path, let reason):
            "the state folder \(path) cannot be written (\(reason)) ---> HINT: free space, or make it writable "
                + "by the user the coordinator runs as"
        }
    }
}
