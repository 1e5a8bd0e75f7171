#ifndef CBCRYPT_H
#define CBCRYPT_H

/// Whether `password` matches the crypt(3) hash `hash` (bcrypt `$2a$`/`$2b$`/`$2y$` among
/// others), through libxcrypt's `crypt_r`: 1 when it matches, 0 otherwise. The comparison takes
/// the same time wherever the strings differ; the work area is wiped before it is freed.
int CBcrypt_passwordMatches(const char *password, const char *hash);
#endif
