import Glibc

/// An open directory, read without ever following a symlink below it.
///
/// This is the scanner's only contact with the operating system. Related system calls:
/// `openat(2)` with `O_DIRECTORY | O_NOFOLLOW`, `fdopendir(3)`, `readdir(3)`, `fstatat(2)` with
/// `AT_SYMLINK_NOFOLLOW`, `fstatvfs(3)`. Nothing here opens a file that is not a directory, so a
/// FIFO or device is never opened; nothing writes.
final class Directory {
    private let stream: OpaquePointer
    private let descriptor: Int32

    private init(stream: OpaquePointer) {
        self.stream = stream
        self.descriptor = dirfd(stream)
    }

    deinit {
        closedir(stream)
    }

    /// Opens a configured root. The root itself may be a symlink (operators mount data
    /// directories where they like); nothing below it is followed.
    static func open(path: String) throws(EntryError) -> Directory {
        try adopt(Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    }

    /// Opens the subdirectory `name`, refusing symlinks and anything that is not a directory.
    func subdirectory(_ name: EntryName) throws(EntryError) -> Directory {
        try Self.adopt(name.withCString { openat(descriptor, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) })
    }

    private static func adopt(_ fd: Int32) throws(EntryError) -> Directory {
        guard fd >= 0 else { throw EntryError(code: errno) }
        guard let stream = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw EntryError(code: code)
        }
        return Directory(stream: stream)
    }

    /// One directory entry as listed by `readdir`, without `.` and `..`.
    struct Entry {
        let name: EntryName
        /// From `d_type`; `nil` when the filesystem does not say (`DT_UNKNOWN`).
        let kind: FileKind?

        /// A directory, or of a kind `readdir` did not tell.
        var mayBeDirectory: Bool { kind == .directory || kind == nil }
    }

    /// An entry as `readdir` returned it, without copying its name: valid only until the next
    /// call of ``nextEntry()`` on this directory. The walk over millions of files uses this form.
    struct RawEntry {
        /// The NUL-terminated name inside the `dirent`.
        let name: UnsafePointer<CChar>
        let kind: FileKind?
        /// `d_ino`: the inode number as the directory lists it.
        let inode: UInt64

        /// Whether the name ends with `suffix` (ASCII).
        func hasSuffix(_ suffix: StaticString) -> Bool {
            let length = strlen(name)
            guard length >= suffix.utf8CodeUnitCount else { return false }
            return memcmp(name + (length - suffix.utf8CodeUnitCount), suffix.utf8Start, suffix.utf8CodeUnitCount) == 0
        }

        /// Whether the name is exactly `text` (ASCII).
        func isNamed(_ text: StaticString) -> Bool {
            strlen(name) == text.utf8CodeUnitCount && memcmp(name, text.utf8Start, text.utf8CodeUnitCount) == 0
        }

        /// Whether the name starts with a dot (index directories: `.<index>`).
        var isHidden: Bool { name.pointee == CChar(UInt8(ascii: ".")) }

        /// A copy of the name that outlives the entry.
        var copiedName: EntryName { EntryName(name) }

        /// The name's bytes, in place.
        var bytes: UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), count: strlen(name))
        }
    }

    /// Starts reading the entries from the beginning.
    func rewind() {
        rewinddir(stream)
    }

    /// The next entry, skipping `.` and `..`; `nil` at the end.
    func nextEntry() throws(EntryError) -> RawEntry? {
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw EntryError(code: errno) }
                return nil
            }
            let name = UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
                .assumingMemoryBound(to: CChar.self)
            if name[0] == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0)) { continue }  // "." and ".."
            let kind: FileKind? = switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): .regular
            case Int32(DT_DIR): .directory
            case Int32(DT_UNKNOWN): nil
            default: .other
            }
            return RawEntry(name: name, kind: kind, inode: UInt64(entry.pointee.d_ino))
        }
    }

    /// Lists the entries with copied names (for the few top-level directories).
    func entries() throws(EntryError) -> [Entry] {
        rewind()
        var result: [Entry] = []
        while let entry = try nextEntry() {
            result.append(Entry(name: entry.copiedName, kind: entry.kind))
        }
        return result
    }

    /// Opens the subdirectory named by a raw entry, refusing symlinks and non-directories.
    func subdirectory(_ entry: RawEntry) throws(EntryError) -> Directory {
        try Self.adopt(openat(descriptor, entry.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC))
    }

    /// `lstat` of a raw entry of this directory.
    func status(of entry: RawEntry) throws(EntryError) -> FileStatus {
        var raw = stat()
        guard fstatat(descriptor, entry.name, &raw, AT_SYMLINK_NOFOLLOW) == 0 else { throw EntryError(code: errno) }
        return FileStatus(raw)
    }

    /// What identifies the state of a directory below this one, `path` relative to it with
    /// `/` separators; `nil` when it cannot be read. Intermediate symlinks would be followed, so
    /// this is only compared with stamps taken on the walk, never used to read anything.
    func stamp(at path: String) -> DirectoryStamp? {
        var raw = stat()
        guard fstatat(descriptor, path, &raw, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return DirectoryStamp(raw)
    }

    /// The stamp of this directory itself.
    func stamp() throws(EntryError) -> DirectoryStamp {
        var raw = stat()
        guard fstat(descriptor, &raw) == 0 else { throw EntryError(code: errno) }
        return DirectoryStamp(raw)
    }

    /// `fstat` of this directory itself.
    func status() throws(EntryError) -> FileStatus {
        var raw = stat()
        guard fstat(descriptor, &raw) == 0 else { throw EntryError(code: errno) }
        return FileStatus(raw)
    }

    /// Size and free space of the filesystem holding this directory.
    func filesystemUsage() throws(EntryError) -> FilesystemUsage {
        var raw = statvfs()
        guard fstatvfs(descriptor, &raw) == 0 else { throw EntryError(code: errno) }
        return FilesystemUsage(availableBytes: UInt64(raw.f_bavail) * UInt64(raw.f_frsize),
                               sizeBytes: UInt64(raw.f_blocks) * UInt64(raw.f_frsize),
                               readOnly: raw.f_flag & UInt(ST_RDONLY) != 0)
    }

    /// Reads a small regular file of this directory, at most `limit` bytes; `nil` when it is not
    /// a regular file, is larger, or cannot be read. Opens with `O_NOFOLLOW | O_NONBLOCK` and
    /// checks the type on the open descriptor, so a FIFO swapped in is never read.
    func readSmallFile(_ name: String, limit: Int) -> [UInt8]? {
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var raw = stat()
        guard fstat(fd, &raw) == 0, raw.st_mode & S_IFMT == S_IFREG, Int(raw.st_size) <= limit else {
            return nil
        }
        var buffer = [UInt8](repeating: 0, count: Int(raw.st_size))
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count <= 0 { break }
            filled += count
        }
        return Array(buffer.prefix(filled))
    }
}

/// A file name as found on disk. Names are bytes on Linux: one that is not valid UTF-8 keeps its
/// bytes for system calls and shows with replacement characters in `text`.
struct EntryName {
    /// The name as text, for matching and paths.
    let text: String
    private let bytes: [CChar]?
    /// The name's bytes in hex when `text` does not tell it apart from every other name (it is not
    /// UTF-8, or holds U+FFFD); `nil` for every name Cassandra makes.
    private let ambiguousBytes: String?

    init(_ cString: UnsafePointer<CChar>) {
        let length = strlen(cString)
        let utf8 = UnsafeBufferPointer(start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), count: length)
        if let valid = String(validatingCString: cString) {
            text = valid
            bytes = nil
        } else {
            text = String(decoding: utf8, as: UTF8.self)
            bytes = Array(UnsafeBufferPointer(start: cString, count: length + 1))
        }
        ambiguousBytes = bytes == nil && !text.unicodeScalars.contains("\u{FFFD}") ? nil
            : utf8.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// `part` of this name (all of it, or the table part of a table directory's name) as a label
    /// value: `part` itself, or, when the name is ambiguous, `part` and the name's bytes in hex,
    /// `bad�� [626164fffe]`. Two names that differ only in bytes that are not UTF-8 would
    /// otherwise make the same labels, and so the same series twice. The mapping is one to one: a
    /// label with the suffix always holds a U+FFFD, one without never does, and the hex after the
    /// last `[` gives the bytes back.
    func label(_ part: String) -> String {
        guard let ambiguousBytes else { return part }
        return part + " [" + ambiguousBytes + "]"
    }

    /// The whole name as a label value; see ``label(_:)``.
    var label: String { label(text) }

    /// A name known to be valid text (a fixed name such as `backups`).
    init(literal: String) {
        text = literal
        bytes = nil
        ambiguousBytes = nil
    }

    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        if let bytes { return bytes.withUnsafeBufferPointer { body($0.baseAddress!) } }
        return text.withCString(body)
    }
}

/// The identity and change times of a directory: any entry added, removed or renamed changes its
/// mtime; a permission change its ctime; a replacement its inode.
struct DirectoryStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    /// mtime: entries added, removed or renamed.
    let modified: timespec
    /// ctime: the directory's own status (permissions, owner, links).
    let statusChanged: timespec

    init(_ raw: stat) {
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        modified = raw.st_mtim
        statusChanged = raw.st_ctim
    }

    static func == (lhs: DirectoryStamp, rhs: DirectoryStamp) -> Bool {
        lhs.device == rhs.device && lhs.inode == rhs.inode
            && lhs.modified.tv_sec == rhs.modified.tv_sec && lhs.modified.tv_nsec == rhs.modified.tv_nsec
            && lhs.statusChanged.tv_sec == rhs.statusChanged.tv_sec && lhs.statusChanged.tv_nsec == rhs.statusChanged.tv_nsec
    }

    /// Whether either time is at or after `instant` (seconds since the epoch).
    func changed(since instant: Double) -> Bool {
        latestChange >= instant
    }

    /// The later of the two times, in seconds since the epoch.
    var latestChange: Double {
        max(Double(modified.tv_sec) + Double(modified.tv_nsec) / 1e9, Double(statusChanged.tv_sec) + Double(statusChanged.tv_nsec) / 1e9)
    }
}

/// A system call failed for one entry.
struct EntryError: Error {
    let code: Int32
    var reason: ScanErrorReason { ScanErrorReason(errno: code) }
}
