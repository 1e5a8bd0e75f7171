#define _GNU_SOURCE
#include "CLowPriority.h"
#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* From linux/ioprio.h, which is not installed everywhere. */
#define CLOWPRIORITY_IOPRIO_CLASS_SHIFT 13
#define CLOWPRIORITY_IOPRIO_CLASS_IDLE 3
#define CLOWPRIORITY_IOPRIO_WHO_PROCESS 1

int CLowPriority_lowerCurrentThread(int nice) {
    pid_t thread = (pid_t) syscall(SYS_gettid);
    if (setpriority(PRIO_PROCESS, (id_t) thread, nice) != 0) return errno;
    /* syscall(2) is variadic, which Swift cannot call: hence this file. */
    if (syscall(SYS_ioprio_set, CLOWPRIORITY_IOPRIO_WHO_PROCESS, thread,
                CLOWPRIORITY_IOPRIO_CLASS_IDLE << CLOWPRIORITY_IOPRIO_CLASS_SHIFT) != 0) return errno;
    return 0;
}

int CLowPriority_nameCurrentThread(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
