extension StringProtocol {
    /// This text without the white space (spaces, tabs, line breaks) at either end. Foundation's
    /// `trimmingCharacters(in:)` needs all of Foundation, which the exporter does not load.
    func trimmingWhitespace() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
