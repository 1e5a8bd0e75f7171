#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
/// glibc's malloc tuning (`mallopt`, `M_ARENA_MAX`), which Swift's Glibc module leaves out.
#include <malloc.h>
#endif
