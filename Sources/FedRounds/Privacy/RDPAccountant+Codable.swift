/// The accountant's durable form: its orders, its relation and its RDP values, with +∞ (a
/// release without noise) written as the string "inf" so any JSON encoder accepts it. Every
/// finite Double survives a JSON round trip exactly, so a restored accountant gives the same ε.
extension RDPAccountant: Codable {
    private enum CodingKeys: String, CodingKey {
        case orders, rdp, relation
    }

    /// A stored RDP value: a number, or "inf" for +∞.
    private struct Value: Codable {
        var value: Double

        init(_ value: Double) { self.value = value }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self.value = number
            } else if try container.decode(String.self) == "inf" {
                self.value = .infinity
            } else {
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "an RDP value must be a number or \"inf\""
                )
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            if self.value == .infinity {
                try container.encode("inf")
            } else {
                try container.encode(self.value)
            }
        }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let orders = try container.decode([Double].self, forKey: .orders)
        let rdp = try container.decode([Value].self, forKey: .rdp).map(\.value)
        let relation = try container.decode(NeighboringRelation.self, forKey: .relation)
        guard rdp.count == orders.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .rdp,
                in: container,
                debugDescription:
                    "\(rdp.count) RDP values for \(orders.count) orders: the accountant's state is damaged"
            )
        }
        do {
            self = try RDPAccountant(orders: orders, relation: relation)
        } catch {
            throw DecodingError.dataCorruptedError(forKey: .orders, in: container, debugDescription: "\(error)")
        }
        self.rdp = rdp
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.orders, forKey: .orders)
        try container.encode(self.rdp.map(Value.init), forKey: .rdp)
        try container.encode(self.relation, forKey: .relation)
    }
}
