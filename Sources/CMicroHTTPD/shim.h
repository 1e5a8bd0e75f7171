#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/// `MHD_start_daemon` is variadic, which Swift cannot call: every option goes through one
/// `MHD_OPTION_ARRAY` (terminated by `MHD_OPTION_END`) instead.
static inline struct MHD_Daemon *CMicroHTTPD_start(unsigned int flags, uint16_t port,
                                                   MHD_AccessHandlerCallback handler,
                                                   void *handler_cls,
                                                   struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handler_cls,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// The port the daemon is bound to (useful when started on port 0). `MHD_get_daemon_info` is
/// variadic as well.
static inline uint16_t CMicroHTTPD_boundPort(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}
/// The TLS client certificate of a connection: 1 when one was sent and verifies against the
/// trusted CA (`MHD_OPTION_HTTPS_MEM_TRUST`), 0 when none was sent, -1 when one was sent but
/// does not verify. `MHD_get_connection_info` is variadic, hence this shim.
static inline int CMicroHTTPD_clientCertificate(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info == NULL || info->tls_session == NULL) return 0;
    gnutls_session_t session = (gnutls_session_t) info->tls_session;
    unsigned int count = 0;
    if (gnutls_certificate_get_peers(session, &count) == NULL || count == 0) return 0;
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers2(session, &status) != GNUTLS_E_SUCCESS) return -1;
    return status == 0 ? 1 : -1;
}

/// Whether `password` matches the crypt(3) hash `hash` (bcrypt `$2a$`/`$2b$`/`$2y$` among
/// others), through libxcrypt's `crypt_r`. The comparison takes the same time wherever the
/// strings differ.
static inline int CMicroHTTPD_passwordMatches(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (data == NULL) return 0;
    const char *computed = crypt_r(password, hash, data);
    int matches = 0;
    if (computed != NULL && computed[0] != '*') {
        size_t length = strlen(hash);
        unsigned char difference = (unsigned char)(strlen(computed) != length);
        for (size_t i = 0; i < length; i++) {
            difference |= (unsigned char)(computed[i] ^ hash[i]);
            if (computed[i] == 0) break;
        }
        matches = difference == 0;
    }
    explicit_bzero(data, sizeof(struct crypt_data));
    free(data);
    return matches;
}
#endif
