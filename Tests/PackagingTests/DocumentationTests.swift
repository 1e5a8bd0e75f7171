import Foundation
import Testing
import TestSupport

/// The documentation's links lead somewhere: every relative link in README.md and docs/*.md
/// (the "Finding your way" table included) names a file or folder of the repository, and every
/// `#anchor` into a markdown file names one of its headings.
@Suite struct DocumentationTests {
    /// GitHub's anchor of a heading: lower case, punctuation but `-` dropped, spaces as `-`.
    private func anchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { $0 == " " ? "-" : ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : nil })
    }

    @Test func everyRelativeLinkLeadsToAFileAndHeading() throws {
        let pages = ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: Repository.path("docs")))
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        let link = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        var checked = 0
        for page in pages {
            let text = try String(contentsOfFile: Repository.path(page), encoding: .utf8)
            let folder = (page as NSString).deletingLastPathComponent
            for match in link.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let target = String(text[Range(match.range(at: 1), in: text)!])
                guard !target.contains("://"), !target.hasPrefix("mailto:") else { continue }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? page : (folder.isEmpty ? parts[0] : folder + "/" + parts[0])
                let path = (Repository.path(file) as NSString).standardizingPath
                #expect(FileManager.default.fileExists(atPath: path), "\(page): \(target)")
                if parts.count == 2, file.hasSuffix(".md"), let linked = try? String(contentsOfFile: path, encoding: .utf8) {
                    let headings = linked.split(separator: "\n").filter { $0.hasPrefix("#") }
                        .map { anchor(String($0.drop { $0 == "#" }).trimmingCharacters(in: .whitespaces)) }
                    #expect(headings.contains(parts[1]), "\(page): \(target) names no heading of \(file)")
                }
                checked += 1
            }
        }
        #expect(checked > 50, "\(checked) links")
    }
}
