#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H
#include <stddef.h>
#include <curl/curl.h>

/// `CURL_GLOBAL_DEFAULT` is a macro of macros, which Swift does not import.
static inline CURLcode CCurl_globalInit(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

/// `curl_easy_setopt` and `curl_easy_getinfo` are variadic, which Swift cannot call: one typed
/// adaptor per argument kind the client uses.
static inline CURLcode CCurl_setLong(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setString(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setPointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_setWriteFunction(CURL *handle, curl_write_callback function) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, function);
}

static inline CURLcode CCurl_responseCode(CURL *handle, long *code) {
    return curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}

#endif
