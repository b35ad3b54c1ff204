/// An entry of a catalog: found by the name users type.
package protocol CatalogEntry: Sendable {
    var name: String { get }
    /// The error for a name no entry has, listing the names that exist.
    static func unknown(name: String, known: [String]) -> FetchError
}

/// What fedtune can fetch, as data: adding a model or a dataset is adding an entry.
package struct Catalog<Entry: CatalogEntry>: Sendable {
    package let entries: [Entry]

    package init(_ entries: [Entry]) {
        self.entries = entries
    }

    package func entry(named name: String) throws -> Entry {
        guard let entry = self.entries.first(where: { $0.name == name }) else {
            throw Entry.unknown(name: name, known: self.entries.map(\.name))
        }
        return entry
    }
}

package typealias ModelCatalog = Catalog<ModelEntry>
package typealias DatasetCatalog = Catalog<DatasetEntry>
