#ifndef CLOWPRIORITY_H
#define CLOWPRIORITY_H

/// Lowers the calling thread's CPU priority to `nice` (setpriority(2) on the thread id) and puts
/// its I/O in the idle class (ioprio_set(2), which libc does not wrap). Returns 0 when both
/// worked, else the errno of the first failure. Only this thread changes; a thread cannot raise
/// its priority again without CAP_SYS_NICE, so callers use threads of their own.
int CLowPriority_lowerCurrentThread(int nice);

/// Names the calling thread (pthread_setname_np, at most 15 bytes kept), as /proc and `ps -L` show
/// it. Swift's Glibc module leaves the call out: it needs _GNU_SOURCE. Returns 0 or an errno.
int CLowPriority_nameCurrentThread(const char *name);
#endif
