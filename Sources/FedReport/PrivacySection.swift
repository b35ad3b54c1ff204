import Foundation

/// The report's "Privacy" section for a run under DP-FedAvg: what the guarantee means in
/// plain words, the mechanism's numbers, ε per round (and the clip norm per round under
/// adaptive clipping), and what the guarantee does not cover.
package enum PrivacySection {
    /// The section, or "" when the run had no privacy.
    package static func html(for summary: RunSummary) -> String {
        guard let privacy = summary.privacy else { return "" }
        let clip = PrivacyCharts.clipNorm(privacy)
        let width = clip == nil ? 1180.0 : 640
        var figures = [
            Self.figure(
                "ε per round",
                caption: "Privacy spent by the end of each round, cumulative; it only grows.",
                svg: PrivacyCharts.epsilon(privacy, width: width)
            )
        ]
        if let clip {
            figures.append(
                Self.figure("Clip norm per round", caption: "Adaptive clipping moved C each round.", svg: clip)
            )
        }
        let unprotected = self.notProtected(privacy).map { "<li>\($0.htmlEscaped)</li>" }.joined(separator: "\n")
        return """
            <section class="block privacy" id="privacy"><h2>Privacy</h2>\
            <p class="hint">Differential privacy of each site, as the accountant composed it over the run.</p>
            <p class="privacy-statement" id="privacy-statement">\(self.statement(privacy).htmlEscaped)</p>
            \(self.table(privacy))
            <div class="charts privacy-charts">
            \(figures.joined(separator: "\n"))
            </div>
            <h3>What is not protected</h3>
            <ul class="unprotected">
            \(unprotected)
            </ul>
            </section>
            """
    }

    /// The guarantee in plain words, then what the budget did.
    package static func statement(_ privacy: PrivacySummary) -> String {
        let rounds = "\(privacy.roundsRun) round\(privacy.roundsRun == 1 ? "" : "s")"
        let delta = self.delta(privacy.delta)
        guard privacy.epsilon.isFinite else {
            return "ε = ∞ at δ = \(delta) after the \(rounds): no noise bounds what one site's updates reveal, "
                + "so this run has no differential-privacy guarantee."
        }
        let factor = exp(privacy.epsilon)
        let bound =
            factor < 1000
            ? "= " + String(format: "%.3g", factor)
            : factor.isFinite ? "= " + String(format: "%.2e", factor) : "(too large to state)"
        var text =
            "Each site's participation is (ε = \(PrivacySummary.epsilonText(privacy.epsilon)), δ = \(delta))-"
            + "differentially private over the \(rounds): whatever one site contributed — every update it sent, "
            + "in every round it was sampled for — changes the probability of any outcome of the released global "
            + "models by at most a factor e^ε \(bound), "
            + "except with probability δ. Someone who sees every global model cannot tell with more confidence "
            + "than that whether a given site took part at all, nor what its data held."
        if privacy.epsilon > 10 {
            text += " At ε above about 10 that bound is weak: it says little in practice."
        }
        if let target = privacy.targetEpsilon {
            let budget = PrivacySummary.short(target)
            if privacy.endedByBudget {
                text +=
                    " The budget ended the run: target ε = \(budget) allowed \(privacy.roundsRun) of the "
                    + "\(privacy.roundsAsked) rounds asked, as one more round would have spent more."
            } else {
                text += " The run stayed within its budget, target ε = \(budget)."
            }
        } else {
            text +=
                " No budget was set: ε is what the rounds spent at noise multiplier z = "
                + String(format: "%.3g", privacy.noiseMultiplier) + "."
        }
        return text
    }

    /// δ as "1e-5" rather than "1e-05".
    package static func delta(_ value: Double) -> String {
        PrivacySummary.short(value).replacingOccurrences(of: "e-0", with: "e-")
    }

    /// The mechanism's numbers, each with what it means.
    private static func table(_ privacy: PrivacySummary) -> String {
        let z = String(format: "%.4g", privacy.noiseMultiplier)
        let poisson = privacy.sampling == "poisson"
        var rows: [(String, String, String)] = [
            ("Privacy unit", "one site", "Everything a site contributes over the whole run."),
            (
                "Mechanism", privacy.mechanismName,
                "Each site's update is clipped to L2 norm C and weighs the same; Gaussian noise is added to their sum, "
                    + "which is divided by the expected number of sites."
            ),
            (
                "Sampling",
                poisson
                    ? "Poisson, q = \(PrivacySummary.short(privacy.sampleRate))"
                    : "fixed count, q = "
                        + String(format: "%.3g", privacy.sampleRate),
                poisson
                    ? "Each site takes part in each round with probability q, drawn from the noise's key."
                    : "The same number of sites each round, drawn without replacement; q is that number over all sites."
            ),
            (
                "Expected sites per round", String(format: "%.4g", privacy.expectedSites),
                "The divisor of the noisy sum."
            ),
            (
                "Clip norm C",
                privacy.lastClipNorm.map {
                    "\(PrivacySummary.short(privacy.clipNorm)) → \(String(format: "%.3g", $0)) (adaptive)"
                } ?? PrivacySummary.short(privacy.clipNorm),
                privacy.adaptiveClipping
                    ? "Moved each round towards a quantile of the update norms, from a noisy count of unclipped updates."
                    : "The most one site's update can move the sum."
            ),
            ("Noise multiplier z", z, "The noise's standard deviation over C, as the accountant composes each round."),
            (
                "Update noise multiplier z_Δ", String(format: "%.4g", privacy.updateNoiseMultiplier),
                privacy.adaptiveClipping
                    ? "Above z: adaptive clipping spends part of each round's budget on the count of unclipped updates."
                    : "The same as z."
            ),
            (
                "Noise σ", String(format: "%.4g", privacy.noiseStddev),
                "z_Δ·C: the standard deviation of the noise on each coordinate of the sum"
                    + (privacy.adaptiveClipping ? " (first round; it follows C)." : ".")
            ),
            ("δ", self.delta(privacy.delta), "The probability with which the ε bound may fail."),
            (
                "ε", PrivacySummary.epsilonText(privacy.epsilon),
                "Spent after \(privacy.roundsRun) rounds, by a Rényi-DP accountant of the sampled Gaussian mechanism ("
                    + (poisson ? "add-or-remove-one site)." : "replace-one site).")
            ),
            (
                "Target ε", privacy.targetEpsilon.map(PrivacySummary.short) ?? "none",
                privacy.targetEpsilon == nil
                    ? "No budget: the rounds asked all ran."
                    : privacy.endedByBudget
                        ? "Reached: the run stopped after \(privacy.roundsRun) of \(privacy.roundsAsked) rounds."
                        : "No round starts whose ε would exceed it."
            ),
        ]
        if let secure = privacy.secureAggregation {
            rows.append(
                (
                    "Secure aggregation", secure ? "on" : "off",
                    secure
                        ? "The coordinator saw only the masked sum of the updates." : "The coordinator saw each update."
                )
            )
        }
        let body = rows.map { name, value, meaning in
            "<tr><th scope=\"row\">\(name.htmlEscaped)</th><td class=\"num\">\(value.htmlEscaped)</td>"
                + "<td>\(meaning.htmlEscaped)</td></tr>"
        }
        return """
            <table class="data privacy-numbers">
            <thead><tr><th scope="col">Quantity</th><th scope="col" class="num">Value</th>\
            <th scope="col">Meaning</th></tr></thead>
            <tbody>
            \(body.joined(separator: "\n"))
            </tbody>
            </table>
            """
    }

    /// What the guarantee does not cover, one sentence each.
    package static func notProtected(_ privacy: PrivacySummary) -> [String] {
        [
            privacy.secureAggregation == true
                ? "Secure aggregation was on, so the coordinator saw only the sum of the sampled sites' clipped "
                    + "updates, not each one; it adds the noise itself, so it sees that sum before the noise."
                : "The coordinator sees each sampled site's clipped update before any noise: the guarantee is about "
                    + "the global models it releases, not about what it sees (secure aggregation would show it only "
                    + "the sum).",
            "The training metrics (loss, accuracy) and example counts each site reports are not noised.",
            "Which sites were sampled in each round is in the coordinator's records.",
            "The noise is floating-point Gaussian noise (no discrete Gaussian), whose rounding can in principle "
                + "leak more than the analysis assumes.",
            self.noiseSecrecy(privacy.noiseSource),
            "Evaluation metrics that sites report on their held-out data are not noised.",
        ]
    }

    /// Whether the noise is secret, by where it was drawn from.
    private static func noiseSecrecy(_ source: String?) -> String {
        switch source {
        case "seed":
            "This simulation drew its noise and its sampling from the scenario's seed: reproducible, and not "
                + "secret, since anyone with the scenario can recompute and subtract the noise. Only a "
                + "coordinator's noise is secret, drawn from its state folder's privacy.key."
        case "privacy.key":
            "The noise and the sampling were drawn from the coordinator's secret key (its state folder's "
                + "privacy.key): whoever reads that file can recompute and subtract the noise. (A simulation in "
                + "process draws them from the scenario's seed instead, which is not secret.)"
        default:
            "A simulation in process draws its noise and its sampling from the scenario's seed: reproducible, "
                + "and not secret. Only a coordinator's noise is secret, drawn from its state folder's privacy.key."
        }
    }

    private static func figure(_ heading: String, caption: String, svg: String) -> String {
        "<figure><h2>\(heading.htmlEscaped)</h2><figcaption>\(caption.htmlEscaped)</figcaption>\n\(svg)\n</figure>"
    }
}
