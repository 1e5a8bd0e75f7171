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

    /// Lists the entries.
    func entries() throws(EntryError) -> [Entry] {
        rewinddir(stream)
        var result: [Entry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw EntryError(code: errno) }
                return result
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                EntryName(raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.text == "." || name.text == ".." { continue }
            let kind: FileKind? = switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): .regular
            case Int32(DT_DIR): .directory
            case Int32(DT_UNKNOWN): nil
            default: .other
            }
            result.append(Entry(name: name, kind: kind))
        }
    }

    /// `lstat` of an entry of this directory.
    func status(of name: EntryName) throws(EntryError) -> FileStatus {
        var raw = stat()
        guard name.withCString({ fstatat(descriptor, $0, &raw, AT_SYMLINK_NOFOLLOW) }) == 0 else { throw EntryError(code: errno) }
        return FileStatus(raw)
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
                               sizeBytes: UInt64(raw.f_blocks) * UInt64(raw.f_frsize))
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
    /// The name as text, for labels and matching.
    let text: String
    private let bytes: [CChar]?

    init(_ cString: UnsafePointer<CChar>) {
        if let valid = String(validatingCString: cString) {
            text = valid
            bytes = nil
        } else {
            let length = strlen(cString)
            let utf8 = UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self)
            text = String(decoding: UnsafeBufferPointer(start: utf8, count: length), as: UTF8.self)
            bytes = Array(UnsafeBufferPointer(start: cString, count: length + 1))
        }
    }

    /// A name known to be valid text (a fixed name such as `backups`).
    init(literal: String) {
        text = literal
        bytes = nil
    }

    func withCString<R>(_ body: (UnsafePointer<CChar>) -> R) -> R {
        if let bytes { return bytes.withUnsafeBufferPointer { body($0.baseAddress!) } }
        return text.withCString(body)
    }
}

extension FileStatus {
    init(_ raw: stat) {
        let type = raw.st_mode & S_IFMT
        kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : .other
        key = InodeKey(device: UInt64(raw.st_dev), inode: UInt64(raw.st_ino))
        linkCount = UInt64(raw.st_nlink)
        size = UInt64(max(raw.st_size, 0))
        allocated = UInt64(max(raw.st_blocks, 0)) * 512
        modified = Double(raw.st_mtim.tv_sec) + Double(raw.st_mtim.tv_nsec) / 1e9
    }
}
