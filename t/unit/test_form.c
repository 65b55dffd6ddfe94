/*
 * incident_form: application/x-www-form-urlencoded parsing (percent
 * decoding, '+', UTF-8 and NUL checks, repeated and bare names), and every
 * form's mapping onto the API document, including the checkbox markers
 * ("componentIds_shown", "notify_shown") and "Label | URL" footer links;
 * then what the validators make of the mapped documents.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_form.h"
#include "incident_store.h"
#include "tap.h"


#define NOW  ((time_t) 1795773600)


/* the parsed form as compact JSON, NULL when parsing refused the body */
static char *
parsed(const char *body, size_t len)
{
    char   *text;
    cJSON  *form;

    form = inc_form_parse(body, len);
    if (form == NULL) {
        return NULL;
    }

    text = cJSON_PrintUnformatted(form);
    cJSON_Delete(form);

    return text;
}


#define form_is(body, expected, name)                                         \
    do {                                                                     \
        char  *got_ = parsed((body), strlen(body));                          \
        is_str(got_, (expected), "%s", (name));                              \
        free(got_);                                                          \
    } while (0)


/* the API document of a form body */
static char *
mapped(inc_form_t kind, const char *body)
{
    char   *text;
    cJSON  *form, *doc;

    form = inc_form_parse(body, strlen(body));
    if (form == NULL) {
        return NULL;
    }

    doc = inc_form_to_json(kind, form);
    cJSON_Delete(form);

    if (doc == NULL) {
        return NULL;
    }

    text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);

    return text;
}


#define map_is(kind, body, expected, name)                                    \
    do {                                                                     \
        char  *got_ = mapped((kind), (body));                                \
        is_str(got_, (expected), "%s", (name));                              \
        free(got_);                                                          \
    } while (0)


static void
test_parse(void)
{
    char          nonul[3];
    cJSON        *form;
    const cJSON  *v;

    form_is("a=1&b=x+y&c=%C3%A9", "{\"a\":[\"1\"],\"b\":[\"x y\"],"
            "\"c\":[\"\xc3\xa9\"]}", "the header's example");
    form_is("", "{}", "an empty body: an empty form");
    form_is("a=", "{\"a\":[\"\"]}", "an empty value");
    form_is("a", "{\"a\":[\"\"]}", "a name without '=': an empty value");
    form_is("a&b=2", "{\"a\":[\"\"],\"b\":[\"2\"]}",
            "a name without '=' before another field");
    form_is("=x&b=1", "{\"b\":[\"1\"]}", "an empty name is skipped");
    form_is("=&=", "{}", "only empty names: nothing");
    form_is("&&a=1&&", "{\"a\":[\"1\"]}", "empty fields are skipped");
    form_is("a=1&a=2&b=3&a=4", "{\"a\":[\"1\",\"2\",\"4\"],\"b\":[\"3\"]}",
            "repeated names: every value, in order");
    form_is("a=1=2", "{\"a\":[\"1=2\"]}", "a '=' in a value");
    form_is("a=%3D%26", "{\"a\":[\"=&\"]}", "escaped '=' and '&'");
    form_is("a=+x+", "{\"a\":[\" x \"]}", "'+' is a space");
    form_is("a=%2B", "{\"a\":[\"+\"]}", "%2B is a plus");
    form_is("a=%20%2b%7e%7E", "{\"a\":[\" +~~\"]}", "hex in either case");
    form_is("a+b%5Bc%5D=1", "{\"a b[c]\":[\"1\"]}", "names are decoded too");
    form_is("a=%zz&b=%4&c=%&d=100%&e=%4g",
            "{\"a\":[\"%zz\"],\"b\":[\"%4\"],\"c\":[\"%\"],\"d\":[\"100%\"],"
            "\"e\":[\"%4g\"]}", "bad %-escapes are kept literally");
    form_is("a=%%41", "{\"a\":[\"%A\"]}", "'%' then an escape");
    form_is("a=\xc3\xa9t\xc3\xa9", "{\"a\":[\"\xc3\xa9t\xc3\xa9\"]}",
            "raw UTF-8 bytes are fine");
    form_is("a=%F0%9F%98%80", "{\"a\":[\"\xf0\x9f\x98\x80\"]}",
            "a 4-byte character");
    form_is("a=line1%0D%0Aline2", "{\"a\":[\"line1\\nline2\"]}",
            "CR LF (a textarea's line end) becomes LF");
    form_is("a=x\r\ny", "{\"a\":[\"x\\ny\"]}", "a raw CR LF too");
    form_is("a=x%0D\ny%0Az", "{\"a\":[\"x\\ny\\nz\"]}",
            "an escaped CR and a raw LF; a lone LF stays");
    form_is("a=x%0Dy%0D", "{\"a\":[\"x\\ry\\r\"]}", "a lone CR stays");
    form_is("a=%0D%0D%0A", "{\"a\":[\"\\r\\n\"]}",
            "CR CR LF: only the CR before the LF goes");
    form_is("a%0D%0Ab=1", "{\"a\\nb\":[\"1\"]}", "in names too");

    form_is("a=%C3", NULL, "a cut UTF-8 sequence: refused");
    form_is("a=%FF", NULL, "a byte that is never UTF-8: refused");
    form_is("a=\xff", NULL, "a raw invalid byte: refused");
    form_is("a=%C0%AF", NULL, "an overlong form: refused");
    form_is("a=%ED%A0%80", NULL, "a surrogate: refused");
    form_is("a=%F4%90%80%80", NULL, "past U+10FFFF: refused");
    form_is("%FF=1", NULL, "an invalid name: refused");
    form_is("ok=1&a=%00", NULL, "%00: refused");
    form_is("a=x%00y", NULL, "%00 inside a value: refused");
    form_is("a%00b=1", NULL, "%00 in a name: refused");
    is_str(parsed("a=x\0y", 5), NULL, "a raw NUL byte: refused");
    is_str(parsed("ok=1&a\0=1", 10), NULL, "a raw NUL in a name: refused");

    /* the length is the body's, not up to a NUL */
    form = inc_form_parse("a=1&b=2", 3);
    is_str(inc_form_value(form, "a"), "1", "len 3 of \"a=1&b=2\": a is 1");
    ok(inc_form_value(form, "b") == NULL, "len 3: no b");
    cJSON_Delete(form);

    memcpy(nonul, "a=%", 3);
    form = inc_form_parse(nonul, sizeof(nonul));
    is_str(inc_form_value(form, "a"), "%",
           "a body without a NUL that ends in '%%': nothing read past it");
    cJSON_Delete(form);

    memcpy(nonul, "a=+", 3);
    form = inc_form_parse(nonul, sizeof(nonul));
    is_str(inc_form_value(form, "a"), " ", "a body that ends in '+'");
    cJSON_Delete(form);

    /* inc_form_value */
    form = inc_form_parse("a=1&a=2&e=", 10);
    is_str(inc_form_value(form, "a"), "1", "inc_form_value: the first");
    is_str(inc_form_value(form, "e"), "", "inc_form_value: an empty value");
    ok(inc_form_value(form, "A") == NULL, "names are case-sensitive");
    ok(inc_form_value(form, "zz") == NULL, "a missing name: NULL");
    ok(inc_form_value(NULL, "a") == NULL, "no form: NULL");
    v = cJSON_GetObjectItem(form, "a");
    is_int(cJSON_GetArraySize(v), 2, "both values are kept");
    cJSON_Delete(form);
}


static void
test_incident_create(void)
{
    map_is(INC_FORM_INCIDENT_CREATE,
           "csrf=t&title=DB+down&impact=major&message=Looking%21"
           "&componentIds_shown=1&componentIds=1&componentIds=2"
           "&notify_shown=1&notify=1",
           "{\"title\":\"DB down\",\"status\":\"investigating\","
           "\"impact\":\"major\",\"message\":\"Looking!\","
           "\"componentIds\":[1,2],\"notify\":true}",
           "create: every field; status defaults to investigating; "
           "csrf is not passed on");
    map_is(INC_FORM_INCIDENT_CREATE,
           "title=T&status=identified&impact=minor",
           "{\"title\":\"T\",\"status\":\"identified\",\"impact\":\"minor\"}",
           "create: a given status; no markers, no ids, no notify");
    map_is(INC_FORM_INCIDENT_CREATE,
           "title=T&status=&componentIds_shown=1&notify_shown=1",
           "{\"title\":\"T\",\"status\":\"\",\"componentIds\":[],"
           "\"notify\":false}",
           "create: markers without boxes: no components, no notification;"
           " an empty status is passed on for the validator");
    map_is(INC_FORM_INCIDENT_CREATE,
           "title=T&componentIds=3&notify=1",
           "{\"title\":\"T\",\"status\":\"investigating\","
           "\"componentIds\":[3],\"notify\":true}",
           "create: boxes without markers count too");
    map_is(INC_FORM_INCIDENT_CREATE,
           "componentIds_shown=1&componentIds=abc&componentIds=3x"
           "&componentIds=&componentIds=7",
           "{\"status\":\"investigating\",\"componentIds\":[\"abc\",\"3x\","
           "\"\",7]}",
           "create: ids that are not numbers are strings, for the "
           "validator to refuse");
    map_is(INC_FORM_INCIDENT_CREATE,
           "message=a%0D%0A%0D%0A*b*&title=%3Cb%3E",
           "{\"title\":\"<b>\",\"status\":\"investigating\","
           "\"message\":\"a\\n\\n*b*\"}",
           "create: text as typed, LF line ends (escaping is the page's "
           "job)");
    map_is(INC_FORM_INCIDENT_CREATE, "",
           "{\"status\":\"investigating\"}", "create: an empty form");
}


static void
test_other_forms(void)
{
    map_is(INC_FORM_INCIDENT_EDIT,
           "title=New&impact=critical&status=resolved&message=m"
           "&componentIds_shown=1&componentIds=2&notify_shown=1",
           "{\"title\":\"New\",\"impact\":\"critical\",\"componentIds\":[2]}",
           "edit: title, impact, components only");
    map_is(INC_FORM_INCIDENT_EDIT, "componentIds_shown=1",
           "{\"componentIds\":[]}", "edit: every box cleared");
    map_is(INC_FORM_INCIDENT_EDIT, "title=",
           "{\"title\":\"\"}", "edit: an empty title is passed on");

    map_is(INC_FORM_UPDATE_CREATE,
           "status=monitoring&message=Fixed&title=x&impact=none"
           "&componentIds_shown=1&componentIds=1&notify_shown=1",
           "{\"status\":\"monitoring\",\"message\":\"Fixed\","
           "\"componentIds\":[1],\"notify\":false}",
           "update: status, message, components, notify");
    map_is(INC_FORM_UPDATE_CREATE, "message=x",
           "{\"message\":\"x\"}", "update: no status default");

    map_is(INC_FORM_UPDATE_EDIT, "message=Typo+fixed&status=resolved",
           "{\"message\":\"Typo fixed\"}", "update edit: the message only");
    map_is(INC_FORM_UPDATE_EDIT, "", "{}", "update edit: nothing");

    map_is(INC_FORM_COMPONENT,
           "name=API&description=Public+API&baseStatus=major_outage"
           "&groupId=3&position=1",
           "{\"name\":\"API\",\"description\":\"Public API\","
           "\"baseStatus\":\"major_outage\",\"groupId\":3}",
           "component: every field; position is not a form field");
    map_is(INC_FORM_COMPONENT, "name=API&groupId=",
           "{\"name\":\"API\",\"groupId\":null}", "component: no group: null");
    map_is(INC_FORM_COMPONENT, "name=API",
           "{\"name\":\"API\"}", "component: no groupId: not changed");
    map_is(INC_FORM_COMPONENT, "groupId=abc",
           "{\"groupId\":\"abc\"}", "component: a bad groupId is a string");
    map_is(INC_FORM_COMPONENT, "groupId=2x",
           "{\"groupId\":\"2x\"}", "component: a groupId with junk");
    map_is(INC_FORM_COMPONENT, "groupId=+",
           "{\"groupId\":\" \"}", "component: a blank groupId is a string");

    /* strtod() takes hex, exponents and leading blanks for numbers */
    map_is(INC_FORM_INCIDENT_EDIT,
           "componentIds=0x10&componentIds=1e1&componentIds=+5",
           "{\"componentIds\":[\"0x10\",\"1e1\",\" 5\"]}",
           "ids: only decimal digits make a number");
    map_is(INC_FORM_COMPONENT, "groupId=0x3",
           "{\"groupId\":\"0x3\"}", "groupId: only decimal digits");

    map_is(INC_FORM_COMPONENT_MOVE, "direction=up&csrf=x",
           "{\"direction\":\"up\"}", "move: the direction");
    map_is(INC_FORM_COMPONENT_MOVE, "", "{}", "move: nothing");

    map_is(INC_FORM_SETTINGS,
           "pageTitle=Acme&incidentPosition=below_status"
           "&timezone=Europe%2FParis&logoUrl=%2Flogo.png"
           "&accentColor=%230969da&footerLinks=",
           "{\"pageTitle\":\"Acme\",\"incidentPosition\":\"below_status\","
           "\"timezone\":\"Europe/Paris\",\"logoUrl\":\"/logo.png\","
           "\"accentColor\":\"#0969da\",\"footerLinks\":[]}",
           "settings: every field; empty links: none");
    map_is(INC_FORM_SETTINGS, "pageTitle=X",
           "{\"pageTitle\":\"X\"}", "settings: no links field: unchanged");
}


static void
test_links(void)
{
    map_is(INC_FORM_SETTINGS,
           "footerLinks=Docs+%7C+https%3A%2F%2Fdocs.example%2F%0D%0A"
           "Help%7C%2Fhelp",
           "{\"footerLinks\":[{\"label\":\"Docs\","
           "\"url\":\" https://docs.example/\"},"
           "{\"label\":\"Help\",\"url\":\"/help\"}]}",
           "links: a label and a URL a line (the URL trimmed later)");
    map_is(INC_FORM_SETTINGS,
           "footerLinks=%0D%0A+%09%0D%0A++Spaced+%09+%7C+%2Fs%0A%0A",
           "{\"footerLinks\":[{\"label\":\"Spaced\",\"url\":\" /s\"}]}",
           "links: blank lines skipped, the label trimmed");
    map_is(INC_FORM_SETTINGS, "footerLinks=NoBar",
           "{\"footerLinks\":[{\"label\":\"NoBar\"}]}",
           "links: a line without '|' has no URL");
    map_is(INC_FORM_SETTINGS, "footerLinks=A+%7C+%2Fa+%7C+b",
           "{\"footerLinks\":[{\"label\":\"A\",\"url\":\" /a | b\"}]}",
           "links: the first '|' splits");
    map_is(INC_FORM_SETTINGS, "footerLinks=%7C+%2Fx",
           "{\"footerLinks\":[{\"label\":\"\",\"url\":\" /x\"}]}",
           "links: no label");
}


/* a mapped document through its validator: the fields and errors */
static void
validated(inc_form_t kind, const char *body, char **fields, char **errors)
{
    cJSON  *form, *in, *out, *errs, *e;
    char   *names, *p;
    size_t  len;

    form = inc_form_parse(body, strlen(body));
    in = inc_form_to_json(kind, form);
    out = cJSON_CreateObject();
    errs = cJSON_CreateArray();

    switch (kind) {
    case INC_FORM_INCIDENT_CREATE:
        inc_validate_incident_create(in, NOW, out, errs);
        break;
    case INC_FORM_INCIDENT_EDIT:
        inc_validate_incident_patch(in, NOW, out, errs);
        break;
    case INC_FORM_UPDATE_CREATE:
        inc_validate_update_create(in, out, errs);
        break;
    case INC_FORM_UPDATE_EDIT:
        inc_validate_update_patch(in, out, errs);
        break;
    case INC_FORM_COMPONENT:
        inc_validate_component(in, 1, out, errs);
        break;
    case INC_FORM_COMPONENT_MOVE:
        inc_validate_component_move(in, out, errs);
        break;
    default:
        inc_validate_settings(in, out, errs);
        break;
    }

    *fields = cJSON_PrintUnformatted(out);

    len = 1;
    cJSON_ArrayForEach(e, errs) {
        len += strlen(cJSON_GetObjectItem(e, "field")->valuestring) + 1;
    }

    names = malloc(len);
    p = names;
    *p = '\0';

    cJSON_ArrayForEach(e, errs) {
        p += sprintf(p, "%s%s", p == names ? "" : ",",
                     cJSON_GetObjectItem(e, "field")->valuestring);
    }

    *errors = names;

    cJSON_Delete(form);
    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(errs);
}


#define valid_is(kind, body, fields, errors, name)                           \
    do {                                                                     \
        char  *f_, *e_;                                                      \
        validated((kind), (body), &f_, &e_);                                 \
        is_str(e_, (errors), "%s: errors", (name));                          \
        if ((fields) != NULL) {                                              \
            is_str(f_, (const char *) (fields), "%s: fields", (name));       \
        }                                                                    \
        free(f_);                                                            \
        free(e_);                                                            \
    } while (0)


static void
test_validated(void)
{
    valid_is(INC_FORM_INCIDENT_CREATE,
             "title=+DB+down+&impact=major&message=m&componentIds_shown=1"
             "&componentIds=2&componentIds=1&componentIds=2&notify_shown=1",
             "{\"title\":\"DB down\",\"status\":\"investigating\","
             "\"impact\":\"major\",\"message\":\"m\",\"componentIds\":[2,1],"
             "\"notify\":false}", "",
             "the create form validates");
    valid_is(INC_FORM_INCIDENT_CREATE,
             "title=&impact=&componentIds_shown=1&componentIds=abc",
             NULL, "title,impact,componentIds",
             "the create form: empty title, no impact, a bad id");
    valid_is(INC_FORM_INCIDENT_CREATE,
             "title=T&impact=minor&componentIds=0", NULL, "componentIds",
             "id 0 is refused");
    valid_is(INC_FORM_INCIDENT_CREATE,
             "title=T&impact=minor&componentIds=1.5", NULL, "componentIds",
             "a fraction is refused");
    valid_is(INC_FORM_INCIDENT_EDIT, "title=New&componentIds_shown=1",
             "{\"title\":\"New\",\"componentIds\":[]}", "",
             "the edit form validates");
    valid_is(INC_FORM_UPDATE_CREATE,
             "status=resolved&message=Fixed&notify_shown=1&notify=1",
             "{\"status\":\"resolved\",\"message\":\"Fixed\","
             "\"notify\":true}", "", "the update form validates");
    valid_is(INC_FORM_UPDATE_CREATE, "status=bogus&message=",
             NULL, "status,message", "the update form: bad status, empty");
    valid_is(INC_FORM_UPDATE_EDIT, "message=+", NULL, "message",
             "the update edit form: a blank message");
    valid_is(INC_FORM_COMPONENT, "name=API&groupId=&baseStatus=operational",
             "{\"name\":\"API\",\"baseStatus\":\"operational\","
             "\"groupId\":null}", "",
             "the component form validates");
    valid_is(INC_FORM_COMPONENT, "name=API&groupId=x", NULL, "groupId",
             "a bad groupId is refused");
    valid_is(INC_FORM_COMPONENT_MOVE, "direction=down",
             "{\"direction\":\"down\"}", "", "the move form validates");
    valid_is(INC_FORM_COMPONENT_MOVE, "direction=left", NULL, "direction",
             "a bad direction is refused");
    valid_is(INC_FORM_SETTINGS,
             "pageTitle=Acme&footerLinks=Docs+%7C+https%3A%2F%2Fdocs.example"
             "%2F%0D%0AHelp+%7C+%2Fhelp%0D%0A",
             "{\"pageTitle\":\"Acme\",\"footerLinks\":[{\"label\":\"Docs\","
             "\"url\":\"https://docs.example/\"},{\"label\":\"Help\","
             "\"url\":\"/help\"}]}", "",
             "links as a browser sends them (CR LF) validate, trimmed");
    valid_is(INC_FORM_SETTINGS, "footerLinks=NoBar", NULL, "footerLinks",
             "a link without a URL is refused");
    valid_is(INC_FORM_SETTINGS,
             "footerLinks=x+%7C+javascript%3Aalert(1)", NULL, "footerLinks",
             "a javascript: link is refused");
}


/* the window of a maintenance form: "scheduledFor" as typed, then as UTC */
static void
window_is(const char *typed, int local, const char *want, const char *why)
{
    cJSON        *in, *errors;
    const cJSON  *v;

    in = cJSON_CreateObject();
    errors = cJSON_CreateArray();
    cJSON_AddStringToObject(in, "scheduledFor", typed);

    inc_form_window(in, local, local ? getenv("TZ") : "UTC", errors);
    v = cJSON_GetObjectItemCaseSensitive(in, "scheduledFor");

    if (want != NULL) {
        is_str(cJSON_IsString(v) ? v->valuestring : "(gone)", want, why);
        is_int(cJSON_GetArraySize(errors), 0, "  and no error");

    } else {
        ok(v == NULL && cJSON_GetArraySize(errors) == 1, why);
    }

    cJSON_Delete(in);
    cJSON_Delete(errors);
}


static void
test_window(void)
{
    char    buf[32];
    cJSON  *errors;

    window_is("2026-11-27T22:00", 0, "2026-11-27T22:00:00Z",
              "a window time without a zone is UTC");
    window_is("2026-11-27T22:00:30", 0, "2026-11-27T22:00:30Z",
              "seconds are kept");
    window_is("tomorrow", 0, NULL, "not a time: an error, taken out");
    window_is("1999-12-31T23:00", 0, NULL, "before 2000: an error");

    setenv("TZ", "Europe/Paris", 1);
    tzset();

    window_is("2026-11-27T23:00", 1, "2026-11-27T22:00:00Z",
              "in Europe/Paris, 23:00 in November is 22:00 UTC");
    window_is("2026-07-01T12:00", 1, "2026-07-01T10:00:00Z",
              "and noon in July is 10:00 UTC (summer time)");
    window_is("2026-03-29T02:30", 1, NULL,
              "02:30 on 29 March does not exist in Paris: refused");
    window_is("2026-10-25T02:30", 1, NULL,
              "02:30 on 25 October happens twice in Paris: refused");

    inc_form_local_value(1795816800, 1, buf, sizeof(buf));
    is_str(buf, "2026-11-27T23:00", "a UTC moment shown in the zone");

    unsetenv("TZ");
    tzset();

    inc_form_local_value(1795816800, 0, buf, sizeof(buf));
    is_str(buf, "2026-11-27T22:00", "and in UTC");

    errors = cJSON_CreateArray();
    inc_error_add(errors, "title", "is required");
    inc_error_add(errors, "scheduledUntil", "must be after scheduledFor");
    inc_error_add(errors, "title", "second");
    inc_form_errors_first(errors);
    is_int(cJSON_GetArraySize(errors), 2, "one error a field: the first");
    is_str(inc_rec_str(cJSON_GetArrayItem(errors, 0), "message"),
           "is required", "  the first kept");
    cJSON_Delete(errors);
}


int
main(void)
{
    test_window();
    test_parse();
    test_incident_create();
    test_other_forms();
    test_links();
    test_validated();

    return done_testing();
}
