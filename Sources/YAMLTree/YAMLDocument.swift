import CLibYAML

/// Reads one YAML 1.1 document with libyaml's event API and composes it into a ``YAMLNode`` tree.
///
/// Written over libyaml rather than with Yams: Yams' composer refuses every mapping with a
/// duplicated key (and quotes the whole file in that error), while Cassandra's SnakeYAML lets the
/// last duplicate win. Composing from events lets each reader choose (``DuplicateKeys``). This
/// file holds the module's only unsafe code.
///
/// Limits follow SnakeYAML's defaults, so a hostile file costs little: nesting deeper than
/// ``nestingLimit`` and more than ``aliasLimit`` aliases of collections are refused.
public enum YAMLDocument {
    /// SnakeYAML's `LoaderOptions.nestingDepthLimit`.
    public static let nestingLimit = 50
    /// SnakeYAML's `LoaderOptions.maxAliasesForCollections`.
    public static let aliasLimit = 50

    /// The document's root node; `nil` for a text with no document (empty, or comments only).
    /// - Throws: ``YAMLError`` for malformed YAML, more than one document, an undefined alias,
    ///   a limit exceeded, or a duplicated key under ``DuplicateKeys/refuse``.
    public static func parse(_ bytes: [UInt8], duplicateKeys: DuplicateKeys) throws(YAMLError) -> YAMLNode? {
        guard !bytes.isEmpty else { return nil }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw YAMLError("out of memory", at: nil) }
        defer { yaml_parser_delete(&parser) }
        var composer = Composer(duplicateKeys: duplicateKeys)
        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { throw error(of: parser) }
                defer { yaml_event_delete(&event) }
                let mark = YAMLMark(event.start_mark)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return composer.root
                case YAML_DOCUMENT_START_EVENT:
                    try composer.startDocument(at: mark)
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                    let node = YAMLNode(.scalar(text, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE),
                                        tag: string(scalar.tag), mark: mark)
                    try composer.add(node, anchor: string(scalar.anchor))
                case YAML_SEQUENCE_START_EVENT:
                    let start = event.data.sequence_start
                    try composer.open(mapping: false, tag: string(start.tag), anchor: string(start.anchor), at: mark)
                case YAML_MAPPING_START_EVENT:
                    let start = event.data.mapping_start
                    try composer.open(mapping: true, tag: string(start.tag), anchor: string(start.anchor), at: mark)
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    try composer.close()
                case YAML_ALIAS_EVENT:
                    try composer.alias(string(event.data.alias.anchor) ?? "", at: mark)
                default:
                    continue  // stream start, document end
                }
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// libyaml's problem and context are fixed strings of its own, never document text.
    private static func error(of parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        if parser.error == YAML_READER_ERROR {
            return YAMLError("\(problem) at byte \(parser.problem_offset)", at: nil)
        }
        let context = parser.context.map { (text: String(cString: $0), mark: YAMLMark(parser.context_mark)) }
        return YAMLError(problem, at: YAMLMark(parser.problem_mark), context: context)
    }
}

extension YAMLMark {
    fileprivate init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}

/// Builds the tree from events with an explicit stack, so deep input cannot exhaust the call stack.
private struct Composer {
    private struct OpenCollection {
        let isMapping: Bool
        let tag: String?
        let anchor: String?
        let mark: YAMLMark
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// Scalar keys seen so far and where, for ``DuplicateKeys/refuse``.
        var keys: [String: YAMLMark] = [:]
    }

    let duplicateKeys: DuplicateKeys
    private(set) var root: YAMLNode?
    private var documents = 0
    private var stack: [OpenCollection] = []
    private var anchors: [String: YAMLNode] = [:]
    private var collectionAliases = 0

    init(duplicateKeys: DuplicateKeys) {
        self.duplicateKeys = duplicateKeys
    }

    mutating func startDocument(at mark: YAMLMark) throws(YAMLError) {
        documents += 1
        // SnakeYAML's `loadAs` reads a single document.
        guard documents == 1 else { throw YAMLError("expected a single document in the stream, found another", at: mark) }
    }

    mutating func open(mapping: Bool, tag: String?, anchor: String?, at mark: YAMLMark) throws(YAMLError) {
        guard stack.count < YAMLDocument.nestingLimit else {
            throw YAMLError("nesting deeper than \(YAMLDocument.nestingLimit) levels", at: mark)
        }
        stack.append(OpenCollection(isMapping: mapping, tag: tag, anchor: anchor, mark: mark))
    }

    mutating func close() throws(YAMLError) {
        let collection = stack.removeLast()
        let content: YAMLNode.Content = collection.isMapping ? .mapping(collection.pairs) : .sequence(collection.items)
        try add(YAMLNode(content, tag: collection.tag, mark: collection.mark), anchor: collection.anchor)
    }

    mutating func alias(_ name: String, at mark: YAMLMark) throws(YAMLError) {
        guard let node = anchors[name] else { throw YAMLError("found undefined alias", at: mark) }
        if node.scalar == nil {
            collectionAliases += 1
            guard collectionAliases <= YAMLDocument.aliasLimit else {
                throw YAMLError("more than \(YAMLDocument.aliasLimit) aliases of collections", at: mark)
            }
        }
        try add(node, anchor: nil)
    }

    mutating func add(_ node: YAMLNode, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = node }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        guard let key = stack[top].pendingKey else {
            if duplicateKeys == .refuse, let name = node.scalar {
                if let first = stack[top].keys[name] {
                    throw YAMLError("duplicate key (first at \(first))", at: node.mark)
                }
                stack[top].keys[name] = node.mark
            }
            stack[top].pendingKey = node
            return
        }
        stack[top].pairs.append(YAMLPair(key: key, value: node))
        stack[top].pendingKey = nil
    }
}
