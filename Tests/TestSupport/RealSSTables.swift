import Foundation

/// The SSTables Cassandra itself wrote for its tests, every on-disk format from 3.0 to 5.0, as
/// facts (names, sizes, TOC.txt lines) carried in `Fixtures/cassandra-sstables.tsv`; tests lay
/// them out as a node does: table directories with ids, `backups/`, snapshots with manifests.
public struct RealSSTable: Sendable {
    /// `ma` … `oa`, `da`.
    public let version: String
    /// Cassandra's test table it comes from, `legacy_na_simple`.
    public let table: String
    /// Component name → size in bytes, for every file Cassandra wrote.
    public let components: [(name: String, size: Int)]
    /// TOC.txt's lines as written.
    public let toc: [String]
    /// `nb-1-big` with the generation of the original (1).
    private let name: String

    /// Every SSTable of the fixture, in file order.
    public static let all: [RealSSTable] = {
        let text = (try? String(contentsOfFile: Repository.path("Tests/TestSupport/Fixtures/cassandra-sstables.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return RealSSTable(version: fields[0], table: fields[2],
                               components: fields[3].split(separator: ",").map {
                                   let parts = $0.split(separator: ":")
                                   return (String(parts[0]), Int(parts[1])!)
                               },
                               toc: fields[4].split(separator: ",").map(String.init), name: fields[1])
        }
    }()

    /// The SSTable's name without the component for `generation`: `na-7-big`.
    public func sstable(generation: Int) -> String {
        let parts = name.split(separator: "-")
        return "\(parts[0])-\(generation)-\(parts[2])"
    }

    /// The file name of `component` for `generation`.
    public func file(_ component: String, generation: Int) -> String { "\(sstable(generation: generation))-\(component)" }

    /// Writes the SSTable into `directory` (relative to `tree`'s root) as generation
    /// `generation`: every component at its real size, TOC.txt with its real lines.
    public func write(in directory: String, generation: Int, with tree: FixtureBuilder) throws {
        for (component, size) in components where component != "TOC.txt" {
            try tree.file("\(directory)/\(file(component, generation: generation))", size: size)
        }
        try tree.text("\(directory)/\(file("TOC.txt", generation: generation))", toc.joined(separator: "\n") + "\n")
    }

    /// Hard-links every component of generation `generation` from `source` into `target`
    /// (Cassandra's `createLinks`, for `backups/` and snapshots).
    public func link(from source: String, into target: String, generation: Int, with tree: FixtureBuilder) throws {
        for (component, _) in components {
            try tree.link("\(target)/\(file(component, generation: generation))", to: "\(source)/\(file(component, generation: generation))")
        }
    }
}

/// What the scanner's idea of a complete SSTable is checked against, written independently with
/// find and the shell: an SSTable below `directory` is incomplete when its Data.db, its TOC.txt
/// or a component its TOC lists is missing.
public enum SSTableOracle {
    /// SSTables (TOC.txt or Data.db files) below `directory`, and those incomplete.
    public static func count(in directory: String) throws -> (sstables: Int, incomplete: Int) {
        let script = #"""
            total=0; bad=0
            for f in $(find "$1" -type f \( -name '*-TOC.txt' -o -name '*-Data.db' \) | sed -E 's/-(TOC\.txt|Data\.db)$//' | sort -u); do
                total=$((total + 1)); ok=1
                [ -e "$f-Data.db" ] && [ -e "$f-TOC.txt" ] || ok=0
                if [ -e "$f-TOC.txt" ]; then
                    while read -r c; do [ -z "$c" ] || [ -e "$f-$c" ] || ok=0; done < "$f-TOC.txt"
                fi
                [ $ok = 1 ] || bad=$((bad + 1))
            done
            echo "$total $bad"
            """#
        let out = try Command.output("/bin/bash", ["-c", script, "oracle", directory]).split(separator: " ")
        return (Int(out[0].trimmingCharacters(in: .whitespacesAndNewlines))!, Int(out[1].trimmingCharacters(in: .whitespacesAndNewlines))!)
    }
}
