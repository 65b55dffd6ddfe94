/*
 * Webhook security: Standard Webhooks signing secrets and signatures, and
 * the SSRF guard that decides which addresses a webhook may reach.  No
 * nginx types.
 */

#ifndef _INCIDENT_WEBHOOK_H_INCLUDED_
#define _INCIDENT_WEBHOOK_H_INCLUDED_


#include <stddef.h>
#include <time.h>
#include <sys/socket.h>


#define INC_WEBHOOK_SECRET_LEN     64     /* "whsec_" + base64 of 24 */
#define INC_WEBHOOK_SIGNATURE_LEN  47     /* "v1," + base64 of 32 */
#define INC_URL_MAX                2000


/* a fresh "whsec_..." secret; 0 on success */
int inc_webhook_secret_new(char *out, size_t size);

/*
 * "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed with the secret's
 * base64-decoded part after "whsec_"; 0 on success.
 */
int inc_webhook_sign(const char *secret, const char *msg_id,
    time_t timestamp, const char *body, size_t len, char *out, size_t size);

/* 1 if the address is a public unicast one a webhook may reach */
int inc_addr_public(const struct sockaddr *sa);

/* an absolute http:// or https:// URL with a host and no credentials */
int inc_webhook_url_valid(const char *s, size_t len);


#endif /* _INCIDENT_WEBHOOK_H_INCLUDED_ */
