import Exposition

/// Reads the request headers that choose a response's representation (RFC 9110, section 12.5).
public enum ContentNegotiation {
    /// Whether the client accepts gzip (`Accept-Encoding`): `gzip` or `*` listed with a non-zero
    /// quality, and gzip not refused explicitly with `q=0`.
    public static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var gzipQuality: Double?
        var wildcardQuality: Double?
        for item in items(header) {
            if item.value == "gzip" || item.value == "x-gzip" { gzipQuality = item.quality }
            if item.value == "*" { wildcardQuality = item.quality }
        }
        return (gzipQuality ?? wildcardQuality ?? 0) > 0
    }

    /// The format for an `Accept` header, as client_golang's `expfmt.Negotiate` chooses: the
    /// acceptable media types from the highest quality down (ties in the client's order), the
    /// first one served wins. OpenMetrics is served for `application/openmetrics-text` without a
    /// version or with 0.0.1 or 1.0.0 (the 1.0 text is a valid 0.0.1 text); anything else, or
    /// nothing, gets the 0.0.4 text format.
    public static func format(accept header: String?) -> ExpositionFormat {
        guard let header else { return .prometheus }
        let ranked = items(header).enumerated().filter { $0.element.quality > 0 }
            .sorted { ($0.element.quality, -$0.offset) > ($1.element.quality, -$1.offset) }.map(\.element)
        for item in ranked {
            let version = item.parameters["version"]
            switch item.value {
            case "application/openmetrics-text" where version == nil || version == "0.0.1" || version == "1.0.0":
                return .openMetrics
            case "text/plain" where version == nil || version == "0.0.4", "text/*", "*/*":
                return .prometheus
            default: continue
            }
        }
        return .prometheus
    }

    /// The comma-separated items of a header: lower-cased value, its parameters and its quality.
    private static func items(_ header: String) -> [(value: String, parameters: [String: String], quality: Double)] {
        header.split(separator: ",").compactMap { item in
            let parts = item.split(separator: ";").map { $0.trimming(while: isOptionalWhiteSpace).lowercased() }
            guard let value = parts.first, !value.isEmpty else { return nil }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimming(while: isOptionalWhiteSpace) }
                guard pair.count == 2 else { continue }
                parameters[String(pair[0])] = String(pair[1].trimming { $0 == "\"" })
            }
            let quality = parameters["q"].map { Double($0) ?? 0 } ?? 1
            return (value, parameters, quality)
        }
    }
}

/// HTTP's optional white space (RFC 9110, OWS): spaces and tabs.
private func isOptionalWhiteSpace(_ character: Character) -> Bool { character == " " || character == "\t" }
