#ifndef CWEBAUTH_H
#define CWEBAUTH_H
#include <microhttpd.h>

/// Whether `password` matches the crypt(3) hash `hash` (bcrypt `$2a$`/`$2b$`/`$2y$` among
/// others), through libxcrypt's `crypt_r`: 1 when it matches, 0 otherwise. The comparison takes
/// the same time wherever the strings differ; the work area is wiped before it is freed.
int CWebAuth_passwordMatches(const char *password, const char *hash);

/// The TLS client certificate of a connection: 1 when one was sent and verifies against the
/// trusted CA (`MHD_OPTION_HTTPS_MEM_TRUST`), 0 when none was sent (or not TLS), -1 when one
/// was sent but does not verify or does not allow client authentication (extended key usage).
int CWebAuth_clientCertificate(struct MHD_Connection *connection);
#endif
