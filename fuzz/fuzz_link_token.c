/*
 * The token of a confirmation or unsubscribe link (?token= or the form's
 * "token" field, public and unauthenticated): inc_link_token_check() with
 * a fixed secret.  The first byte chooses the purpose.  A token that is
 * taken is exactly the one inc_link_token() makes for its id; and the
 * token made for the input's leading digits is taken.
 */

#include "fuzz.h"

#include "incident_store.h"
#include "incident_service.h"


static const unsigned char  fz_secret[INC_SECRET_LEN] = {
    0x5e, 0xc2, 0x37, 0x01, 0x9a, 0xbb, 0x42, 0x10,
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
    0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78
};


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char        *token, made[128];
    size_t       i;
    uint64_t     id, digits;
    const char  *purpose;

    if (size < 1) {
        return 0;
    }

    purpose = (data[0] & 1) ? "unsubscribe" : "confirm";
    data++;
    size--;

    /* as the handler has it: NUL-terminated, its length from strlen() */
    token = fz_cstr(data, size);
    if (token == NULL) {
        return 0;
    }

    id = inc_link_token_check(fz_secret, purpose, token, size);

    if (id != 0) {
        inc_link_token(fz_secret, purpose, id, made, sizeof(made));
        FZ_ASSERT(strcmp(made, token) == 0,
                  "a token taken that is not the one made for its id");
    }

    /* the other purpose's token is never taken for this one */
    FZ_ASSERT(id == 0
              || inc_link_token_check(fz_secret,
                                      (data[-1] & 1) ? "confirm"
                                                     : "unsubscribe",
                                      token, size) == 0,
              "a token good for both purposes");

    for (i = 0, digits = 0; i < size && i < 16
                            && token[i] >= '0' && token[i] <= '9'; i++)
    {
        digits = digits * 10 + (uint64_t) (token[i] - '0');
    }

    if (digits != 0 && token[0] != '0') {
        inc_link_token(fz_secret, purpose, digits, made, sizeof(made));
        FZ_ASSERT(inc_link_token_check(fz_secret, purpose, made,
                                       strlen(made)) == digits,
                  "a token made is not taken");
    }

    free(token);

    return 0;
}
