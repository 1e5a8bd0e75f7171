extension StringProtocol {
    /// This text without the characters matching `unwanted` at either end.
    func trimming(while unwanted: (Character) -> Bool) -> SubSequence {
        guard let first = firstIndex(where: { !unwanted($0) }), let last = lastIndex(where: { !unwanted($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    /// This text without the white space (spaces, tabs, line breaks) at either end. Foundation's
    /// `trimmingCharacters(in:)` needs all of Foundation, which the exporter does not load.
    func trimmingWhitespace() -> SubSequence { trimming(while: \.isWhitespace) }
}
