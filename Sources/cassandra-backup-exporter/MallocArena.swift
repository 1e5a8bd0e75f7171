import CMalloc
import Glibc

extension ExporterCommand {
    /// One malloc arena for the whole process, unless `MALLOC_ARENA_MAX` says otherwise. glibc
    /// gives threads that allocate at the same time arenas of their own (up to 8 per core) and
    /// reuses memory freed in an arena only there, so the walkers and libmicrohttpd's threads each
    /// kept a high-water mark of their own. At 1M files the daemon's peak RSS under churn went from
    /// 43.2 to 32.6 MB; the price is CPU in malloc: a 2-thread walk of that tree takes 1.02
    /// CPU-s instead of 0.96 (docs/cost.md).
    static func useOneMallocArena() {
        if getenv("MALLOC_ARENA_MAX") == nil { mallopt(M_ARENA_MAX, 1) }
    }
}
