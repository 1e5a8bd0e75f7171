/// Identity of an inode across the whole machine: `(st_dev, st_ino)`.
public struct InodeKey: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
}

/// What kind of directory entry a name refers to, without following symlinks.
public enum FileKind: Sendable {
    case regular, directory, other
}

/// The fields of `lstat(2)` the scanner uses.
public struct FileStatus: Sendable {
    public let kind: FileKind
    public let key: InodeKey
    public let linkCount: UInt64
    /// Apparent size, `st_size`.
    public let size: UInt64
    /// Allocated bytes, `st_blocks * 512`.
    public let allocated: UInt64
    /// `st_mtime` in seconds since the epoch, with nanoseconds.
    public let modified: Double
}
