/*
 * incident_store: the LMDB environment, transactions, the generation
 * counter, id sequences, records, cursors, schema upgrades, a full map.
 */

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "incident_store.h"
#include "tap.h"


#define MAP_SIZE  (8 * 1024 * 1024)


/* temp directories */

static char *
temp_dir(void)
{
    char  *dir;

    dir = strdup("/tmp/inc-unit-store-XXXXXX");

    if (dir == NULL || mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(2);
    }

    return dir;
}


static void
remove_dir(char *dir)
{
    DIR            *d;
    char            path[512];
    struct dirent  *e;

    d = opendir(dir);

    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            {
                continue;
            }

            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }

        closedir(d);
    }

    if (rmdir(dir) != 0) {
        diag("cannot remove %s", dir);
    }

    free(dir);
}


static inc_store_t *
open_store(const char *dir, size_t map_size)
{
    int           dead;
    char          err[256];
    inc_store_t  *store;

    err[0] = '\0';
    dead = -1;

    if (inc_store_open(&store, dir, map_size, &dead, err, sizeof(err))
        != INC_OK)
    {
        diag("inc_store_open(%s): %s", dir, err);
        return NULL;
    }

    return store;
}


static uint64_t
generation(inc_store_t *store)
{
    uint64_t  g;

    g = 0xdeadbeef;

    if (inc_store_generation(store, &g) != INC_OK) {
        diag("inc_store_generation() failed");
    }

    return g;
}


static cJSON *
json(const char *text)
{
    cJSON  *j;

    j = cJSON_Parse(text);
    if (j == NULL) {
        diag("the test's own JSON does not parse: %s", text);
        abort();
    }

    return j;
}


/* raw LMDB access to the same directory (the store must be closed) */

static int
raw_begin(const char *dir, MDB_env **env, MDB_txn **txn, const char *db,
    MDB_dbi *dbi)
{
    int  rc;

    rc = mdb_env_create(env);
    if (rc != MDB_SUCCESS) {
        return rc;
    }

    mdb_env_set_maxdbs(*env, 16);

    rc = mdb_env_open(*env, dir, 0, 0600);

    if (rc == MDB_SUCCESS) {
        rc = mdb_txn_begin(*env, NULL, 0, txn);
    }

    if (rc == MDB_SUCCESS) {
        rc = mdb_dbi_open(*txn, db, 0, dbi);
        if (rc != MDB_SUCCESS) {
            mdb_txn_abort(*txn);
        }
    }

    if (rc != MDB_SUCCESS) {
        mdb_env_close(*env);
        diag("raw LMDB on %s: %s", dir, mdb_strerror(rc));
    }

    return rc;
}


static int
raw_end(MDB_env *env, MDB_txn *txn)
{
    int  rc;

    rc = mdb_txn_commit(txn);
    mdb_env_close(env);

    return rc;
}


/* meta "name" := value, as 8 bytes big-endian (or "len" bytes of it) */
static int
raw_put_u64(const char *dir, const char *name, uint64_t value, size_t len)
{
    int            rc, i;
    MDB_env       *env;
    MDB_txn       *txn;
    MDB_dbi        dbi;
    MDB_val        key, val;
    unsigned char  buf[8];

    rc = raw_begin(dir, &env, &txn, "meta", &dbi);
    if (rc != MDB_SUCCESS) {
        return rc;
    }

    for (i = 7; i >= 0; i--) {
        buf[i] = (unsigned char) (value & 0xff);
        value >>= 8;
    }

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);
    val.mv_data = buf + 8 - len;
    val.mv_size = len;

    rc = mdb_put(txn, dbi, &key, &val, 0);
    if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        mdb_env_close(env);
        return rc;
    }

    return raw_end(env, txn);
}


static int
raw_get_u64(const char *dir, const char *name, uint64_t *value)
{
    int       rc;
    size_t    i;
    MDB_env  *env;
    MDB_txn  *txn;
    MDB_dbi   dbi;
    MDB_val   key, val;

    *value = 0xdeadbeef;

    rc = raw_begin(dir, &env, &txn, "meta", &dbi);
    if (rc != MDB_SUCCESS) {
        return rc;
    }

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);

    rc = mdb_get(txn, dbi, &key, &val);

    if (rc == MDB_SUCCESS) {
        if (val.mv_size != 8) {
            rc = MDB_CORRUPTED;

        } else {
            *value = 0;
            for (i = 0; i < 8; i++) {
                *value = (*value << 8) | ((unsigned char *) val.mv_data)[i];
            }
        }
    }

    mdb_txn_abort(txn);
    mdb_env_close(env);

    return rc;
}


static int
raw_del(const char *dir, const char *db, const char *name)
{
    int       rc;
    MDB_env  *env;
    MDB_txn  *txn;
    MDB_dbi   dbi;
    MDB_val   key;

    rc = raw_begin(dir, &env, &txn, db, &dbi);
    if (rc != MDB_SUCCESS) {
        return rc;
    }

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);

    rc = mdb_del(txn, dbi, &key, NULL);
    if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        mdb_env_close(env);
        return rc;
    }

    return raw_end(env, txn);
}


/* the tests */

static void
test_open_fresh(void)
{
    int           rc, dead;
    char         *dir, err[256];
    cJSON        *rec;
    uint64_t      schema, g;
    inc_txn_t     txn;
    inc_store_t  *store;

    dir = temp_dir();

    dead = -1;
    err[0] = '\0';
    rc = inc_store_open(&store, dir, MAP_SIZE, &dead, err, sizeof(err));
    if (!is_int(rc, INC_OK, "a fresh store opens")) {
        diag("%s", err);
        remove_dir(dir);
        return;
    }

    ok(store != NULL, "and is returned");
    is_int(dead, 0, "no dead readers in a fresh store");

    rc = inc_txn_begin(store, 0, &txn);
    is_int(rc, INC_OK, "a read transaction begins");
    is_str(inc_txn_error(&txn), "no error", "a fresh txn has no error");

    rec = NULL;
    rc = inc_named_get(&txn, INC_DB_SETTINGS, "page", &rec);
    is_int(rc, INC_OK, "the page settings exist");
    is_str(inc_rec_str(rec, "pageTitle"), "Status",
           "default pageTitle is \"Status\"");
    is_str(inc_rec_str(rec, "incidentPosition"), "top",
           "default incidentPosition is \"top\"");
    is_int(inc_rec_id(rec, "v"), 1, "the settings record carries v=1");
    cJSON_Delete(rec);

    is_int(inc_txn_generation(&txn), generation(store),
           "inc_txn_generation agrees with inc_store_generation");
    inc_txn_abort(&txn);
    ok(txn.txn == NULL, "abort clears the txn");
    inc_txn_abort(&txn);
    ok(1, "a second abort is harmless");

    g = generation(store);
    inc_store_close(store);

    rc = raw_get_u64(dir, "schema", &schema);
    is_int(rc, MDB_SUCCESS, "meta has a schema version");
    is_int(schema, INC_SCHEMA_VERSION, "at INC_SCHEMA_VERSION (%d)",
           INC_SCHEMA_VERSION);

    store = open_store(dir, MAP_SIZE);
    ok(store != NULL, "the store opens again");
    if (store != NULL) {
        is_int(generation(store), g,
               "reopening a current store writes nothing");
        inc_store_close(store);
    }

    inc_store_close(NULL);
    ok(1, "closing NULL is harmless");

    remove_dir(dir);

    /* LMDB does not create the directory: the module does */
    err[0] = '\0';
    rc = inc_store_open(&store, "/nonexistent/inc-unit/store", MAP_SIZE,
                        &dead, err, sizeof(err));
    is_int(rc, INC_ERROR, "a missing directory is an error");
    ok(store == NULL, "and no store is returned");
    ok(strstr(err, "/nonexistent/inc-unit/store") != NULL,
       "the message names the path (%s)", err);
}


static void
test_records(void)
{
    int           rc;
    char         *dir;
    cJSON        *rec, *in;
    inc_txn_t     txn;
    inc_store_t  *store;

    dir = temp_dir();
    store = open_store(dir, MAP_SIZE);
    if (!ok(store != NULL, "records: store opens")) {
        remove_dir(dir);
        return;
    }

    inc_txn_begin(store, 1, &txn);

    in = json("{\"v\": 1, \"id\": 1, \"name\": \"API\", \"n\": 2.5,"
              " \"list\": [1, 2], \"u\": \"caf\\u00e9\"}");
    is_int(inc_record_put(&txn, INC_DB_COMPONENTS, 1, 0, in), INC_OK,
           "put component 1");
    cJSON_Delete(in);

    in = json("{\"v\": 1, \"id\": 2, \"name\": \"Dashboard\"}");
    is_int(inc_record_put(&txn, INC_DB_COMPONENTS, 2, 0, in), INC_OK,
           "put component 2");
    cJSON_Delete(in);

    in = json("{\"v\": 1, \"id\": 1, \"title\": \"Incident one\"}");
    is_int(inc_record_put(&txn, INC_DB_INCIDENTS, 1, 0, in), INC_OK,
           "put incident 1 (same id, another database)");
    cJSON_Delete(in);

    is_int(inc_record_put(&txn, INC_DB_ACTIVE, 1, 0, NULL), INC_OK,
           "put an empty value");

    rec = NULL;
    rc = inc_record_get(&txn, INC_DB_COMPONENTS, 2, 0, &rec);
    is_int(rc, INC_OK, "the write txn reads its own write");
    is_str(inc_rec_str(rec, "name"), "Dashboard", "with its content");
    cJSON_Delete(rec);

    is_int(inc_txn_commit(&txn, 1000), INC_OK, "commit");
    ok(txn.txn == NULL, "commit clears the txn");

    inc_txn_begin(store, 0, &txn);

    rec = NULL;
    rc = inc_record_get(&txn, INC_DB_COMPONENTS, 1, 0, &rec);
    is_int(rc, INC_OK, "get component 1");
    is_str(inc_rec_str(rec, "name"), "API", "name round trips");
    is_str(inc_rec_str(rec, "u"), "caf\xc3\xa9", "UTF-8 round trips");
    ok(cJSON_GetNumberValue(cJSON_GetObjectItem(rec, "n")) == 2.5,
       "a fraction round trips");
    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(rec, "list")), 2,
           "an array round trips");
    is_int(inc_rec_id(rec, "id"), 1, "inc_rec_id reads an id");
    is_int(inc_rec_id(rec, "name"), 0, "inc_rec_id of a string is 0");
    is_int(inc_rec_id(rec, "missing"), 0, "inc_rec_id of nothing is 0");
    is_str(inc_rec_str(rec, "id"), "", "inc_rec_str of a number is \"\"");
    is_int(inc_rec_time(rec, "id"), 1, "inc_rec_time reads a number");
    is_int(inc_rec_time(rec, "name"), 0, "inc_rec_time of a string is 0");
    cJSON_Delete(rec);

    rec = NULL;
    rc = inc_record_get(&txn, INC_DB_INCIDENTS, 1, 0, &rec);
    is_str(inc_rec_str(rec, "title"), "Incident one",
           "databases do not share keys");
    cJSON_Delete(rec);

    rec = (cJSON *) 1;
    rc = inc_record_get(&txn, INC_DB_ACTIVE, 1, 0, &rec);
    is_int(rc, INC_OK, "an empty value is found");
    ok(rec == NULL, "and reads as a NULL record");

    rec = NULL;
    is_int(inc_record_get(&txn, INC_DB_COMPONENTS, 3, 0, &rec),
           INC_NOTFOUND, "a missing id is INC_NOTFOUND");
    ok(rec == NULL, "and leaves no record");
    is_int(inc_record_get(&txn, INC_DB_COMPONENTS, 1, 0, NULL), INC_OK,
           "get with a NULL record only checks");
    ok(inc_record_exists(&txn, INC_DB_COMPONENTS, 2, 0),
       "inc_record_exists: yes");
    ok(!inc_record_exists(&txn, INC_DB_COMPONENTS, 7, 0),
       "inc_record_exists: no");
    ok(!inc_record_exists(&txn, INC_DB_INCIDENTS, 2, 0),
       "inc_record_exists: not in another database");

    in = json("{\"v\": 1}");
    rc = inc_record_put(&txn, INC_DB_COMPONENTS, 9, 0, in);
    cJSON_Delete(in);
    is_int(rc, INC_ERROR, "a read transaction cannot write");
    ok(strcmp(inc_txn_error(&txn), "no error") != 0,
       "and says why (%s)", inc_txn_error(&txn));
    inc_txn_abort(&txn);

    /* overwrite and delete */
    inc_txn_begin(store, 1, &txn);
    in = json("{\"v\": 1, \"id\": 1, \"name\": \"Public API\"}");
    is_int(inc_record_put(&txn, INC_DB_COMPONENTS, 1, 0, in), INC_OK,
           "overwrite component 1");
    cJSON_Delete(in);
    is_int(inc_record_del(&txn, INC_DB_COMPONENTS, 2, 0), INC_OK,
           "delete component 2");
    is_int(inc_record_del(&txn, INC_DB_COMPONENTS, 2, 0), INC_NOTFOUND,
           "deleting it again is INC_NOTFOUND");
    is_int(inc_record_del(&txn, INC_DB_COMPONENTS, 42, 0), INC_NOTFOUND,
           "deleting a missing id is INC_NOTFOUND");

    in = json("{\"v\": 1, \"pageTitle\": \"Acme\"}");
    is_int(inc_named_put(&txn, INC_DB_SETTINGS, "page", in), INC_OK,
           "named put");
    cJSON_Delete(in);
    is_int(inc_txn_commit(&txn, 1001), INC_OK, "commit");

    inc_txn_begin(store, 0, &txn);
    rec = NULL;
    inc_record_get(&txn, INC_DB_COMPONENTS, 1, 0, &rec);
    is_str(inc_rec_str(rec, "name"), "Public API", "the overwrite is seen");
    cJSON_Delete(rec);
    is_int(inc_record_get(&txn, INC_DB_COMPONENTS, 2, 0, NULL),
           INC_NOTFOUND, "the delete is seen");
    rec = NULL;
    is_int(inc_named_get(&txn, INC_DB_SETTINGS, "page", &rec), INC_OK,
           "named get");
    is_str(inc_rec_str(rec, "pageTitle"), "Acme", "named round trip");
    cJSON_Delete(rec);
    is_int(inc_named_get(&txn, INC_DB_SETTINGS, "nothing", &rec),
           INC_NOTFOUND, "a missing name is INC_NOTFOUND");
    inc_txn_abort(&txn);

    /* an aborted write leaves nothing */
    inc_txn_begin(store, 1, &txn);
    in = json("{\"v\": 1, \"id\": 5}");
    inc_record_put(&txn, INC_DB_COMPONENTS, 5, 0, in);
    cJSON_Delete(in);
    inc_record_del(&txn, INC_DB_COMPONENTS, 1, 0);
    inc_txn_abort(&txn);

    inc_txn_begin(store, 0, &txn);
    ok(!inc_record_exists(&txn, INC_DB_COMPONENTS, 5, 0),
       "an aborted put is not kept");
    ok(inc_record_exists(&txn, INC_DB_COMPONENTS, 1, 0),
       "an aborted delete is not kept");
    inc_txn_abort(&txn);

    /* data survives a reopen */
    inc_store_close(store);
    store = open_store(dir, MAP_SIZE);
    if (ok(store != NULL, "reopen")) {
        inc_txn_begin(store, 0, &txn);
        rec = NULL;
        inc_record_get(&txn, INC_DB_COMPONENTS, 1, 0, &rec);
        is_str(inc_rec_str(rec, "name"), "Public API",
               "records survive a reopen");
        cJSON_Delete(rec);
        inc_txn_abort(&txn);
        inc_store_close(store);
    }

    remove_dir(dir);
}


/* "a.b" for the iterator's key, or the rc */
static const char *
key_of(inc_iter_t *it, int rc, char *buf)
{
    if (rc != INC_OK) {
        sprintf(buf, "rc=%d", rc);

    } else if (it->nkey == 2) {
        sprintf(buf, "%llu.%llu", (unsigned long long) it->key[0],
                (unsigned long long) it->key[1]);

    } else {
        sprintf(buf, "%llu", (unsigned long long) it->key[0]);
    }

    return buf;
}


/* walks with first/next (or last/prev) and lists keys and record checks */
static void
walk(inc_txn_t *txn, inc_db_t db, int backwards, char *out, size_t size,
    int *mismatches)
{
    int          rc;
    char         key[64];
    size_t       len;
    cJSON       *rec;
    inc_iter_t   it;

    len = 0;
    out[0] = '\0';
    *mismatches = 0;

    if (inc_iter_open(txn, db, &it) != INC_OK) {
        snprintf(out, size, "(cannot open a cursor)");
        return;
    }

    for (rc = backwards ? inc_iter_last(&it, &rec) : inc_iter_first(&it, &rec);
         rc == INC_OK;
         rc = backwards ? inc_iter_prev(&it, &rec) : inc_iter_next(&it, &rec))
    {
        key_of(&it, rc, key);

        /* each record stores its own key as "k" */
        if (strcmp(inc_rec_str(rec, "k"), key) != 0) {
            (*mismatches)++;
        }

        cJSON_Delete(rec);

        len += (size_t) snprintf(out + len, size - len, "%s%s",
                                 len ? " " : "", key);
        if (len >= size) {
            break;
        }
    }

    inc_iter_close(&it);
    inc_iter_close(&it);

    if (rc != INC_NOTFOUND) {
        snprintf(out, size, "(walk ended with rc=%d)", rc);
    }
}


static void
put_keyed(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub)
{
    char    key[64];
    cJSON  *rec;

    if (db == INC_DB_UPDATES) {
        sprintf(key, "%llu.%llu", (unsigned long long) id,
                (unsigned long long) sub);
    } else {
        sprintf(key, "%llu", (unsigned long long) id);
    }

    rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "k", key);

    if (inc_record_put(txn, db, id, sub, rec) != INC_OK) {
        diag("put %s failed: %s", key, inc_txn_error(txn));
    }

    cJSON_Delete(rec);
}


static void
test_cursors(void)
{
    int           rc, bad;
    char         *dir, list[512], key[64];
    cJSON        *rec;
    inc_txn_t     txn;
    inc_iter_t    it;
    inc_store_t  *store;

    static const uint64_t  upd[][2] = {
        { 2, 1 }, { 1, 3 }, { 256, 0 }, { 1, 1 }, { 10, 5 }, { 1, 256 },
        { 1, 2 }, { 0x100000000ULL, 7 }
    };

    static const uint64_t  ids[] = { 256, 2, 65536, 1, 255, 4294967296ULL };

    size_t  i;

    dir = temp_dir();
    store = open_store(dir, MAP_SIZE);
    if (!ok(store != NULL, "cursors: store opens")) {
        remove_dir(dir);
        return;
    }

    inc_txn_begin(store, 0, &txn);
    inc_iter_open(&txn, INC_DB_UPDATES, &it);
    is_int(it.nkey, 2, "updates have two-id keys");
    is_int(inc_iter_first(&it, NULL), INC_NOTFOUND, "empty: first");
    is_int(inc_iter_last(&it, NULL), INC_NOTFOUND, "empty: last");
    is_int(inc_iter_seek(&it, 1, 0, NULL), INC_NOTFOUND, "empty: seek");
    is_int(inc_iter_seek_before(&it, 1, 0, NULL), INC_NOTFOUND,
           "empty: seek_before");
    inc_iter_close(&it);
    inc_iter_open(&txn, INC_DB_COMPONENTS, &it);
    is_int(it.nkey, 1, "components have one-id keys");
    inc_iter_close(&it);
    inc_txn_abort(&txn);

    inc_txn_begin(store, 1, &txn);
    for (i = 0; i < sizeof(upd) / sizeof(upd[0]); i++) {
        put_keyed(&txn, INC_DB_UPDATES, upd[i][0], upd[i][1]);
    }
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        put_keyed(&txn, INC_DB_COMPONENTS, ids[i], 0);
    }

    walk(&txn, INC_DB_UPDATES, 0, list, sizeof(list), &bad);
    is_str(list, "1.1 1.2 1.3 1.256 2.1 10.5 256.0 4294967296.7",
           "a write txn's cursor sees its own writes, in order");

    is_int(inc_txn_commit(&txn, 2000), INC_OK, "commit the keys");

    inc_txn_begin(store, 0, &txn);

    walk(&txn, INC_DB_UPDATES, 0, list, sizeof(list), &bad);
    is_str(list, "1.1 1.2 1.3 1.256 2.1 10.5 256.0 4294967296.7",
           "updates walk in (incident, update) order, numerically");
    is_int(bad, 0, "each key comes with its own record");

    walk(&txn, INC_DB_UPDATES, 1, list, sizeof(list), &bad);
    is_str(list, "4294967296.7 256.0 10.5 2.1 1.256 1.3 1.2 1.1",
           "last/prev walk backwards");
    is_int(bad, 0, "with their records");

    walk(&txn, INC_DB_COMPONENTS, 0, list, sizeof(list), &bad);
    is_str(list, "1 2 255 256 65536 4294967296",
           "one-id keys walk numerically");
    is_int(bad, 0, "with their records");

    walk(&txn, INC_DB_COMPONENTS, 1, list, sizeof(list), &bad);
    is_str(list, "4294967296 65536 256 255 2 1", "and backwards");

    rec = NULL;
    rc = inc_record_get(&txn, INC_DB_UPDATES, 1, 256, &rec);
    is_int(rc, INC_OK, "get a two-id key");
    is_str(inc_rec_str(rec, "k"), "1.256", "its record");
    cJSON_Delete(rec);
    is_int(inc_record_get(&txn, INC_DB_UPDATES, 1, 4, NULL), INC_NOTFOUND,
           "a missing two-id key");
    is_int(inc_record_get(&txn, INC_DB_UPDATES, 256, 1, NULL), INC_NOTFOUND,
           "the sub id is part of the key");

    inc_iter_open(&txn, INC_DB_UPDATES, &it);

    rc = inc_iter_seek(&it, 1, 2, NULL);
    is_str(key_of(&it, rc, key), "1.2", "seek to an existing key");
    rc = inc_iter_seek(&it, 1, 0, NULL);
    is_str(key_of(&it, rc, key), "1.1", "seek (1, 0): the first of 1");
    rc = inc_iter_seek(&it, 1, 4, NULL);
    is_str(key_of(&it, rc, key), "1.256", "seek between keys: the next");
    rc = inc_iter_seek(&it, 3, 0, NULL);
    is_str(key_of(&it, rc, key), "10.5", "seek past an incident");
    rc = inc_iter_next(&it, NULL);
    is_str(key_of(&it, rc, key), "256.0", "next after a seek");
    rc = inc_iter_seek(&it, 0x100000000ULL, 8, NULL);
    is_int(rc, INC_NOTFOUND, "seek past the end is INC_NOTFOUND");

    rec = NULL;
    rc = inc_iter_seek(&it, 2, 0, &rec);
    is_str(inc_rec_str(rec, "k"), "2.1", "seek returns the record");
    cJSON_Delete(rec);

    rc = inc_iter_seek_before(&it, 2, 0, NULL);
    is_str(key_of(&it, rc, key), "1.256",
           "seek_before (2, 0): the last update of incident 1");
    rc = inc_iter_prev(&it, NULL);
    is_str(key_of(&it, rc, key), "1.3", "prev after seek_before");
    rc = inc_iter_seek_before(&it, 10, 5, NULL);
    is_str(key_of(&it, rc, key), "2.1", "seek_before an existing key");
    rc = inc_iter_seek_before(&it, 1, 1, NULL);
    is_int(rc, INC_NOTFOUND, "seek_before the first key: INC_NOTFOUND");
    rc = inc_iter_seek_before(&it, 1, 0, NULL);
    is_int(rc, INC_NOTFOUND, "seek_before below the first: INC_NOTFOUND");

    rec = NULL;
    rc = inc_iter_seek_before(&it, 999999999999ULL, 0, &rec);
    is_str(key_of(&it, rc, key), "4294967296.7",
           "seek_before past the end: the last key");
    is_str(inc_rec_str(rec, "k"), "4294967296.7", "with its record");
    cJSON_Delete(rec);
    rc = inc_iter_next(&it, NULL);
    is_int(rc, INC_NOTFOUND, "next after the last: INC_NOTFOUND");

    rc = inc_iter_first(&it, NULL);
    rc = inc_iter_prev(&it, NULL);
    is_int(rc, INC_NOTFOUND, "prev before the first: INC_NOTFOUND");

    inc_iter_close(&it);

    inc_iter_open(&txn, INC_DB_COMPONENTS, &it);
    rc = inc_iter_seek_before(&it, 256, 0, NULL);
    is_str(key_of(&it, rc, key), "255", "one-id seek_before");
    rc = inc_iter_seek(&it, 257, 0, NULL);
    is_str(key_of(&it, rc, key), "65536", "one-id seek");
    inc_iter_close(&it);

    inc_txn_abort(&txn);

    /* inc_record_del_all() takes one incident's keys, and only those */
    inc_txn_begin(store, 1, &txn);
    is_int(inc_record_del_all(&txn, INC_DB_UPDATES, 1), INC_OK,
           "del_all (1, *)");
    walk(&txn, INC_DB_UPDATES, 0, list, sizeof(list), &bad);
    is_str(list, "2.1 10.5 256.0 4294967296.7",
           "the four keys of 1 are gone, the others are not");
    is_int(inc_record_del_all(&txn, INC_DB_UPDATES, 3), INC_OK,
           "del_all of an id without keys is fine");
    is_int(inc_record_del_all(&txn, INC_DB_UPDATES, 0x100000000ULL), INC_OK,
           "del_all of the last id");
    walk(&txn, INC_DB_UPDATES, 0, list, sizeof(list), &bad);
    is_str(list, "2.1 10.5 256.0", "the last key is gone");
    inc_txn_abort(&txn);

    inc_store_close(store);
    remove_dir(dir);
}


static void
test_sequences(void)
{
    char         *dir;
    uint64_t      id;
    inc_txn_t     txn;
    inc_store_t  *store;

    dir = temp_dir();
    store = open_store(dir, MAP_SIZE);
    if (!ok(store != NULL, "sequences: store opens")) {
        remove_dir(dir);
        return;
    }

    inc_txn_begin(store, 1, &txn);
    id = 0;
    is_int(inc_txn_next_id(&txn, "incident", &id), INC_OK, "next_id works");
    is_int(id, 1, "the first incident id is 1");
    inc_txn_next_id(&txn, "incident", &id);
    is_int(id, 2, "then 2");
    inc_txn_next_id(&txn, "incident", &id);
    is_int(id, 3, "then 3");
    inc_txn_next_id(&txn, "component", &id);
    is_int(id, 1, "another sequence starts at 1 too");
    inc_txn_commit(&txn, 3000);

    inc_txn_begin(store, 1, &txn);
    inc_txn_next_id(&txn, "incident", &id);
    is_int(id, 4, "the sequence continues in the next txn");
    inc_txn_abort(&txn);

    inc_txn_begin(store, 1, &txn);
    inc_txn_next_id(&txn, "incident", &id);
    is_int(id, 4, "an aborted txn does not use an id up");
    inc_txn_commit(&txn, 3001);

    inc_store_close(store);
    store = open_store(dir, MAP_SIZE);
    if (ok(store != NULL, "reopen")) {
        inc_txn_begin(store, 1, &txn);
        inc_txn_next_id(&txn, "incident", &id);
        is_int(id, 5, "the sequence survives a reopen");
        inc_txn_next_id(&txn, "component", &id);
        is_int(id, 2, "every sequence does");
        inc_txn_next_id(&txn, "update", &id);
        is_int(id, 1, "a new sequence starts at 1");
        inc_txn_commit(&txn, 3002);
        inc_store_close(store);
    }

    remove_dir(dir);
}


static void
test_generation(void)
{
    char         *dir;
    cJSON        *in;
    uint64_t      g0, id;
    inc_txn_t     txn, reader;
    inc_store_t  *store;

    dir = temp_dir();
    store = open_store(dir, MAP_SIZE);
    if (!ok(store != NULL, "generation: store opens")) {
        remove_dir(dir);
        return;
    }

    g0 = generation(store);

    inc_txn_begin(store, 1, &txn);
    in = json("{\"v\": 1}");
    inc_record_put(&txn, INC_DB_COMPONENTS, 1, 0, in);
    cJSON_Delete(in);
    is_int(inc_txn_generation(&txn), g0,
           "inside a write txn the generation is not moved yet");
    is_int(inc_txn_commit(&txn, 1795773600), INC_OK, "commit a write");
    is_int(generation(store), g0 + 1, "a committed write: +1");

    inc_txn_begin(store, 0, &reader);
    is_int(inc_txn_updated_at(&reader), 1795773600,
           "updatedAt is the commit's \"now\"");
    is_int(inc_txn_generation(&reader), g0 + 1, "a reader sees it");

    inc_txn_begin(store, 1, &txn);
    inc_txn_next_id(&txn, "x", &id);
    inc_txn_commit(&txn, 1795773601);
    is_int(generation(store), g0 + 2, "another committed write: +1");
    is_int(inc_txn_generation(&reader), g0 + 1,
           "an older reader keeps its snapshot");
    inc_txn_abort(&reader);

    inc_txn_begin(store, 1, &txn);
    in = json("{\"v\": 2}");
    inc_record_put(&txn, INC_DB_COMPONENTS, 2, 0, in);
    cJSON_Delete(in);
    inc_txn_abort(&txn);
    is_int(generation(store), g0 + 2, "an aborted write: unchanged");

    inc_txn_begin(store, 1, &txn);
    inc_txn_commit(&txn, 1795773800);
    is_int(generation(store), g0 + 3,
           "an empty committed write counts too (one per commit)");

    inc_store_close(store);
    store = open_store(dir, MAP_SIZE);
    if (ok(store != NULL, "reopen")) {
        is_int(generation(store), g0 + 3, "the generation survives a reopen");
        inc_store_close(store);
    }

    remove_dir(dir);
}


/*
 * Committing a read transaction: in a child, so that a memory error shows
 * as this test failing (under ASan) instead of ending the whole file.
 */
static int
read_commit_child(const char *dir)
{
    int           failures;
    uint64_t      g, id;
    inc_txn_t     txn;
    inc_store_t  *store;

    store = open_store(dir, MAP_SIZE);
    if (store == NULL) {
        return 10;
    }

    failures = 0;

    inc_txn_begin(store, 1, &txn);
    inc_txn_next_id(&txn, "x", &id);
    inc_txn_commit(&txn, 1795773601);
    g = generation(store);

    inc_txn_begin(store, 0, &txn);
    if (inc_txn_commit(&txn, 1795773700) != INC_OK) {
        diag("child: committing a read txn failed");
        failures++;
    }

    if (generation(store) != g) {
        diag("child: a committed read moved the generation");
        failures++;
    }

    inc_txn_begin(store, 0, &txn);
    if (inc_txn_updated_at(&txn) != 1795773601) {
        diag("child: a committed read moved updatedAt");
        failures++;
    }
    inc_txn_abort(&txn);

    /* the next reads still work */
    inc_txn_begin(store, 0, &txn);
    if (inc_txn_generation(&txn) != g) {
        diag("child: a later read sees a wrong generation");
        failures++;
    }
    inc_txn_abort(&txn);

    inc_store_close(store);

    return failures;
}


static void
test_read_commit(void)
{
    int    status;
    char  *dir;
    pid_t  pid;

    dir = temp_dir();

    fflush(stdout);
    fflush(stderr);

    pid = fork();

    if (pid == 0) {
        _exit(read_commit_child(dir));
    }

    status = -1;
    if (pid > 0) {
        waitpid(pid, &status, 0);
    }

    ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
       "a read txn may be committed: generation and updatedAt stay, "
       "later reads work, no memory error (child status %d)", status);

    remove_dir(dir);
}


static void
test_upgrade(void)
{
    int           rc, dead;
    char         *dir, err[256], num[32];
    cJSON        *rec, *in;
    uint64_t      g, schema;
    inc_txn_t     txn;
    inc_store_t  *store;

    dir = temp_dir();
    store = open_store(dir, MAP_SIZE);
    if (!ok(store != NULL, "upgrade: store opens")) {
        remove_dir(dir);
        return;
    }

    inc_txn_begin(store, 1, &txn);
    in = json("{\"v\": 1, \"id\": 1, \"name\": \"API\","
              " \"baseStatus\": \"degraded_performance\","
              " \"createdAt\": 1795000000}");
    inc_record_put(&txn, INC_DB_COMPONENTS, 1, 0, in);
    cJSON_Delete(in);
    inc_txn_commit(&txn, 4000);
    g = generation(store);
    inc_store_close(store);

    /* back to schema 0, without settings */
    is_int(raw_put_u64(dir, "schema", 0, 8), MDB_SUCCESS,
           "raw LMDB: meta schema := 0");
    is_int(raw_del(dir, "settings", "page"), MDB_SUCCESS,
           "raw LMDB: delete the page settings");

    store = open_store(dir, MAP_SIZE);
    if (ok(store != NULL, "a schema 0 store opens")) {
        inc_txn_begin(store, 0, &txn);
        rec = NULL;
        rc = inc_named_get(&txn, INC_DB_SETTINGS, "page", &rec);
        is_int(rc, INC_OK, "the upgrade created the page settings");
        is_str(inc_rec_str(rec, "incidentPosition"), "top",
               "with the default position");
        cJSON_Delete(rec);
        rec = NULL;
        inc_record_get(&txn, INC_DB_COMPONENTS, 1, 0, &rec);
        is_str(inc_rec_str(rec, "name"), "API", "existing data is kept");
        cJSON_Delete(rec);

#if INC_SCHEMA_VERSION >= 2
        {
            inc_iter_t  it;

            /* every step ran: 1 -> 2 starts each component's history */
            inc_iter_open(&txn, INC_DB_STATUS_LOG, &it);
            rec = NULL;
            rc = inc_iter_first(&it, &rec);
            is_int(rc, INC_OK, "schema 2: component 1 has a status history");
            is_int(it.key[0], 1, "keyed by the component");
            is_str(inc_rec_str(rec, "status"), "degraded_performance",
                   "starting with its base status");
            is_int(inc_rec_time(rec, "at"), 1795000000,
                   "at its creation");
            cJSON_Delete(rec);
            is_int(inc_iter_next(&it, NULL), INC_NOTFOUND,
                   "one entry for one component");
            inc_iter_close(&it);
        }
#endif

        inc_txn_abort(&txn);
        is_int(generation(store), g + 1,
               "the upgrade is one committed write");
        inc_store_close(store);
    }

    rc = raw_get_u64(dir, "schema", &schema);
    is_int(schema, INC_SCHEMA_VERSION, "the schema is current again");

    /* a store from the future */
    is_int(raw_put_u64(dir, "schema", INC_SCHEMA_VERSION + 1, 8),
           MDB_SUCCESS, "raw LMDB: meta schema := %d",
           INC_SCHEMA_VERSION + 1);

    err[0] = '\0';
    store = (inc_store_t *) 1;
    rc = inc_store_open(&store, dir, MAP_SIZE, &dead, err, sizeof(err));
    ok(rc != INC_OK, "a newer schema is refused");
    ok(store == NULL, "no store is returned");
    snprintf(num, sizeof(num), "%d", INC_SCHEMA_VERSION + 1);
    ok(strstr(err, "newer") != NULL && strstr(err, num) != NULL,
       "the message says the store is newer (%s)", err);

    rc = raw_get_u64(dir, "schema", &schema);
    is_int(schema, INC_SCHEMA_VERSION + 1,
           "a refused store is not modified");

    /* a schema value of the wrong size */
    raw_put_u64(dir, "schema", 1, 4);
    err[0] = '\0';
    rc = inc_store_open(&store, dir, MAP_SIZE, &dead, err, sizeof(err));
    ok(rc != INC_OK && store == NULL, "a corrupt schema value is refused");
    ok(err[0] != '\0', "with a message (%s)", err);

    raw_put_u64(dir, "schema", INC_SCHEMA_VERSION, 8);
    store = open_store(dir, MAP_SIZE);
    if (ok(store != NULL, "set back to current, the store opens")) {
        is_int(generation(store), g + 1,
               "a current store is not upgraded again");
        inc_store_close(store);
    }

    remove_dir(dir);
}


static cJSON *
big_record(uint64_t id, size_t size)
{
    char   *text;
    cJSON  *rec;

    text = malloc(size + 1);
    memset(text, 'a' + (int) (id % 26), size);
    text[size] = '\0';

    rec = cJSON_CreateObject();
    cJSON_AddNumberToObject(rec, "id", (double) id);
    cJSON_AddStringToObject(rec, "text", text);
    free(text);

    return rec;
}


static void
test_map_full(void)
{
    int           rc, full, dead, opened, failed_silently;
    char         *dir, err[256], *want;
    cJSON        *rec;
    size_t        size;
    uint64_t      g0, i, committed;
    inc_txn_t     txn;
    inc_store_t  *store;

    /*
     * Too small a map: inc_store_open() either works or fails with a
     * message, whichever step runs out of room.
     */
    opened = 0;
    failed_silently = 0;

    for (size = 4096; size <= 64 * 1024; size += 4096) {
        dir = temp_dir();
        memset(err, 0, sizeof(err));
        store = (inc_store_t *) 1;

        rc = inc_store_open(&store, dir, size, &dead, err, sizeof(err));

        if (rc == INC_OK && store != NULL) {
            opened++;
            inc_store_close(store);

        } else if (store != NULL || err[0] == '\0') {
            failed_silently++;
            diag("map of %zu bytes: rc=%d, no error message", size, rc);
        }

        remove_dir(dir);
    }

    ok(opened > 0, "a map of 64 KiB or less opens");
    is_int(failed_silently, 0,
           "every map too small to open fails with a message");

    /* fill a 64 KiB store */
    dir = temp_dir();
    store = open_store(dir, 64 * 1024);
    if (!ok(store != NULL, "a 64 KiB store opens")) {
        remove_dir(dir);
        return;
    }

    g0 = generation(store);
    committed = 0;
    full = 0;

    for (i = 1; i <= 200 && !full; i++) {
        if (inc_txn_begin(store, 1, &txn) != INC_OK) {
            diag("begin failed at record %llu", (unsigned long long) i);
            break;
        }

        rec = big_record(i, 1500);
        rc = inc_record_put(&txn, INC_DB_INCIDENTS, i, 0, rec);
        cJSON_Delete(rec);

        if (rc == INC_FULL) {
            full = 1;
            is_int(txn.mdb_error, MDB_MAP_FULL,
                   "a put into a full map: MDB_MAP_FULL");
            ok(strstr(inc_txn_error(&txn), "MDB_MAP_FULL") != NULL,
               "inc_txn_error says so (%s)", inc_txn_error(&txn));
            inc_txn_abort(&txn);
            ok(txn.txn == NULL, "the failed txn is aborted");
            break;
        }

        if (rc != INC_OK) {
            diag("put %llu: rc=%d %s", (unsigned long long) i, rc,
                 inc_txn_error(&txn));
            inc_txn_abort(&txn);
            break;
        }

        rc = inc_txn_commit(&txn, 5000 + (time_t) i);

        if (rc == INC_FULL) {
            full = 1;
            ok(strstr(inc_txn_error(&txn), "MDB_MAP_FULL") != NULL,
               "a commit into a full map: INC_FULL (%s)",
               inc_txn_error(&txn));
            ok(txn.txn == NULL, "the failed commit leaves no txn open");
            break;
        }

        if (rc != INC_OK) {
            diag("commit %llu: rc=%d", (unsigned long long) i, rc);
            break;
        }

        committed++;
    }

    ok(full, "INC_FULL came back (after %llu committed records)",
       (unsigned long long) committed);
    ok(committed > 0, "some records were committed before");
    is_int(generation(store), g0 + committed,
           "the generation counts only the committed writes");

    want = NULL;
    inc_txn_begin(store, 0, &txn);
    for (i = 1; i <= committed; i++) {
        rec = NULL;
        rc = inc_record_get(&txn, INC_DB_INCIDENTS, i, 0, &rec);
        free(want);
        want = malloc(1501);
        memset(want, 'a' + (int) (i % 26), 1500);
        want[1500] = '\0';
        if (rc != INC_OK || strcmp(inc_rec_str(rec, "text"), want) != 0) {
            cJSON_Delete(rec);
            break;
        }
        cJSON_Delete(rec);
    }
    free(want);
    is_int(i, committed + 1, "every committed record reads back intact");
    is_int(inc_record_get(&txn, INC_DB_INCIDENTS, committed + 1, 0, NULL),
           INC_NOTFOUND, "the failed record is not there");
    inc_txn_abort(&txn);

    inc_txn_begin(store, 0, &txn);
    rec = NULL;
    rc = inc_named_get(&txn, INC_DB_SETTINGS, "page", &rec);
    is_int(rc, INC_OK, "small reads still work on the full store");
    cJSON_Delete(rec);
    inc_txn_abort(&txn);

    /* another large write fails cleanly again */
    if (inc_txn_begin(store, 1, &txn) == INC_OK) {
        rec = big_record(999, 1500);
        rc = inc_record_put(&txn, INC_DB_INCIDENTS, 999, 0, rec);
        cJSON_Delete(rec);
        if (rc == INC_OK) {
            rc = inc_txn_commit(&txn, 6000);
        } else {
            inc_txn_abort(&txn);
        }
        is_int(rc, INC_FULL, "the next large write is INC_FULL too");
    }
    is_int(generation(store), g0 + committed, "and changed nothing");

    inc_store_close(store);

    store = open_store(dir, 64 * 1024);
    if (ok(store != NULL, "a full store opens again")) {
        inc_txn_begin(store, 0, &txn);
        ok(committed == 0
           || inc_record_exists(&txn, INC_DB_INCIDENTS, committed, 0),
           "with its data");
        inc_txn_abort(&txn);
        inc_store_close(store);
    }

    remove_dir(dir);
}


int
main(void)
{
    test_open_fresh();
    test_records();
    test_cursors();
    test_sequences();
    test_generation();
    test_read_commit();
    test_upgrade();
    test_map_full();

    return done_testing();
}
