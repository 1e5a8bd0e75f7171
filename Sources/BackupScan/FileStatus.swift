import Glibc

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
    /// `st_ctime` likewise: also set when a link to the inode is made or removed.
    public let changed: Double
}

extension InodeKey: Comparable {
    public static func < (lhs: InodeKey, rhs: InodeKey) -> Bool {
        (lhs.device, lhs.inode) < (rhs.device, rhs.inode)
    }
}

extension FileStatus {
    /// The fields of a `stat` result.
    init(_ raw: stat) {
        let type = raw.st_mode & S_IFMT
        kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other
        key = InodeKey(device: UInt64(raw.st_dev), inode: UInt64(raw.st_ino))
        linkCount = UInt64(raw.st_nlink)
        size = UInt64(max(raw.st_size, 0))
        allocated = UInt64(max(raw.st_blocks, 0)) * 512
        modified = Double(raw.st_mtim.tv_sec) + Double(raw.st_mtim.tv_nsec) / 1e9
        changed = Double(raw.st_ctim.tv_sec) + Double(raw.st_ctim.tv_nsec) / 1e9
    }
}
