/// A position in a YAML text: 1-based line and column, as editors show them.
public struct YAMLMark: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`.
    public var description: String { "\(line):\(column)" }
}

/// One node of a YAML document: a scalar, a sequence or a mapping, with its explicit tag (if any)
/// and where it starts. Aliases are already replaced by the node they name.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        /// The scalar's text; `plain` is false for quoted and block scalars.
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        /// Pairs in document order; with ``DuplicateKeys/lastWins`` a key may appear more than once.
        case mapping([YAMLPair])
    }

    public let content: Content
    /// The explicit tag in full form (`!!bool` is `tag:yaml.org,2002:bool`); `nil` when none was written.
    public let tag: String?
    public let mark: YAMLMark

    public init(_ content: Content, tag: String? = nil, mark: YAMLMark) {
        self.content = content
        self.tag = tag
        self.mark = mark
    }

    /// The scalar's text, or `nil` for a collection.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// The items of a sequence, or `nil`.
    public var items: [YAMLNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The pairs of a mapping, or `nil`.
    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// Whether YAML 1.1 resolves the node to null: `!!null`, or an untagged plain scalar that is
    /// empty, `~`, `null`, `Null` or `NULL`.
    public var isNull: Bool {
        if tag == YAMLTag.null { return true }
        guard tag == nil, case .scalar(let text, plain: true) = content else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(text)
    }

    /// The value of the last pair whose key is the scalar `key` (the last one wins, as in
    /// SnakeYAML with duplicate keys allowed); `nil` when the node is no mapping or lacks the key.
    public func value(forKey key: String) -> YAMLNode? {
        pairs?.last { $0.key.scalar == key }?.value
    }

    /// A word for the node's kind, for error messages that must not quote content.
    public var kindDescription: String {
        switch content {
        case .scalar: isNull ? "null" : "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// A key and its value in a mapping.
public struct YAMLPair: Sendable {
    public let key: YAMLNode
    public let value: YAMLNode

    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// The YAML 1.1 core tags the readers compare with.
public enum YAMLTag {
    public static let null = "tag:yaml.org,2002:null"
    public static let bool = "tag:yaml.org,2002:bool"
    public static let str = "tag:yaml.org,2002:str"
    public static let seq = "tag:yaml.org,2002:seq"
    public static let map = "tag:yaml.org,2002:map"
}

/// What a mapping that holds the same key twice means.
public enum DuplicateKeys: Sendable {
    /// The last pair wins, at any depth: SnakeYAML's default (`LoaderOptions.allowDuplicateKeys`),
    /// so Cassandra's reading of cassandra.yaml.
    case lastWins
    /// The document is refused: go-yaml's strict mode, so exporter-toolkit's reading of a web config.
    case refuse
}

/// Why a YAML text cannot be read. Its text holds positions and libyaml's or our own fixed
/// wording, never a piece of the document, so it is safe to log for files holding secrets.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problem: String
    public let mark: YAMLMark?
    /// The construct being read when the problem was found, and where it began.
    public let context: (text: String, mark: YAMLMark)?

    public init(_ problem: String, at mark: YAMLMark?, context: (text: String, mark: YAMLMark)? = nil) {
        self.problem = problem
        self.mark = mark
        self.context = context
    }

    /// `3:1: did not find expected key, while parsing a block mapping at 1:1`.
    public var description: String {
        let position = mark.map { "\($0): " } ?? ""
        let construct = context.map { ", \($0.text) at \($0.mark)" } ?? ""
        return position + problem + construct
    }

    public static func == (lhs: YAMLError, rhs: YAMLError) -> Bool {
        lhs.description == rhs.description
    }
}
