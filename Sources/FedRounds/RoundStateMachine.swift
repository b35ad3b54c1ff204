/// The federation's round logic as a pure state machine: given an event (a site joined
/// or left, an update arrived, time passed) it returns the actions to take. It does no
/// I/O and reads no clock; the coordinator feeds it `now` and carries out the actions,
/// and tests drive it with no sockets at all.
package struct RoundStateMachine: Sendable {
    package enum Event: Sendable, Equatable {
        case siteConnected(String)
        /// A site's connection ended; `reason` is what it said (a `failure`), if anything.
        case siteDisconnected(String, reason: String = "disconnected")
        /// A site's update for `round` arrived; the machine says whether to fold it in.
        case updateArrived(site: String, round: Int)
        /// The shell found the update's numbers unusable (shape, NaN…): a failure entry.
        case updateRejected(site: String, round: Int, reason: String)
        /// Time passed; deadlines are checked against `now` (seconds).
        case tick
    }

    package enum Action: Sendable, Equatable {
        /// Send the round's configuration and model to these sites.
        case startRound(round: Int, sites: [String], deadline: Double)
        /// Fold this site's update into the running sum.
        case foldUpdate(site: String, round: Int)
        /// Refuse an update (logged, recorded), without touching the sum.
        case rejectUpdate(site: String, reason: UpdateRejection)
        /// Apply the average, checkpoint, evaluate: the round is done.
        case closeRound(round: Int, reported: [String], failures: [String: String])
        /// Throw the round's sum away and run it again.
        case retryRound(round: Int, reason: String)
        /// All rounds are done.
        case finish(rounds: Int)
        /// The run cannot go on.
        case stop(reason: String)
    }

    package enum Phase: Sendable, Equatable {
        case waitingForSites
        case training(round: Int, selected: Set<String>, deadline: Double)
        case finished
        case stopped(String)
    }

    package private(set) var policy: RoundPolicy
    package private(set) var phase: Phase = .waitingForSites
    package private(set) var connected: Set<String> = []
    /// Rounds closed so far; the next round is `completedRounds + 1`.
    package private(set) var completedRounds: Int
    private var reported: [String] = []
    private var failures: [String: String] = [:]
    private var attempts = 0

    /// A machine that resumes after `completedRounds` finished rounds (0 for a new run).
    package init(policy: RoundPolicy, completedRounds: Int = 0) {
        self.policy = policy
        self.completedRounds = completedRounds
        if completedRounds >= policy.rounds { self.phase = .finished }
    }

    package mutating func handle(_ event: Event, now: Double) -> [Action] {
        switch event {
        case .siteConnected(let site):
            self.connected.insert(site)
            return self.startIfReady(now: now)
        case .siteDisconnected(let site, let reason):
            self.connected.remove(site)
            guard case .training(let round, let selected, _) = self.phase, selected.contains(site),
                !self.reported.contains(site), self.failures[site] == nil
            else { return [] }
            self.failures[site] = reason
            return self.closeIfComplete(round: round, selected: selected, now: now)
        case .updateArrived(let site, let round):
            return self.updateArrived(site: site, round: round, now: now)
        case .updateRejected(let site, let round, let reason):
            guard case .training(let open, let selected, _) = self.phase, open == round, selected.contains(site),
                !self.reported.contains(site), self.failures[site] == nil
            else {
                return []
            }
            self.failures[site] = reason
            return self.closeIfComplete(round: open, selected: selected, now: now)
        case .tick:
            guard case .training(let round, let selected, let deadline) = self.phase, now >= deadline else {
                return self.startIfReady(now: now)
            }
            return self.closeAtDeadline(round: round, selected: selected, now: now)
        }
    }

    /// Ends the run early (early stopping): a round being trained still closes, and is the
    /// last; with none open the run finishes now (`finish`).
    package mutating func endEarly() -> [Action] {
        switch self.phase {
        case .training(let round, _, _):
            self.policy.rounds = Swift.min(self.policy.rounds, round)
            return []
        case .waitingForSites:
            self.policy.rounds = self.completedRounds
            self.phase = .finished
            return [.finish(rounds: self.completedRounds)]
        case .finished, .stopped:
            return []
        }
    }

    /// Sites selected for the open round that have neither reported nor failed yet.
    package var awaiting: Set<String> {
        guard case .training(_, let selected, _) = self.phase else { return [] }
        return selected.filter { !self.reported.contains($0) && self.failures[$0] == nil }
    }

    /// Why an update from `site` for `round` would be turned away now (late, early, from a
    /// site not selected, or a second one), or nil when it would be folded in.
    package func refusal(site: String, round: Int) -> UpdateRejection? {
        guard case .training(let open, let selected, _) = self.phase else {
            return .wrongRound(expected: self.completedRounds + 1, found: round)
        }
        guard round == open else { return .wrongRound(expected: open, found: round) }
        guard selected.contains(site) else { return .notSelected(site: site, round: round) }
        guard !self.reported.contains(site), self.failures[site] == nil else {
            return .duplicate(site: site, round: round)
        }
        return nil
    }

    private mutating func updateArrived(site: String, round: Int, now: Double) -> [Action] {
        if let refusal = self.refusal(site: site, round: round) { return [.rejectUpdate(site: site, reason: refusal)] }
        guard case .training(let open, let selected, _) = self.phase else { return [] }
        self.reported.append(site)
        return [.foldUpdate(site: site, round: round)] + self.closeIfComplete(round: open, selected: selected, now: now)
    }

    private mutating func startIfReady(now: Double) -> [Action] {
        guard case .waitingForSites = self.phase, self.connected.count >= self.policy.minSites else { return [] }
        let round = self.completedRounds + 1
        var sites = SiteSampler.sample(
            self.connected,
            size: self.policy.sampleSize,
            round: round,
            seed: self.policy.seed
        )
        if sites.count < self.policy.minimumSample { sites = [] }
        let deadline = now + self.policy.deadlineSeconds
        self.phase = .training(round: round, selected: Set(sites), deadline: deadline)
        self.reported = []
        self.failures = [:]
        let start = Action.startRound(round: round, sites: sites, deadline: deadline)
        // Poisson sampling may pick nobody: the round closes at once (under differential
        // privacy its noise is still released and accounted).
        if sites.isEmpty { return [start] + self.closeAtDeadline(round: round, selected: [], now: now) }
        return [start]
    }

    /// Closes the round once every selected site has reported or failed.
    private mutating func closeIfComplete(round: Int, selected: Set<String>, now: Double) -> [Action] {
        guard self.reported.count + self.failures.count >= selected.count else { return [] }
        return self.closeAtDeadline(round: round, selected: selected, now: now)
    }

    private mutating func closeAtDeadline(round: Int, selected: Set<String>, now: Double) -> [Action] {
        for site in selected where !self.reported.contains(site) && self.failures[site] == nil {
            self.failures[site] = "no report before the deadline"
        }
        // A sample smaller than the quorum would fail every round: the quorum is capped
        // at the number of sites selected.
        if self.reported.count >= Swift.min(self.policy.quorum, selected.count) {
            let close = Action.closeRound(round: round, reported: self.reported.sorted(), failures: self.failures)
            self.completedRounds = round
            self.attempts = 0
            if round >= self.policy.rounds {
                self.phase = .finished
                return [close, .finish(rounds: round)]
            }
            self.phase = .waitingForSites
            return [close] + self.startIfReady(now: now)
        }
        self.attempts += 1
        let quorum = Swift.min(self.policy.quorum, selected.count)
        let reason = "round \(round): \(self.reported.count) of \(selected.count) sites reported, quorum is \(quorum)"
        if self.attempts > self.policy.maxRetries {
            self.phase = .stopped(reason)
            return [.stop(reason: reason + "; gave up after \(self.policy.maxRetries) retries")]
        }
        self.phase = .waitingForSites
        return [.retryRound(round: round, reason: reason)] + self.startIfReady(now: now)
    }
}
