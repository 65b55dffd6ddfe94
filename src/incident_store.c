/*
 * The LMDB store.
 */

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"


#define INC_MAX_READERS  1022


struct inc_store_s {
    MDB_env  *env;
    MDB_dbi   dbi[INC_DB_COUNT];

    /*
     * A read transaction kept reset between reads: renewing it reuses its
     * reader slot, where a new one would lock the shared reader table.
     */
    MDB_txn  *reader;
    int       reader_busy;
};


static const char  *inc_db_names[INC_DB_COUNT] = {
    "meta", "settings", "components", "incidents", "updates", "active",
    "audit", "status_log", "subscribers", "subscriber_email", "jobs",
    "dead", "deliveries", "maintenances", "maintenance_updates",
    "maintenance_open", "alert_groups"
};


typedef int (*inc_upgrade_pt)(inc_txn_t *txn);

static int inc_upgrade_initial(inc_txn_t *txn);
static int inc_upgrade_status_log(inc_txn_t *txn);
static int inc_upgrade_secret(inc_txn_t *txn);
static int inc_upgrade_new_databases(inc_txn_t *txn);

/* inc_upgrades[v] brings a store from schema v to v + 1 */
static inc_upgrade_pt  inc_upgrades[INC_SCHEMA_VERSION] = {
    inc_upgrade_initial,
    inc_upgrade_status_log,
    inc_upgrade_secret,
    inc_upgrade_new_databases,       /* subscribers, the queue */
    inc_upgrade_new_databases,       /* scheduled maintenance */
    inc_upgrade_new_databases,       /* Alertmanager groups */
};


static int
inc_mdb_result(inc_txn_t *txn, int rc)
{
    if (rc == MDB_SUCCESS) {
        return INC_OK;
    }

    if (rc == MDB_NOTFOUND) {
        return INC_NOTFOUND;
    }

    if (txn != NULL) {
        txn->mdb_error = rc;
    }

    return rc == MDB_MAP_FULL ? INC_FULL : INC_ERROR;
}


static void
inc_put_u64(unsigned char *p, uint64_t v)
{
    int  i;

    for (i = 7; i >= 0; i--) {
        p[i] = (unsigned char) (v & 0xff);
        v >>= 8;
    }
}


static uint64_t
inc_get_u64(const unsigned char *p)
{
    int       i;
    uint64_t  v;

    v = 0;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }

    return v;
}


static size_t
inc_key_size(inc_db_t db)
{
    return (db == INC_DB_UPDATES || db == INC_DB_STATUS_LOG
            || db == INC_DB_JOBS || db == INC_DB_DELIVERIES
            || db == INC_DB_MAINT_UPDATES) ? 16 : 8;
}


static void
inc_key_make(inc_db_t db, uint64_t id, uint64_t sub, unsigned char *buf,
    MDB_val *key)
{
    inc_put_u64(buf, id);
    inc_put_u64(buf + 8, sub);

    key->mv_data = buf;
    key->mv_size = inc_key_size(db);
}


static int
inc_meta_get_u64(inc_txn_t *txn, const char *name, uint64_t *v)
{
    int      rc;
    MDB_val  key, val;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);

    rc = mdb_get(txn->txn, txn->store->dbi[INC_DB_META], &key, &val);

    if (rc == MDB_NOTFOUND) {
        *v = 0;
        return INC_NOTFOUND;
    }

    if (rc != MDB_SUCCESS || val.mv_size != 8) {
        *v = 0;
        return inc_mdb_result(txn, rc == MDB_SUCCESS ? MDB_CORRUPTED : rc);
    }

    *v = inc_get_u64(val.mv_data);

    return INC_OK;
}


static int
inc_meta_put_u64(inc_txn_t *txn, const char *name, uint64_t v)
{
    unsigned char  buf[8];
    MDB_val        key, val;

    inc_put_u64(buf, v);

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);
    val.mv_data = buf;
    val.mv_size = 8;

    return inc_mdb_result(txn, mdb_put(txn->txn,
                                       txn->store->dbi[INC_DB_META],
                                       &key, &val, 0));
}


/* schema 0 -> 1: a fresh store gets the default page settings */
static int
inc_upgrade_initial(inc_txn_t *txn)
{
    int     rc;
    cJSON  *settings;

    settings = inc_settings_defaults();
    if (settings == NULL) {
        return INC_ERROR;
    }

    rc = inc_named_put(txn, INC_DB_SETTINGS, "page", settings);
    cJSON_Delete(settings);

    return rc;
}


/*
 * schema 1 -> 2: base statuses get a history, for uptime; each existing
 * component starts it with the status it has, from its creation
 */
static int
inc_upgrade_status_log(inc_txn_t *txn)
{
    int          rc;
    cJSON       *rec;
    inc_iter_t   it;

    rc = inc_iter_open(txn, INC_DB_COMPONENTS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
         rc = inc_iter_next(&it, &rec))
    {
        rc = inc_status_log_add(txn, it.key[0], inc_rec_time(rec, "createdAt"),
                                inc_rec_str(rec, "baseStatus"));
        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


/* schema 2 -> 3: a random secret, the key of CSRF and link tokens */
static int
inc_upgrade_secret(inc_txn_t *txn)
{
    ssize_t        n;
    MDB_val        key, val;
    unsigned char  secret[INC_SECRET_LEN];

    n = getrandom(secret, sizeof(secret), 0);
    if (n != (ssize_t) sizeof(secret)) {
        txn->mdb_error = n < 0 ? errno : EIO;
        return INC_ERROR;
    }

    key.mv_data = "secret";
    key.mv_size = sizeof("secret") - 1;
    val.mv_data = secret;
    val.mv_size = sizeof(secret);

    return inc_mdb_result(txn, mdb_put(txn->txn,
                                       txn->store->dbi[INC_DB_META],
                                       &key, &val, 0));
}


/*
 * schema 3 -> 4 (subscribers and the notification queue), 4 -> 5
 * (scheduled maintenance) and 5 -> 6 (Alertmanager groups) add databases,
 * which are created when the store opens: there is nothing to convert.
 */
static int
inc_upgrade_new_databases(inc_txn_t *txn)
{
    (void) txn;

    return INC_OK;
}


int
inc_store_secret(inc_store_t *store, unsigned char *secret)
{
    int        rc;
    MDB_val    key, val;
    inc_txn_t  txn;

    rc = inc_txn_begin(store, 0, &txn);
    if (rc != INC_OK) {
        return rc;
    }

    key.mv_data = "secret";
    key.mv_size = sizeof("secret") - 1;

    rc = mdb_get(txn.txn, store->dbi[INC_DB_META], &key, &val);

    if (rc == MDB_SUCCESS && val.mv_size == INC_SECRET_LEN) {
        memcpy(secret, val.mv_data, INC_SECRET_LEN);
    }

    inc_txn_abort(&txn);

    if (rc == MDB_SUCCESS && val.mv_size != INC_SECRET_LEN) {
        return INC_ERROR;
    }

    return inc_mdb_result(NULL, rc);
}


int
inc_status_log_add(inc_txn_t *txn, uint64_t component_id, time_t at,
    const char *status)
{
    int       rc;
    cJSON    *rec;
    uint64_t  id;

    rc = inc_record_new(txn, "statuslog", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddNumberToObject(rec, "at", (double) at);
    cJSON_AddStringToObject(rec, "status", status);

    rc = inc_record_put(txn, INC_DB_STATUS_LOG, component_id, id, rec);
    cJSON_Delete(rec);

    return rc;
}


/* runs the missing upgrade steps, all in one write transaction */
static int
inc_store_upgrade(inc_store_t *store, char *err, size_t err_len)
{
    int        rc;
    uint64_t   version;
    inc_txn_t  txn;

    rc = inc_txn_begin(store, 1, &txn);
    if (rc != INC_OK) {
        snprintf(err, err_len, "cannot begin the upgrade: %s",
                 inc_txn_error(&txn));
        return rc;
    }

    rc = inc_meta_get_u64(&txn, "schema", &version);
    if (rc == INC_ERROR) {
        goto failed;
    }

    if (version > INC_SCHEMA_VERSION) {
        inc_txn_abort(&txn);
        snprintf(err, err_len, "the store has schema version %llu, newer "
                 "than this module's %d", (unsigned long long) version,
                 INC_SCHEMA_VERSION);
        return INC_ERROR;
    }

    if (version == INC_SCHEMA_VERSION) {
        inc_txn_abort(&txn);
        return INC_OK;
    }

    for ( /* void */ ; version < INC_SCHEMA_VERSION; version++) {
        rc = inc_upgrades[version](&txn);
        if (rc != INC_OK) {
            goto failed;
        }
    }

    rc = inc_meta_put_u64(&txn, "schema", INC_SCHEMA_VERSION);
    if (rc != INC_OK) {
        goto failed;
    }

    rc = inc_txn_commit(&txn, time(NULL));
    if (rc != INC_OK) {
        snprintf(err, err_len, "schema upgrade failed: %s",
                 inc_txn_error(&txn));
    }

    return rc;

failed:

    snprintf(err, err_len, "schema upgrade failed: %s", inc_txn_error(&txn));
    inc_txn_abort(&txn);

    return rc;
}


int
inc_store_open(inc_store_t **store, const char *path, size_t map_size,
    int *dead_readers, char *err, size_t err_len)
{
    int           rc, i;
    MDB_txn      *txn;
    inc_store_t  *st;

    *store = NULL;

    st = calloc(1, sizeof(inc_store_t));
    if (st == NULL) {
        snprintf(err, err_len, "out of memory");
        return INC_ERROR;
    }

    rc = mdb_env_create(&st->env);
    if (rc != MDB_SUCCESS) {
        snprintf(err, err_len, "mdb_env_create(): %s", mdb_strerror(rc));
        free(st);
        return INC_ERROR;
    }

    mdb_env_set_maxdbs(st->env, INC_DB_COUNT);
    mdb_env_set_maxreaders(st->env, INC_MAX_READERS);

    rc = mdb_env_set_mapsize(st->env, map_size);
    if (rc != MDB_SUCCESS) {
        snprintf(err, err_len, "mdb_env_set_mapsize(%zu): %s", map_size,
                 mdb_strerror(rc));
        goto failed;
    }

    /*
     * MDB_NOTLS: read transactions are not tied to threads, as the event
     * loop and the thread pool share the environment.
     */
    rc = mdb_env_open(st->env, path, MDB_NOTLS, 0600);
    if (rc != MDB_SUCCESS) {
        snprintf(err, err_len, "mdb_env_open(\"%s\"): %s", path,
                 mdb_strerror(rc));
        goto failed;
    }

    /* slots left by processes that were killed inside a read */
    *dead_readers = 0;
    mdb_reader_check(st->env, dead_readers);

    rc = mdb_txn_begin(st->env, NULL, 0, &txn);
    if (rc != MDB_SUCCESS) {
        snprintf(err, err_len, "mdb_txn_begin(): %s", mdb_strerror(rc));
        goto failed;
    }

    for (i = 0; i < INC_DB_COUNT; i++) {
        rc = mdb_dbi_open(txn, inc_db_names[i], MDB_CREATE, &st->dbi[i]);
        if (rc != MDB_SUCCESS) {
            snprintf(err, err_len, "mdb_dbi_open(\"%s\"): %s",
                     inc_db_names[i], mdb_strerror(rc));
            mdb_txn_abort(txn);
            goto failed;
        }
    }

    rc = mdb_txn_commit(txn);
    if (rc != MDB_SUCCESS) {
        snprintf(err, err_len, "mdb_txn_commit(): %s", mdb_strerror(rc));
        goto failed;
    }

    rc = inc_store_upgrade(st, err, err_len);
    if (rc != INC_OK) {
        inc_store_close(st);
        return rc;
    }

    *store = st;

    return INC_OK;

failed:

    mdb_env_close(st->env);
    free(st);

    return rc == MDB_MAP_FULL ? INC_FULL : INC_ERROR;
}


void
inc_store_close(inc_store_t *store)
{
    if (store != NULL) {
        if (store->reader != NULL) {
            mdb_txn_abort(store->reader);
        }

        mdb_env_close(store->env);
        free(store);
    }
}


int
inc_txn_begin(inc_store_t *store, int write, inc_txn_t *txn)
{
    int  rc;

    txn->store = store;
    txn->txn = NULL;
    txn->write = write;
    txn->quiet = 0;
    txn->mdb_error = 0;

    if (!write && store->reader != NULL && !store->reader_busy) {
        rc = mdb_txn_renew(store->reader);

        if (rc == MDB_SUCCESS) {
            store->reader_busy = 1;
            txn->txn = store->reader;
            return INC_OK;
        }

        mdb_txn_abort(store->reader);
        store->reader = NULL;
    }

    rc = mdb_txn_begin(store->env, NULL, write ? 0 : MDB_RDONLY, &txn->txn);

    if (rc == MDB_MAP_RESIZED) {
        /* another process grew the map (a reload with a larger size=) */
        mdb_env_set_mapsize(store->env, 0);
        rc = mdb_txn_begin(store->env, NULL, write ? 0 : MDB_RDONLY,
                           &txn->txn);
    }

    if (rc != MDB_SUCCESS) {
        txn->txn = NULL;
        return inc_mdb_result(txn, rc);
    }

    if (!write && store->reader == NULL) {
        store->reader = txn->txn;
        store->reader_busy = 1;
    }

    return INC_OK;
}


/* a committed write moves the generation on: the caches' and ETags' key */
int
inc_txn_commit(inc_txn_t *txn, time_t now)
{
    int       rc;
    uint64_t  generation;

    if (!txn->write) {
        /* a read has nothing to commit; this keeps the cached reader */
        inc_txn_abort(txn);
        return INC_OK;
    }

    /* the queue's own bookkeeping shows on no page: caches stay valid */
    if (!txn->quiet) {
        rc = inc_meta_get_u64(txn, "generation", &generation);
        if (rc == INC_ERROR) {
            goto failed;
        }

        rc = inc_meta_put_u64(txn, "generation", generation + 1);
        if (rc != INC_OK) {
            goto failed;
        }

        rc = inc_meta_put_u64(txn, "updatedAt", (uint64_t) now);
        if (rc != INC_OK) {
            goto failed;
        }
    }

    rc = mdb_txn_commit(txn->txn);
    txn->txn = NULL;

    return inc_mdb_result(txn, rc);

failed:

    mdb_txn_abort(txn->txn);
    txn->txn = NULL;

    return rc;
}


void
inc_txn_abort(inc_txn_t *txn)
{
    if (txn->txn == NULL) {
        return;
    }

    if (txn->txn == txn->store->reader) {
        mdb_txn_reset(txn->txn);
        txn->store->reader_busy = 0;

    } else {
        mdb_txn_abort(txn->txn);
    }

    txn->txn = NULL;
}


const char *
inc_txn_error(const inc_txn_t *txn)
{
    return txn->mdb_error ? mdb_strerror(txn->mdb_error) : "no error";
}


int
inc_store_generation(inc_store_t *store, uint64_t *generation)
{
    int        rc;
    inc_txn_t  txn;

    rc = inc_txn_begin(store, 0, &txn);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_meta_get_u64(&txn, "generation", generation);
    inc_txn_abort(&txn);

    return rc == INC_ERROR ? rc : INC_OK;
}


uint64_t
inc_txn_generation(inc_txn_t *txn)
{
    uint64_t  v;

    inc_meta_get_u64(txn, "generation", &v);

    return v;
}


time_t
inc_txn_updated_at(inc_txn_t *txn)
{
    uint64_t  v;

    inc_meta_get_u64(txn, "updatedAt", &v);

    return (time_t) v;
}


int
inc_txn_next_id(inc_txn_t *txn, const char *sequence, uint64_t *id)
{
    int       rc;
    char      name[64];
    uint64_t  last;

    snprintf(name, sizeof(name), "seq.%s", sequence);

    rc = inc_meta_get_u64(txn, name, &last);
    if (rc == INC_ERROR) {
        return rc;
    }

    *id = last + 1;

    return inc_meta_put_u64(txn, name, *id);
}


/* a new record of version 1 with the next id of "sequence" */
int
inc_record_new(inc_txn_t *txn, const char *sequence, uint64_t *id,
    cJSON **rec)
{
    int  rc;

    *rec = NULL;

    rc = inc_txn_next_id(txn, sequence, id);
    if (rc != INC_OK) {
        return rc;
    }

    *rec = cJSON_CreateObject();
    if (*rec == NULL) {
        txn->mdb_error = ENOMEM;
        return INC_ERROR;
    }

    cJSON_AddNumberToObject(*rec, "v", 1);
    cJSON_AddNumberToObject(*rec, "id", (double) *id);

    return INC_OK;
}


static int
inc_value_parse(inc_txn_t *txn, const MDB_val *val, cJSON **record)
{
    if (record == NULL) {
        return INC_OK;
    }

    if (val->mv_size == 0) {
        *record = NULL;
        return INC_OK;
    }

    *record = cJSON_ParseWithLength(val->mv_data, val->mv_size);

    if (*record == NULL) {
        txn->mdb_error = MDB_CORRUPTED;
        return INC_ERROR;
    }

    return INC_OK;
}


static int
inc_value_put(inc_txn_t *txn, MDB_dbi dbi, MDB_val *key,
    const cJSON *record)
{
    int       rc;
    char     *text;
    MDB_val   val;

    if (record == NULL) {
        val.mv_data = "";
        val.mv_size = 0;
        return inc_mdb_result(txn, mdb_put(txn->txn, dbi, key, &val, 0));
    }

    text = cJSON_PrintUnformatted(record);
    if (text == NULL) {
        txn->mdb_error = ENOMEM;
        return INC_ERROR;
    }

    val.mv_data = text;
    val.mv_size = strlen(text);

    rc = mdb_put(txn->txn, dbi, key, &val, 0);
    free(text);

    return inc_mdb_result(txn, rc);
}


int
inc_record_get(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub,
    cJSON **record)
{
    int            rc;
    unsigned char  buf[16];
    MDB_val        key, val;

    inc_key_make(db, id, sub, buf, &key);

    rc = mdb_get(txn->txn, txn->store->dbi[db], &key, &val);
    if (rc != MDB_SUCCESS) {
        return inc_mdb_result(txn, rc);
    }

    return inc_value_parse(txn, &val, record);
}


int
inc_record_exists(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub)
{
    return inc_record_get(txn, db, id, sub, NULL) == INC_OK;
}


int
inc_record_put(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub,
    const cJSON *record)
{
    unsigned char  buf[16];
    MDB_val        key;

    inc_key_make(db, id, sub, buf, &key);

    return inc_value_put(txn, txn->store->dbi[db], &key, record);
}


int
inc_record_del(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub)
{
    unsigned char  buf[16];
    MDB_val        key;

    inc_key_make(db, id, sub, buf, &key);

    return inc_mdb_result(txn, mdb_del(txn->txn, txn->store->dbi[db],
                                       &key, NULL));
}


/* every (id, *) record of a two-id database */
int
inc_record_del_all(inc_txn_t *txn, inc_db_t db, uint64_t id)
{
    int         rc;
    inc_iter_t  it;

    rc = inc_iter_open(txn, db, &it);
    if (rc != INC_OK) {
        return rc;
    }

    /* a delete moves the cursor on: seek again every time */
    for (rc = inc_iter_seek(&it, id, 0, NULL);
         rc == INC_OK && it.key[0] == id;
         rc = inc_iter_seek(&it, id, 0, NULL))
    {
        rc = inc_record_del(txn, db, id, it.key[1]);
        if (rc != INC_OK) {
            break;
        }
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


int
inc_named_get(inc_txn_t *txn, inc_db_t db, const char *name,
    cJSON **record)
{
    int      rc;
    MDB_val  key, val;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);

    rc = mdb_get(txn->txn, txn->store->dbi[db], &key, &val);
    if (rc != MDB_SUCCESS) {
        return inc_mdb_result(txn, rc);
    }

    return inc_value_parse(txn, &val, record);
}


int
inc_named_put(inc_txn_t *txn, inc_db_t db, const char *name,
    const cJSON *record)
{
    MDB_val  key;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);

    return inc_value_put(txn, txn->store->dbi[db], &key, record);
}


int
inc_named_del(inc_txn_t *txn, inc_db_t db, const char *name)
{
    MDB_val  key;

    key.mv_data = (void *) name;
    key.mv_size = strlen(name);

    return inc_mdb_result(txn, mdb_del(txn->txn, txn->store->dbi[db],
                                       &key, NULL));
}


int
inc_iter_open(inc_txn_t *txn, inc_db_t db, inc_iter_t *it)
{
    it->txn = txn;
    it->cursor = NULL;
    it->db = db;
    it->nkey = inc_key_size(db) / 8;
    it->key[0] = 0;
    it->key[1] = 0;

    return inc_mdb_result(txn, mdb_cursor_open(txn->txn,
                                               txn->store->dbi[db],
                                               &it->cursor));
}


void
inc_iter_close(inc_iter_t *it)
{
    if (it->cursor != NULL) {
        mdb_cursor_close(it->cursor);
        it->cursor = NULL;
    }
}


static int
inc_iter_step(inc_iter_t *it, MDB_val *key, MDB_cursor_op op,
    cJSON **record)
{
    int      rc;
    MDB_val  val;

    rc = mdb_cursor_get(it->cursor, key, &val, op);
    if (rc != MDB_SUCCESS) {
        return inc_mdb_result(it->txn, rc);
    }

    if (key->mv_size != it->nkey * 8) {
        it->txn->mdb_error = MDB_CORRUPTED;
        return INC_ERROR;
    }

    it->key[0] = inc_get_u64(key->mv_data);
    it->key[1] = it->nkey == 2
                 ? inc_get_u64((unsigned char *) key->mv_data + 8) : 0;

    return inc_value_parse(it->txn, &val, record);
}


int
inc_iter_seek(inc_iter_t *it, uint64_t id, uint64_t sub, cJSON **record)
{
    unsigned char  buf[16];
    MDB_val        key;

    inc_key_make(it->db, id, sub, buf, &key);

    return inc_iter_step(it, &key, MDB_SET_RANGE, record);
}


int
inc_iter_seek_before(inc_iter_t *it, uint64_t id, uint64_t sub,
    cJSON **record)
{
    int      rc;
    MDB_val  key;

    rc = inc_iter_seek(it, id, sub, NULL);

    if (rc == INC_NOTFOUND) {
        return inc_iter_step(it, &key, MDB_LAST, record);
    }

    if (rc != INC_OK) {
        return rc;
    }

    return inc_iter_step(it, &key, MDB_PREV, record);
}


int
inc_iter_first(inc_iter_t *it, cJSON **record)
{
    MDB_val  key;

    return inc_iter_step(it, &key, MDB_FIRST, record);
}


int
inc_iter_last(inc_iter_t *it, cJSON **record)
{
    MDB_val  key;

    return inc_iter_step(it, &key, MDB_LAST, record);
}


int
inc_iter_next(inc_iter_t *it, cJSON **record)
{
    MDB_val  key;

    return inc_iter_step(it, &key, MDB_NEXT, record);
}


int
inc_iter_prev(inc_iter_t *it, cJSON **record)
{
    MDB_val  key;

    return inc_iter_step(it, &key, MDB_PREV, record);
}


uint64_t
inc_rec_id(const cJSON *rec, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(rec, field);

    if (!cJSON_IsNumber(item) || item->valuedouble < 1) {
        return 0;
    }

    return (uint64_t) item->valuedouble;
}


const char *
inc_rec_str(const cJSON *rec, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(rec, field);

    return cJSON_IsString(item) ? item->valuestring : "";
}


double
inc_rec_num(const cJSON *rec, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(rec, field);

    return cJSON_IsNumber(item) ? item->valuedouble : 0;
}


/* the object of "list" whose "id" is "id", or NULL */
const cJSON *
inc_rec_find(const cJSON *list, double id)
{
    const cJSON  *item;

    cJSON_ArrayForEach(item, list) {
        if (inc_rec_num(item, "id") == id) {
            return item;
        }
    }

    return NULL;
}


/* the "name" of that object, or NULL */
const char *
inc_rec_name(const cJSON *list, double id)
{
    const cJSON  *item;

    item = inc_rec_find(list, id);

    return item ? inc_rec_str(item, "name") : NULL;
}


time_t
inc_rec_time(const cJSON *rec, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(rec, field);

    return cJSON_IsNumber(item) ? (time_t) item->valuedouble : 0;
}
