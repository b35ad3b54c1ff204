/// The report's look: an Okabe-Ito palette (distinguishable with the common colour-vision
/// deficiencies), dash patterns that tell baselines apart without colour, and the CSS.
package enum ReportStyle {
    package static let ink = "#1d2430"
    package static let muted = "#5b6472"
    package static let grid = "#e6e9ee"
    package static let axis = "#9aa3b0"

    // Okabe-Ito.
    package static let blue = "#0072B2"
    package static let orange = "#E69F00"
    package static let green = "#009E73"
    package static let vermillion = "#D55E00"
    package static let purple = "#CC79A7"
    package static let sky = "#56B4E9"
    package static let grey = "#7a7f87"

    /// The colour that stands for a kind of model in every chart and table.
    package static func color(for kind: BaselineKind) -> String {
        switch kind {
        case .pretrained: self.grey
        case .siteAlone, .sitesAloneMean: self.vermillion
        case .centralised: self.green
        case .federated: self.blue
        }
    }

    /// The dash pattern of a baseline's reference line, distinct per kind.
    package static func dash(for kind: BaselineKind) -> String {
        switch kind {
        case .pretrained: "2 4"
        case .siteAlone, .sitesAloneMean: "7 4"
        case .centralised: "12 4 3 4"
        case .federated: "1 0"
        }
    }

    /// The sequential blue ramp of the heat map at `t` in 0…1 (light to dark).
    package static func heat(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
        ]
        let clamped = t.isFinite ? min(1, max(0, t)) : 0
        let position = clamped * Double(stops.count - 1)
        let index = min(Int(position), stops.count - 2)
        let f = position - Double(index)
        let (a, b) = (stops[index], stops[index + 1])
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        let hex = [mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2)].map { String($0, radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return "#" + hex
    }

    /// Whether text on `heat(t)` should be white: the ramp is dark past about 0.55.
    package static func needsLightText(_ t: Double) -> Bool { t.isFinite && t > 0.55 }
}
