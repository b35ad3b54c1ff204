import FedObserve
import FedRounds
import Foundation

extension StateFolder {
    /// The federation as its state folder tells it (`fedtune status STATE_DIR`): the finished
    /// rounds with their evaluations, and the last round's sites as reported or failed. Who
    /// is connected now only a running coordinator knows (`/status.json`).
    package func status() throws -> FederationStatus {
        guard FileManager.default.fileExists(atPath: self.url.path) else {
            throw CoordinatorError.noCheckpoint(
                path: self.url.path,
                detail: "no such folder ---> HINT: give the `state:` folder of coordinator.yaml, or http://HOST:PORT of its metrics.listen")
        }
        let records = try self.records()
        let evaluations = try self.evaluations()
        let finished = FileManager.default.fileExists(atPath: self.finalModelURL.path)
        var status = FederationStatus(
            source: "state folder",
            phase: finished ? "finished" : "unknown",
            completedRounds: records.last?.round ?? 0,
            rounds: FederationStatus.Round.history(records, evaluations: evaluations)
        )
        if let last = records.last {
            status.sites =
                last.sites.map { FederationStatus.Site(name: $0, state: .reported) }
                + last.failures.keys.map { FederationStatus.Site(name: $0, state: .failed) }
            status.sites.sort { $0.name < $1.name }
            if let privacy = last.privacy {
                status.epsilon = privacy.epsilon
                status.delta = privacy.delta
                status.targetEpsilon = privacy.targetEpsilon
            }
        }
        return status
    }
}
