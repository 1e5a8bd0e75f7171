#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// `MHD_start_daemon` is variadic, which Swift cannot call: every option goes through one
/// `MHD_OPTION_ARRAY` (terminated by `MHD_OPTION_END`) instead. `completed` is registered as
/// `MHD_OPTION_NOTIFY_COMPLETED` with the handler's closure, two arguments that do not fit an
/// option array entry.
static inline struct MHD_Daemon *CMicroHTTPD_start(unsigned int flags,
                                                   MHD_AccessHandlerCallback handler,
                                                   void *handler_cls,
                                                   MHD_RequestCompletedCallback completed,
                                                   struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

#endif
