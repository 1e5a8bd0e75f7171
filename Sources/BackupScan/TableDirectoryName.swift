/// A table directory name, `<table>-<32 lowercase hex>`, split into its parts.
///
/// Cassandra names the directory from the table name and its id without dashes
/// (`Directories.java`: `cfName + '-' + ByteBufferUtil.bytesToHex(...)`).
public struct TableDirectoryName: Sendable, Equatable {
    public let table: String
    public let tableID: String

    /// Parses a directory name; `nil` when it is not a table directory.
    public init?(_ name: String) {
        let utf8 = name.utf8
        guard utf8.count > 33 else { return nil }
        let idStart = utf8.index(utf8.endIndex, offsetBy: -32)
        let dash = utf8.index(before: idStart)
        guard utf8[dash] == UInt8(ascii: "-"),
              utf8[idStart...].allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { return nil }
        table = String(name[..<dash])
        tableID = String(name[idStart...])
    }
}
