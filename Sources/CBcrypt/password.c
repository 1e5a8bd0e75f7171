#include "CBcrypt.h"
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

int CBcrypt_passwordMatches(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (data == NULL) return 0;
    const char *computed = crypt_r(password, hash, data);
    int matches = 0;
    /* libxcrypt returns a string starting with '*' for a hash it cannot use. */
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
