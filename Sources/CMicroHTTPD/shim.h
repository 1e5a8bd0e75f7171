#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Receives each of libmicrohttpd's messages as one formatted line.
typedef void (*CMicroHTTPD_LineLogger)(void *context, const char *line);

/// libmicrohttpd's log callback takes a format and a `va_list`, which Swift cannot format: this
/// one formats the message (cut at 1 KiB) and hands the line to the `CMicroHTTPD_LineLogger`
/// that `CMicroHTTPD_start` received, through `MHD_OPTION_EXTERNAL_LOGGER`'s closure.
struct CMicroHTTPD_Logger {
    CMicroHTTPD_LineLogger function;
    void *context;
};

static inline void CMicroHTTPD_formatLog(void *cls, const char *format, va_list arguments) {
    const struct CMicroHTTPD_Logger *logger = (const struct CMicroHTTPD_Logger *) cls;
    char line[1024];
    vsnprintf(line, sizeof line, format, arguments);
    logger->function(logger->context, line);
}

/// `MHD_start_daemon` is variadic, which Swift cannot call: every option goes through one
/// `MHD_OPTION_ARRAY` (terminated by `MHD_OPTION_END`) instead. `completed` is registered as
/// `MHD_OPTION_NOTIFY_COMPLETED` with the handler's closure, and `logger` as
/// `MHD_OPTION_EXTERNAL_LOGGER` (first, as libmicrohttpd asks, so that start-up messages reach it
/// too): options of two arguments that do not fit an option array entry. `logger` must outlive
/// the daemon.
static inline struct MHD_Daemon *CMicroHTTPD_start(unsigned int flags,
                                                   MHD_AccessHandlerCallback handler,
                                                   void *handler_cls,
                                                   MHD_RequestCompletedCallback completed,
                                                   const struct CMicroHTTPD_Logger *logger,
                                                   struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, 0, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_EXTERNAL_LOGGER, CMicroHTTPD_formatLog, (void *) logger,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// The client's address (`MHD_CONNECTION_INFO_CLIENT_ADDRESS`; `MHD_get_connection_info` is
/// variadic); `NULL` when libmicrohttpd does not know it.
static inline const struct sockaddr *CMicroHTTPD_clientAddress(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}

#endif
