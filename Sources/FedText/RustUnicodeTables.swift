/// Which Unicode version each part of Hugging Face's Rust `tokenizers` (0.20.3) knows, so
/// that Swift's newer tables give the same answers.
///
/// The reference tokenizer mixes three sets of tables, all older than Swift's:
/// * general categories (control, punctuation, non-spacing mark) come from the
///   `unicode_categories` crate, which has **Unicode 8.0**;
/// * NFD comes from `unicode-normalization-alignments`, which has **Unicode 9.0**;
/// * lowercasing is Rust's `char::to_lowercase`, **Unicode 15.1** in the compiler it was built with.
///
/// A scalar first assigned after a table's version is, for that table, unassigned: not a
/// control character, not punctuation, not a mark, with no decomposition, combining class 0
/// and no lowercase. These versions and the exceptions below were found by running every
/// code point through the Rust tokenizer and through this port
/// (`scripts/fixtures/make_tokenizer_cases.py` writes the comparison table the tests use).
enum RustUnicodeTables {
    /// Unicode version of the general-category tables.
    static let categoryVersion = (major: 8, minor: 0)
    /// Unicode version of the canonical decomposition and combining class tables.
    static let decompositionVersion = (major: 9, minor: 0)
    /// Unicode version of the lowercase mappings.
    static let lowercaseVersion = (major: 15, minor: 1)

    /// The general category as Unicode 8.0 had it: `.unassigned` for later scalars, and the
    /// old category for the few scalars whose category has changed since in a way that
    /// matters here (punctuation ↔ symbol, mark kinds).
    static func generalCategory(of scalar: Unicode.Scalar) -> Unicode.GeneralCategory {
        let properties = scalar.properties
        guard Self.isAssigned(properties, byVersion: Self.categoryVersion) else { return .unassigned }
        switch scalar.value {
        case 0x166D, 0x111C9:
            // CANADIAN SYLLABICS CHI SIGN (So since 12.0), SHARADA SANDHI MARK (Mn since 11.0).
            return .otherPunctuation
        case 0x1734, 0x1171E:
            // HANUNOO SIGN PAMUDPOD, AHOM CONSONANT SIGN MEDIAL RA: Mc since 14.0 and 13.0.
            return .nonspacingMark
        case 0x1885, 0x1886:
            // MONGOLIAN LETTER ALI GALI BALUDA / THREE BALUDA: Mn since 9.0.
            return .otherLetter
        case 0xA9BD:
            // JAVANESE CONSONANT SIGN KERET: Mn since 12.0.
            return .spacingMark
        default:
            return properties.generalCategory
        }
    }

    /// Scalars whose category in Unicode 8.0 differs from today's in a way that matters here
    /// (the cases of `generalCategory(of:)`).
    private static let recategorized: Set<UInt32> = [0x166D, 0x111C9, 0x1734, 0x1171E, 0x1885, 0x1886, 0xA9BD]

    /// Whether the scalar's Unicode 8.0 category satisfies `test`. Today's category is looked
    /// at first: apart from `recategorized`, the old category is today's or unassigned, so a
    /// scalar failing `test` today fails it in 8.0 as well, and most scalars (letters) are
    /// answered without looking up their age.
    static func category(of scalar: Unicode.Scalar, satisfies test: (Unicode.GeneralCategory) -> Bool) -> Bool {
        guard test(scalar.properties.generalCategory) || Self.recategorized.contains(scalar.value) else { return false }
        return test(Self.generalCategory(of: scalar))
    }

    /// Whether Rust's NFD knows this scalar (decomposition and combining class); a later
    /// scalar acts as a starter that decomposes to itself.
    static func hasDecompositionData(_ scalar: Unicode.Scalar) -> Bool {
        Self.isAssigned(scalar.properties, byVersion: Self.decompositionVersion)
    }

    /// Whether Rust's lowercasing knows this scalar; later scalars are left as they are.
    static func hasLowercaseData(_ scalar: Unicode.Scalar) -> Bool {
        Self.isAssigned(scalar.properties, byVersion: Self.lowercaseVersion)
    }

    private static func isAssigned(
        _ properties: Unicode.Scalar.Properties,
        byVersion version: (major: Int, minor: Int)
    ) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < version.major || (age.major == version.major && age.minor <= version.minor)
    }
}
