import FedSupport
import FedTensor
import OrderedCollections

/// A site's update arriving at the core: turned away when it is not the open round's part for
/// that site, bounded in the examples it may claim, validated and folded (into FedAvg's sum, or
/// a robust rule's store) once.
extension FederationCore {
    /// Turns an update away without counting it as the round's failure of that site, and
    /// keeps the refusal for the round's record.
    mutating func refuse(site: String, round: Int, reason: String) -> [Action] {
        self.pendingRefusals.append(RoundRecord.Refusal(site: site, round: round, reason: reason))
        return [.rejectUpdate(site: site, round: round, reason: reason)]
    }

    mutating func receive(_ update: Update, from site: String, round: Int, now: Double) -> [Action] {
        // The next round is not open until the last one is saved, whatever a site claims.
        if let writing = self.writing {
            return self.refuse(site: site, round: round, reason: "round \(writing.round) is still being saved")
        }
        if let refusal = self.machine.refusal(site: site, round: round) {
            return self.refuse(site: site, round: round, reason: "\(refusal)")
        }
        if self.secure != nil {
            return self.handle(
                .updateUnreadable(
                    site: site, round: round,
                    reason: "round \(round) uses secure aggregation: an update must come masked"),
                now: now)
        }
        if let problem = SiteMetrics.problem(update.metrics) {
            return self.handle(.updateUnreadable(site: site, round: round, reason: problem), now: now)
        }
        // One site cannot take the average over by claiming more examples than it may.
        var update = update
        let bound = self.exampleBound(site)
        if update.examples > bound {
            self.tally.capped[site] = update.examples
            update.examples = bound
        }
        do {
            // The update is validated (names, shapes, finite values) as it is folded, once.
            if self.settings.robust != nil {
                self.tally.add(site: site, update: update, scale: try self.storeRobust(update, from: site))
            } else {
                let folded = try self.accumulator.add(update.tensors, examples: update.examples)
                self.loraExact?.add(
                    global: self.global, update: update.tensors, clip: folded.scale, weight: Float(update.examples))
                self.tally.add(site: site, update: update, scale: folded.scale)
            }
        } catch {
            return self.handle(
                .updateUnreadable(site: site, round: round, reason: UntrustedText.clean("\(error)")),
                now: now
            )
        }
        return self.carryOut(self.machine.handle(.updateArrived(site: site, round: round), now: now), now: now)
    }

    /// The most examples `site`'s reports may weigh.
    func exampleBound(_ site: String) -> Int {
        Swift.min(self.settings.maxExamplesPerSite ?? .max, self.announced[site] ?? .max)
    }
}
