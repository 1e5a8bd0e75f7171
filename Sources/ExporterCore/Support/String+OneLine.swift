extension String {
    /// This text with every line break (LF, VT, FF, CR, NEL, U+2028, U+2029) written as an escape
    /// (`\n`, `\r`, `\u{2028}`), so a path holding one cannot split a start-up error or a log line in two.
    var escapingLineBreaks: String {
        guard unicodeScalars.contains(where: \.isLineBreak) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case _ where scalar.isLineBreak: result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension Unicode.Scalar {
    /// The scalars `Character.isNewline` counts as line breaks.
    fileprivate var isLineBreak: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}
