/// A parsed line of Prometheus text exposition, for assertions in tests.
public struct ExposedSample: Sendable {
    public let name: String
    public let labels: [String: String]
    public let value: Double
}

/// Reads the samples of a text exposition (the subset the exporter writes: no timestamps).
public func parseExposition(_ text: String) -> [ExposedSample] {
    var samples: [ExposedSample] = []
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        var name = ""
        var labels: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " { name.append(line[index]); index = line.index(after: index) }
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            while line[index] != "}" {
                var key = ""
                while line[index] != "=" { key.append(line[index]); index = line.index(after: index) }
                index = line.index(index, offsetBy: 2)  // ="
                var value = ""
                while line[index] != "\"" {
                    if line[index] == "\\" {
                        index = line.index(after: index)
                        value.append(line[index] == "n" ? "\n" : line[index])
                    } else {
                        value.append(line[index])
                    }
                    index = line.index(after: index)
                }
                labels[key] = value
                index = line.index(after: index)
                if line[index] == "," { index = line.index(after: index) }
            }
            index = line.index(after: index)
        }
        let valueText = line[index...].trimmingPrefix(" ")
        samples.append(ExposedSample(name: name, labels: labels, value: Double(valueText) ?? .nan))
    }
    return samples
}

extension Array where Element == ExposedSample {
    /// The value of the one sample named `name` whose labels include `labels`; `nil` when absent.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
    }
}
