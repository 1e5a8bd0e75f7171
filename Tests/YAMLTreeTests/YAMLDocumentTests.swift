import Testing
import YAMLTree

@Suite struct YAMLDocumentTests {
    private func parse(_ text: String, _ duplicates: DuplicateKeys = .lastWins) throws(YAMLError) -> YAMLNode? {
        try YAMLDocument.parse(Array(text.utf8), duplicateKeys: duplicates)
    }

    @Test func composesScalarsListsAndMappingsWithPositions() throws {
        let root = try #require(try parse("a: 1\nb:\n  - x\n  - 'y'\nc: {d: e}\n"))
        #expect(root.pairs?.map { $0.key.scalar } == ["a", "b", "c"])
        #expect(root.value(forKey: "b")?.items?.map(\.scalar) == ["x", "y"])
        #expect(root.value(forKey: "b")?.items?.last?.mark == YAMLMark(line: 4, column: 5))
        #expect(root.value(forKey: "c")?.value(forKey: "d")?.scalar == "e")
        #expect(root.value(forKey: "a")?.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func noDocumentIsNil() throws {
        #expect(try parse("") == nil)
        #expect(try parse("# only a comment\n\n") == nil)
    }

    @Test func lastDuplicateWinsAtAnyDepth() throws {
        let root = try #require(try parse("k: 1\nm:\n  n: a\n  n: b\nk: 2\n"))
        #expect(root.value(forKey: "k")?.scalar == "2")
        #expect(root.value(forKey: "m")?.value(forKey: "n")?.scalar == "b")
        #expect(root.pairs?.count == 3)
    }

    @Test func strictModeRefusesDuplicatesWithBothPositions() {
        #expect(throws: YAMLError("duplicate key (first at 2:3)", at: YAMLMark(line: 3, column: 3))) {
            try parse("m:\n  n: a\n  n: b\n", .refuse)
        }
    }

    @Test func nullsAndTagsAreKept() throws {
        let root = try #require(try parse("a:\nb: ~\nc: 'null'\nd: !!bool yes\ne: !!null x\n"))
        #expect(root.value(forKey: "a")?.isNull == true)
        #expect(root.value(forKey: "b")?.isNull == true)
        #expect(root.value(forKey: "c")?.isNull == false)
        #expect(root.value(forKey: "d")?.tag == YAMLTag.bool)
        #expect(root.value(forKey: "e")?.isNull == true)
    }

    @Test func aliasesAreResolved() throws {
        let root = try #require(try parse("a: &x [1, 2]\nb: *x\n"))
        #expect(root.value(forKey: "b")?.items?.map(\.scalar) == ["1", "2"])
    }

    @Test func crlfLineEndsReadLikeLineFeeds() throws {
        let root = try #require(try parse("a: 1\r\nb:\r\n  - x\r\n"))
        #expect(root.value(forKey: "b")?.items?.first?.scalar == "x")
        #expect(root.value(forKey: "b")?.items?.first?.mark == YAMLMark(line: 3, column: 5))
    }

    /// Errors carry libyaml's fixed wording and positions; the document's text stays out.
    @Test(arguments: [
        ("secret_a: [unclosed\nsecret_b: c", "2:9: did not find expected ',' or ']', while parsing a flow sequence at 1:11"),
        ("a: 1\n---\nb: 2\n", "2:1: expected a single document in the stream, found another"),
        ("a: *nowhere\n", "1:4: found undefined alias"),
        ("key: \"secret\tvalue\n", "2:1: found unexpected end of stream, while scanning a quoted scalar at 1:6"),
    ])
    func errorsHoldPositionsNotContent(text: String, expected: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted")
        } catch {
            #expect(error.description == expected)
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func invalidUTF8IsAReaderError() {
        #expect(throws: YAMLError("invalid leading UTF-8 octet at byte 3", at: nil)) {
            try YAMLDocument.parse([0x61, 0x3A, 0x20, 0xFF, 0x0A], duplicateKeys: .lastWins)
        }
    }

    /// SnakeYAML's defaults: nesting deeper than 50 and more than 50 aliases of collections.
    @Test func hostileDocumentsHitTheLimits() throws {
        let deep = String(repeating: "[", count: 51) + String(repeating: "]", count: 51)
        #expect(throws: YAMLError("nesting deeper than 50 levels", at: YAMLMark(line: 1, column: 51))) { try parse(deep) }
        #expect(try parse(String(repeating: "[", count: 50) + String(repeating: "]", count: 50)) != nil)
        let laughs = "a: &a [x]\nb: [" + Array(repeating: "*a", count: 51).joined(separator: ", ") + "]\n"
        #expect(throws: YAMLError.self) { try parse(laughs) }
        let fine = "a: &a [x]\nb: [" + Array(repeating: "*a", count: 50).joined(separator: ", ") + "]\n"
        #expect(try parse(fine)?.value(forKey: "b")?.items?.count == 50)
    }
}
