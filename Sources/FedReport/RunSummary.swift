import FedSupport
import Foundation

/// Everything one `fedtune simulate` run measured, in the shape the report draws.
///
/// It is written beside the report as `summary.json`, so the type doubles as a stable,
/// readable file format: camelCase keys, the date as an ISO-8601 string, and every list
/// optional when read back so a hand-written summary with fewer sections still loads.
package struct RunSummary: Codable, Sendable, Equatable {
    /// One key/value line of the run's configuration (model, mode, sites, rounds, seed …).
    package struct Setting: Codable, Sendable, Equatable {
        package var key: String
        package var value: String

        package init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    /// The scenario's name, as given in its file.
    package var scenario: String
    /// A sentence or two on what the scenario tests.
    package var description: String
    /// When the run started, as ISO-8601 text (see `isoDate(_:)`).
    package var date: String
    /// The run's configuration, in the order it should be shown.
    package var settings: [Setting]
    /// Class names, indexed as the confusion matrices and per-class metrics are.
    package var classNames: [String]
    /// The federation's global model after each round.
    package var rounds: [RoundMetrics]
    /// Every model evaluated on the global test set: pretrained, sites alone, federated …
    package var baselines: [BaselineResult]
    /// Each site's data and how the site-alone and global models do on its own test data.
    package var sites: [SiteSummary]
    /// What differential privacy guaranteed; nil for a run without `privacy`.
    package var privacy: PrivacySummary?
    /// What the scenario expects of the run, each checked.
    package var expectations: [Expectation]
    /// Free remarks shown at the end of the report.
    package var notes: [String]
    /// Rounds the scenario asked for; nil in summaries written before it was kept.
    package var roundsAsked: Int?
    /// False when the run stopped before its last round (interrupted, or rendered by
    /// `fedtune report` from a run that never wrote its summary); nil reads as finished.
    package var finished: Bool?
    /// Why the run did not finish, as a sentence; nil when it did.
    package var unfinishedReason: String?
    /// The fedtune release and commit, the CPU and threads the run had.
    package var environment: RunEnvironment?
    /// The resolved scenario, machine-readable: model, fine-tuning, strategy, privacy,
    /// local training (the `settings` list is the same for people).
    package var configuration: JSONValue?

    package init(
        scenario: String,
        description: String = "",
        date: String,
        settings: [Setting] = [],
        classNames: [String] = [],
        rounds: [RoundMetrics] = [],
        baselines: [BaselineResult] = [],
        sites: [SiteSummary] = [],
        privacy: PrivacySummary? = nil,
        expectations: [Expectation] = [],
        notes: [String] = []
    ) {
        self.scenario = scenario
        self.description = description
        self.date = date
        self.settings = settings
        self.classNames = classNames
        self.rounds = rounds
        self.baselines = baselines
        self.sites = sites
        self.privacy = privacy
        self.expectations = expectations
        self.notes = notes
    }

    private enum CodingKeys: String, CodingKey {
        case scenario, description, date, settings, classNames, rounds, baselines, sites, privacy, expectations, notes
        case roundsAsked, finished, unfinishedReason, environment, configuration
    }

    /// Reads a summary; missing lists and a missing description read as empty, a missing
    /// privacy section as none.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.scenario = try container.decode(String.self, forKey: .scenario)
        self.description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        self.date = try container.decode(String.self, forKey: .date)
        self.settings = try container.decodeIfPresent([Setting].self, forKey: .settings) ?? []
        self.classNames = try container.decodeIfPresent([String].self, forKey: .classNames) ?? []
        self.rounds = try container.decodeIfPresent([RoundMetrics].self, forKey: .rounds) ?? []
        self.baselines = try container.decodeIfPresent([BaselineResult].self, forKey: .baselines) ?? []
        self.sites = try container.decodeIfPresent([SiteSummary].self, forKey: .sites) ?? []
        self.privacy = try container.decodeIfPresent(PrivacySummary.self, forKey: .privacy)
        self.expectations = try container.decodeIfPresent([Expectation].self, forKey: .expectations) ?? []
        self.notes = try container.decodeIfPresent([String].self, forKey: .notes) ?? []
        self.roundsAsked = try container.decodeIfPresent(Int.self, forKey: .roundsAsked)
        self.finished = try container.decodeIfPresent(Bool.self, forKey: .finished)
        self.unfinishedReason = try container.decodeIfPresent(String.self, forKey: .unfinishedReason)
        self.environment = try container.decodeIfPresent(RunEnvironment.self, forKey: .environment)
        self.configuration = try container.decodeIfPresent(JSONValue.self, forKey: .configuration)
    }

    /// The first baseline of `kind`, if the run has one.
    package func baseline(_ kind: BaselineKind) -> BaselineResult? {
        self.baselines.first { $0.kind == kind }
    }

    /// `date` as the ISO-8601 text used in `date` (UTC, whole seconds).
    package static func isoDate(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
