#!/usr/bin/python3
"""A read-only FUSE passthrough (Debian's python3-fusepy over libfuse2) that hangs or fails on
chosen paths, for the sick-disk tests.

Usage: faultyfs.py BACKING MOUNTPOINT CONTROL STATS

CONTROL is a file of lines `hang PREFIX` and `eio PREFIX` (paths relative to the mount, e.g.
`ks/t1-0123...`), re-read on every call: a call on a path under a `hang` prefix blocks until the
line is gone; one under an `eio` prefix fails with EIO. STATS is rewritten after each change of
the counters: `entered N` (calls that started blocking on a hung path, in all) and `blocked N`
(calls blocked now). Runs in the foreground, one thread per call, until unmounted.
"""
import errno
import os
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations


class FaultyFS(Operations):
    def __init__(self, backing, control, stats):
        self.backing = backing
        self.control = control
        self.stats = stats
        self.mutex = threading.Lock()
        self.entered = 0
        self.blocked = 0
        self.write_stats()

    def rules(self):
        try:
            with open(self.control) as f:
                return [line.split(None, 1) for line in f.read().splitlines() if " " in line]
        except FileNotFoundError:
            return []

    def matches(self, kind, path):
        relative = path.lstrip("/")
        return any(k == kind and (relative == p or relative.startswith(p.rstrip("/") + "/")) for k, p in self.rules())

    def write_stats(self):
        temporary = self.stats + ".tmp"
        with open(temporary, "w") as f:
            f.write("entered %d\nblocked %d\n" % (self.entered, self.blocked))
        os.rename(temporary, self.stats)

    def check(self, path):
        if self.matches("hang", path):
            with self.mutex:
                self.entered += 1
                self.blocked += 1
                self.write_stats()
            try:
                while self.matches("hang", path):
                    time.sleep(0.05)
            finally:
                with self.mutex:
                    self.blocked -= 1
                    self.write_stats()
        if self.matches("eio", path):
            raise FuseOSError(errno.EIO)

    def real(self, path):
        return os.path.join(self.backing, path.lstrip("/"))

    def getattr(self, path, fh=None):
        self.check(path)
        try:
            st = os.lstat(self.real(path))
        except OSError as error:
            raise FuseOSError(error.errno)
        keys = ("st_mode", "st_nlink", "st_size", "st_uid", "st_gid", "st_atime", "st_mtime", "st_ctime", "st_ino", "st_blocks")
        return {key: getattr(st, key) for key in keys}

    def readdir(self, path, fh):
        self.check(path)
        try:
            return [".", ".."] + os.listdir(self.real(path))
        except OSError as error:
            raise FuseOSError(error.errno)

    def opendir(self, path):
        self.check(path)
        return 0

    def open(self, path, flags):
        self.check(path)
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise FuseOSError(errno.EROFS)
        try:
            return os.open(self.real(path), os.O_RDONLY)
        except OSError as error:
            raise FuseOSError(error.errno)

    def read(self, path, size, offset, fh):
        self.check(path)
        return os.pread(fh, size, offset)

    def release(self, path, fh):
        os.close(fh)
        return 0

    def statfs(self, path):
        self.check(path)
        st = os.statvfs(self.real(path))
        keys = ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")
        return {key: getattr(st, key) for key in keys}


if __name__ == "__main__":
    backing, mountpoint, control, stats = sys.argv[1:5]
    # use_ino: the backing files' inode numbers, so hard links stay one inode as on a real disk.
    FUSE(FaultyFS(backing, control, stats), mountpoint, foreground=True, nothreads=False, ro=True,
         use_ino=True, allow_other=False, attr_timeout=0, entry_timeout=0)
