import FedLearning
import Foundation
import Testing

@testable import FedSimulation

/// Long phases (training epochs, baselines) say how far they are, how fast they go and how
/// long is left.
@Suite struct ProgressLineTests {
    @Test func saysDoneElapsedRateAndTimeLeft() {
        let start = Date(timeIntervalSince1970: 0)
        let line = ProgressLine(started: start, unit: "batch")
        #expect(line.text(done: 0, of: 100, now: start) == "0/100 · 0 s elapsed")
        #expect(
            line.text(done: 25, of: 100, now: start.addingTimeInterval(50)) == "25/100 · 50 s elapsed · 0.5 batch/s · 2 min 30 s left")
        #expect(line.text(done: 100, of: 100, now: start.addingTimeInterval(80)) == "100/100 · 1 min 20 s elapsed · 1.2 batch/s")
    }

    @Test func durationsReadAsSecondsMinutesOrHours() {
        #expect(ProgressLine.duration(42.4) == "42 s")
        #expect(ProgressLine.duration(185) == "3 min 05 s")
        #expect(ProgressLine.duration(3720) == "1 h 02 min")
        #expect(ProgressLine.duration(.nan) == "—")
    }

    @Test func baselinesCountThemselvesAsTheyFinish() {
        var lines: [String] = []
        let progress = BaselineProgress(total: 3) { lines.append($0) }
        progress.counting("site a alone: accuracy 0.5")
        progress.counting("centralised: accuracy 0.9")
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("site a alone: accuracy 0.5 — baseline 1/3 · "))
        #expect(lines[1].contains("baseline 2/3") && lines[1].hasSuffix(" left"))
    }
}
