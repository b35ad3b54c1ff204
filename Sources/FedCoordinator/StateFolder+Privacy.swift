import FedRounds
import FedSupport
import Foundation

extension StateFolder {
    /// The secret differential privacy's noise and sampling are drawn from: 32 bytes made by
    /// the system's secure generator the first time a run with `privacy` starts on this
    /// folder, kept in privacy.key (mode 0600) so a restarted coordinator adds the noise it
    /// would have added. Anyone holding it could subtract the noise: it never leaves the
    /// coordinator (it is not in an exported checkpoint) and a backup must be kept as safe.
    package var privacyKeyURL: URL { self.url.appendingPathComponent("privacy.key") }

    /// The privacy entries of rounds 1…`round` in rounds.jsonl, checked to continue under
    /// `plan`: a round closed without privacy, or accounted under another sampling, cannot be
    /// part of this budget.
    package func privacyHistory(through round: Int, plan: DifferentialPrivacy) throws -> [RoundPrivacy] {
        let records = try self.records().filter { $0.round <= round }.sorted { $0.round < $1.round }
        var history: [RoundPrivacy] = []
        for record in records {
            guard let privacy = record.privacy else {
                throw CoordinatorError.invalidConfiguration(
                    "\(self.roundsURL.path): round \(record.round) ran without privacy, so no ε can be stated for this "
                        + "run ---> HINT: start a new state folder to run with privacy"
                )
            }
            history.append(privacy)
        }
        if let problem = DifferentialPrivacy.mismatch(history: history, plan: plan) {
            throw CoordinatorError.invalidConfiguration("\(self.roundsURL.path): \(problem)")
        }
        return history
    }

    /// The folder's privacy key, made if there is none yet.
    package func privacyKey() throws -> [UInt8] {
        if let data = try? Data(contentsOf: self.privacyKeyURL) {
            guard data.count == 32 else {
                throw CoordinatorError.invalidConfiguration(
                    "\(self.privacyKeyURL.path) holds \(data.count) bytes, not the 32 of a privacy key ---> HINT: "
                        + "restore it from a backup, or move it away to start a new key (the noise of later rounds then differs)"
                )
            }
            return Array(data)
        }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        try AtomicFile.write(Data(key), to: self.privacyKeyURL, permissions: Self.permissions)
        return key
    }
}
