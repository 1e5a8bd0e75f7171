#ifndef CCLIENTCERTIFICATE_H
#define CCLIENTCERTIFICATE_H
#include <microhttpd.h>

/// The TLS client certificate of a connection: 1 when one was sent and verifies against the
/// trusted CA (`MHD_OPTION_HTTPS_MEM_TRUST`), 0 when none was sent (or not TLS), -1 when one
/// was sent but does not verify or does not allow client authentication (extended key usage).
int CClientCertificate_verify(struct MHD_Connection *connection);
#endif
