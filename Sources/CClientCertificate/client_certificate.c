#include "CClientCertificate.h"
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

int CClientCertificate_verify(struct MHD_Connection *connection) {
    /* MHD_get_connection_info is variadic, which Swift cannot call. */
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info == NULL || info->tls_session == NULL) return 0;
    gnutls_session_t session = (gnutls_session_t) info->tls_session;
    unsigned int count = 0;
    if (gnutls_certificate_get_peers(session, &count) == NULL || count == 0) return 0;
    /* The chain must verify and the certificate must allow TLS client authentication: Go's
       crypto/tls (exporter-toolkit) requires ExtKeyUsageClientAuth, as `openssl verify -purpose
       sslclient` does; a certificate without extended key usage is valid for any purpose in
       GnuTLS too. */
    gnutls_typed_vdata_st purpose = {
        .type = GNUTLS_DT_KEY_PURPOSE_OID, .data = (unsigned char *) GNUTLS_KP_TLS_WWW_CLIENT, .size = 0,
    };
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers(session, &purpose, 1, &status) != GNUTLS_E_SUCCESS) return -1;
    return status == 0 ? 1 : -1;
}
