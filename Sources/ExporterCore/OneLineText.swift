import Yams

extension String {
    /// This text with every line break (LF, VT, FF, CR, NEL, U+2028, U+2029) written as an escape
    /// (`\n`, `\r`, `\u{2028}`), so text quoted from a file cannot split a start-up error or a log
    /// line in two.
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

/// The reason for a YAML syntax error on one line: where, what, and in which construct
/// (`3:1: did not find expected ',' or ']', while parsing a flow sequence at 1:4`), without the
/// source line and caret Yams prints below its own message.
func malformedYAMLReason(_ error: any Error) -> String {
    switch error as? YamlError {
    case let .scanner(context, problem, mark, _)?, let .parser(context, problem, mark, _)?,
         let .composer(context, problem, mark, _)?:
        let construct = context.map { ", \($0.text) at \($0.mark)" } ?? ""
        return "malformed YAML: \(mark): \(problem)\(construct)"
    default:
        return "malformed YAML: " + String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
