import BackupScan
import ExporterCore
import Exposition
import Foundation
import MicroHTTPD

/// libFuzzer targets for every parser that reads outside input. The target is chosen with the
/// environment variable `FUZZ_TARGET`; `Fuzz/run.sh` builds this with `-sanitize=fuzzer`.
/// Besides not crashing, each target checks a property of its parser.
enum FuzzTarget: String, CaseIterable {
    case duration, webConfig = "web-config", cassandraYaml = "cassandra-yaml", acceptEncoding = "accept-encoding",
         labelEscaping = "label-escaping", basicAuth = "basic-auth", snapshotManifest = "snapshot-manifest",
         listenAddress = "listen-address", sstableTOC = "sstable-toc"

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("set FUZZ_TARGET to one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .duration:
            if let duration = PrometheusDuration(text) {
                require(PrometheusDuration(duration.description) == duration, "duration \(text) does not round-trip")
            }
        case .webConfig:
            do { _ = try WebConfig.parse(bytes: bytes, path: "fuzz.yml") } catch { require(!error.description.contains(where: \.isNewline), "multi-line error") }
        case .cassandraYaml:
            do { _ = try CassandraConfig.parse(bytes: bytes, path: "fuzz.yaml") } catch { require(!error.description.contains(where: \.isNewline), "multi-line error") }
        case .acceptEncoding:
            _ = ContentNegotiation.acceptsGzip(text)
            _ = ContentNegotiation.format(accept: text)
        case .labelEscaping:
            let escaped = TextFormat.escapeLabelValue(text)
            require(!escaped.unicodeScalars.contains("\n"), "a raw line feed in an escaped label value")
            require(unescape(escaped) == text, "escaping does not round-trip")
        case .basicAuth:
            _ = AccessControl.basicCredentials(text)
            // Any user without a colon and any password, neither with a NUL, encoded as a client
            // does (RFC 7617), decode to themselves: the split is at the first colon. With a NUL
            // (which would end the C string bcrypt reads) they are refused.
            let parts = text.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
            let user = String(String.UnicodeScalarView(parts[0].unicodeScalars.filter { $0 != ":" }))
            let password = parts.count > 1 ? String(String.UnicodeScalarView(parts[1].unicodeScalars.filter { $0 != "\u{0}" })) : ""
            let header = "Basic " + Data((user + ":" + password).utf8).base64EncodedString()
            let decoded = AccessControl.basicCredentials(header)
            require(decoded?.user == user && decoded?.password == password, "credentials do not round-trip")
            let withNul = "Basic " + Data((user + ":" + password + "\u{0}" + password).utf8).base64EncodedString()
            require(AccessControl.basicCredentials(withNul) == nil, "credentials with a NUL byte accepted")
        case .snapshotManifest:
            _ = SnapshotManifest(json: bytes)
            _ = SnapshotManifest.parseInstant(text)
        case .sstableTOC:
            // The known names among the lines come back, whatever else the file holds.
            if let components = SSTableComponents(toc: bytes) {
                let lines = Set(bytes.split(separator: UInt8(ascii: "\n")).map { line in
                    var name = line[...]
                    while name.last == UInt8(ascii: "\r") || name.last == UInt8(ascii: " ") { name = name.dropLast() }
                    return String(decoding: name, as: UTF8.self)
                })
                require(Set(components.knownNames) == Set(SSTableComponents.names.filter(lines.contains)), "TOC components do not round-trip")
            }
        case .listenAddress:
            if let address = try? ListenAddress(parsing: text) {
                require((try? ListenAddress(parsing: address.description)) == address, "listen address does not round-trip")
            }
        }
    }

    /// The inverse of the text format's label escaping.
    private func unescape(_ text: String) -> String {
        var result = ""
        var escaping = false
        for scalar in text.unicodeScalars {
            if escaping {
                result.unicodeScalars.append(scalar == "n" ? "\n" : scalar)
                escaping = false
            } else if scalar == "\\" {
                escaping = true
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz target \(rawValue): \(message())") }
    }
}

/// One input for the selected target; libFuzzer's callback.
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}
