import Foundation

/// How numbers read in the report. Every formatter turns a missing, NaN or infinite value
/// into "—", so a diverged run renders instead of printing "nan" or breaking a chart.
package enum ReportFormat {
    /// The placeholder for a value that is missing or not finite.
    package static let missing = "—"

    /// `value` with `digits` decimals, e.g. 0.842.
    package static func decimal(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return self.missing }
        return String(format: "%.\(digits)f", value)
    }

    /// `fraction` as a percentage with `digits` decimals, e.g. 79%.
    package static func percent(_ fraction: Double?, digits: Int = 0) -> String {
        guard let fraction, fraction.isFinite else { return self.missing }
        return String(format: "%.\(digits)f%%", fraction * 100)
    }

    /// A difference with its sign, "+0.021" or "−0.021" (a true minus sign).
    package static func signed(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return self.missing }
        let text = self.decimal(abs(value), digits: digits)
        if text == self.decimal(0, digits: digits) { return text }
        return (value < 0 ? "−" : "+") + text
    }

    /// An integer with thin-space thousands separators, independent of the locale.
    package static func integer(_ value: Int?) -> String {
        guard let value else { return self.missing }
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "\u{2009}" }
            grouped.append(digit)
        }
        return value < 0 ? "−" + grouped : grouped
    }

    /// A byte count in decimal units: 950 B, 12.3 kB, 4.56 MB, 1.20 GB.
    package static func bytes(_ value: Int?) -> String {
        guard let value else { return self.missing }
        let units = ["B", "kB", "MB", "GB", "TB"]
        var scaled = Double(value)
        var unit = 0
        while abs(scaled) >= 1000 && unit < units.count - 1 {
            scaled /= 1000
            unit += 1
        }
        if unit == 0 { return "\(value) B" }
        let digits = abs(scaled) < 10 ? 2 : abs(scaled) < 100 ? 1 : 0
        return String(format: "%.\(digits)f %@", scaled, units[unit])
    }

    /// A count shortened to fit a small heat-map cell: 999, 1.2k, 12k, 1.2M.
    package static func compactCount(_ value: Int) -> String {
        let magnitude = abs(value)
        if magnitude < 1000 { return "\(value)" }
        if magnitude < 10_000 { return String(format: "%.1fk", Double(value) / 1000) }
        if magnitude < 1_000_000 { return "\(value / 1000)k" }
        return String(format: "%.1fM", Double(value) / 1_000_000)
    }

    /// A coordinate for SVG: one decimal, and 0 for anything not finite so no NaN ever
    /// reaches an attribute.
    package static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(format: "%.1f", rounded)
    }
}
