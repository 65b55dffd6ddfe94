/*
 * Webhook, Slack and Discord subscriber URLs (POST /subscribers, the admin
 * form): inc_webhook_url_valid() over the bytes as they come.  A URL it
 * takes is handed to libcurl, so it is checked to be one: http or https,
 * a host, no credentials, nothing but printable ASCII; and libcurl's own
 * URL parser, which the delivery uses, must see no user or password in it
 * and the same scheme.  (The SSRF guard is at connect time, in
 * inc_addr_public(), not here.)
 */

#include "fuzz.h"

#include <strings.h>

#include <curl/curl.h>

#include "incident_webhook.h"


/* what libcurl makes of it, when it takes it at all */
static void
fz_curl_check(const char *s, size_t size, int https)
{
    char      *url, *part;
    CURLU     *u;
    CURLUcode  rc;

    u = curl_url();
    url = fz_cstr((const uint8_t *) s, size);

    if (u == NULL || url == NULL) {
        abort();
    }

    rc = curl_url_set(u, CURLUPART_URL, url, 0);

    if (rc == CURLUE_OK) {
        part = NULL;
        FZ_ASSERT(curl_url_get(u, CURLUPART_USER, &part, 0)
                  == CURLUE_NO_USER, "libcurl sees a user in the URL");
        curl_free(part);

        part = NULL;
        FZ_ASSERT(curl_url_get(u, CURLUPART_PASSWORD, &part, 0)
                  == CURLUE_NO_PASSWORD,
                  "libcurl sees a password in the URL");
        curl_free(part);

        part = NULL;
        FZ_ASSERT(curl_url_get(u, CURLUPART_SCHEME, &part, 0) == CURLUE_OK
                  && strcmp(part, https ? "https" : "http") == 0,
                  "libcurl sees another scheme");
        curl_free(part);

        part = NULL;
        FZ_ASSERT(curl_url_get(u, CURLUPART_HOST, &part, 0) == CURLUE_OK
                  && part[0] != '\0', "libcurl sees no host");
        curl_free(part);
    }

    curl_url_cleanup(u);
    free(url);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char        *s;
    size_t       i, skip;
    const char  *host, *end;

    s = fz_copy(data, size);

    if (!inc_webhook_url_valid(s, size)) {
        free(s);
        return 0;
    }

    FZ_ASSERT(size <= INC_URL_MAX, "a URL too long");

    if (size > 8 && strncasecmp(s, "https://", 8) == 0) {
        skip = 8;

    } else {
        FZ_ASSERT(size > 7 && strncasecmp(s, "http://", 7) == 0,
                  "a URL that is neither http nor https");
        skip = 7;
    }

    for (i = 0; i < size; i++) {
        FZ_ASSERT((unsigned char) s[i] > 0x20 && (unsigned char) s[i] < 0x7f
                  && s[i] != '\\', "a URL with a byte curl may not take");
    }

    host = s + skip;

    for (end = host; end < s + size && *end != '/' && *end != '?'
                     && *end != '#'; end++)
    {
        FZ_ASSERT(*end != '@', "credentials in a URL");
    }

    FZ_ASSERT(end > host && *host != ':', "a URL without a host");

    fz_curl_check(s, size, skip == 8);

    free(s);

    return 0;
}
