/*
 * Standard Webhooks signatures and the SSRF guard.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "incident_webhook.h"


#define INC_WHSEC_PREFIX  "whsec_"
#define INC_WHSEC_BYTES   24


int
inc_webhook_secret_new(char *out, size_t size)
{
    unsigned char  key[INC_WHSEC_BYTES];

    if (size < sizeof(INC_WHSEC_PREFIX) + 4 * INC_WHSEC_BYTES / 3
        || getrandom(key, sizeof(key), 0) != (ssize_t) sizeof(key))
    {
        return -1;
    }

    memcpy(out, INC_WHSEC_PREFIX, sizeof(INC_WHSEC_PREFIX) - 1);
    EVP_EncodeBlock((unsigned char *) out + sizeof(INC_WHSEC_PREFIX) - 1,
                    key, sizeof(key));

    return 0;
}


/* the key inside "whsec_<base64>"; its length, or -1 */
static int
inc_webhook_key(const char *secret, unsigned char *key, size_t size)
{
    int     n;
    size_t  len;

    if (strncmp(secret, INC_WHSEC_PREFIX, sizeof(INC_WHSEC_PREFIX) - 1)
        != 0)
    {
        return -1;
    }

    secret += sizeof(INC_WHSEC_PREFIX) - 1;
    len = strlen(secret);

    if (len == 0 || len % 4 || len / 4 * 3 > size) {
        return -1;
    }

    n = EVP_DecodeBlock(key, (const unsigned char *) secret, (int) len);

    /* EVP_DecodeBlock() counts the padding as decoded zero bytes */
    while (n > 0 && len && secret[--len] == '=') {
        n--;
    }

    return n > 0 ? n : -1;
}


int
inc_webhook_sign(const char *secret, const char *msg_id, time_t timestamp,
    const char *body, size_t len, char *out, size_t size)
{
    int            klen, n;
    char          *content;
    size_t         plen;
    unsigned int   maclen;
    unsigned char  key[64], mac[EVP_MAX_MD_SIZE], *ok;

    klen = inc_webhook_key(secret, key, sizeof(key));

    if (klen < 0 || size < INC_WEBHOOK_SIGNATURE_LEN + 1) {
        return -1;
    }

    plen = strlen(msg_id) + 24;

    content = malloc(plen + len);
    if (content == NULL) {
        return -1;
    }

    n = snprintf(content, plen, "%s.%lld.", msg_id, (long long) timestamp);
    if (n < 0 || (size_t) n >= plen) {
        free(content);
        return -1;
    }

    memcpy(content + n, body, len);

    ok = HMAC(EVP_sha256(), key, klen, (unsigned char *) content, n + len,
              mac, &maclen);
    free(content);

    if (ok == NULL) {
        return -1;
    }

    memcpy(out, "v1,", 3);
    EVP_EncodeBlock((unsigned char *) out + 3, mac, (int) maclen);

    return 0;
}


static int
inc_ipv4_public(const unsigned char *a)
{
    /* RFC 6890 special-purpose and non-unicast ranges */
    if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224
        || (a[0] == 100 && (a[1] & 0xc0) == 64)
        || (a[0] == 169 && a[1] == 254)
        || (a[0] == 172 && (a[1] & 0xf0) == 16)
        || (a[0] == 192 && a[1] == 0 && a[2] == 0)
        || (a[0] == 192 && a[1] == 0 && a[2] == 2)
        || (a[0] == 192 && a[1] == 168)
        || (a[0] == 198 && (a[1] & 0xfe) == 18)
        || (a[0] == 198 && a[1] == 51 && a[2] == 100)
        || (a[0] == 203 && a[1] == 0 && a[2] == 113))
    {
        return 0;
    }

    return 1;
}


int
inc_addr_public(const struct sockaddr *sa)
{
    const unsigned char  *a;

    static const unsigned char  mapped[12] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
    };
    static const unsigned char  nat64[12] = {
        0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0
    };

    if (sa->sa_family == AF_INET) {
        return inc_ipv4_public((const unsigned char *)
                   &((const struct sockaddr_in *) sa)->sin_addr.s_addr);
    }

    if (sa->sa_family != AF_INET6) {
        return 0;
    }

    a = ((const struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;

    /* an IPv4 address inside an IPv6 one is judged as IPv4 */
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0) {
        return inc_ipv4_public(a + 12);
    }

    /* 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD */
    if (a[0] == 0x20 && a[1] == 0x02) {
        return inc_ipv4_public(a + 2);
    }

    /* only global unicast 2000::/3, less documentation 2001:db8::/32 */
    if ((a[0] & 0xe0) != 0x20
        || (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        || (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] < 0x02))
    {
        return 0;
    }

    return 1;
}


int
inc_webhook_url_valid(const char *s, size_t len)
{
    size_t       i, skip;
    const char  *host, *end;

    if (len > INC_URL_MAX) {
        return 0;
    }

    if (len > 8 && strncasecmp(s, "https://", 8) == 0) {
        skip = 8;

    } else if (len > 7 && strncasecmp(s, "http://", 7) == 0) {
        skip = 7;

    } else {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) s[i] <= 0x20 || (unsigned char) s[i] >= 0x7f
            || s[i] == '\\')
        {
            return 0;
        }
    }

    host = s + skip;

    for (end = host; end < s + len && *end != '/' && *end != '?'
                     && *end != '#'; end++)
    {
        /* no user:password@: secrets belong in the path, not the host */
        if (*end == '@') {
            return 0;
        }
    }

    return end > host && *host != ':';
}
