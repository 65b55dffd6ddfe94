/*
 * The store: one LMDB environment shared by every worker through mmap.
 * Records are compact JSON objects carrying a record version "v"; keys are
 * big-endian ids so that cursors walk them in order.  No nginx types here.
 */

#ifndef _INCIDENT_STORE_H_INCLUDED_
#define _INCIDENT_STORE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <lmdb.h>
#include <cjson/cJSON.h>


#define INC_SCHEMA_VERSION  6
#define INC_SECRET_LEN      32


/* results of store calls */
#define INC_OK         0
#define INC_NOTFOUND   1     /* no such record */
#define INC_FULL       2     /* the map is full: the write was not made */
#define INC_ERROR      3     /* anything else; txn->error tells what */


typedef enum {
    INC_DB_META = 0,
    INC_DB_SETTINGS,
    INC_DB_COMPONENTS,
    INC_DB_INCIDENTS,
    INC_DB_UPDATES,          /* key: incident id + update id */
    INC_DB_ACTIVE,           /* unresolved incident ids, empty values */
    INC_DB_AUDIT,
    INC_DB_STATUS_LOG,       /* key: component id + change id */
    INC_DB_SUBSCRIBERS,
    INC_DB_SUBSCRIBER_EMAIL, /* key: the lower-case address; {"id": N} */
    INC_DB_JOBS,             /* key: due time in ms + job id */
    INC_DB_DEAD,             /* jobs that ran out of attempts, by id */
    INC_DB_DELIVERIES,       /* key: subscriber id + delivery id */
    INC_DB_MAINTENANCES,
    INC_DB_MAINT_UPDATES,    /* key: maintenance id + update id */
    INC_DB_MAINT_OPEN,       /* maintenances not completed, empty values */
    INC_DB_ALERT_GROUPS,     /* key: hex SHA-256 of an Alertmanager group */
    INC_DB_COUNT
} inc_db_t;


typedef struct inc_store_s  inc_store_t;

typedef struct {
    inc_store_t  *store;
    MDB_txn      *txn;
    int           write;
    int           quiet;         /* commit without a new generation */
    int           mdb_error;     /* the last LMDB error, 0 if none */
} inc_txn_t;

typedef struct {
    inc_txn_t    *txn;
    MDB_cursor   *cursor;
    inc_db_t      db;
    uint64_t      key[2];        /* the current key, decoded */
    size_t        nkey;          /* 1 or 2 ids */
} inc_iter_t;


int inc_store_open(inc_store_t **store, const char *path, size_t map_size,
    int *dead_readers, char *err, size_t err_len);
void inc_store_close(inc_store_t *store);

int inc_txn_begin(inc_store_t *store, int write, inc_txn_t *txn);
int inc_txn_commit(inc_txn_t *txn, time_t now);
void inc_txn_abort(inc_txn_t *txn);
const char *inc_txn_error(const inc_txn_t *txn);

int inc_store_generation(inc_store_t *store, uint64_t *generation);
int inc_store_secret(inc_store_t *store, unsigned char *secret);
uint64_t inc_txn_generation(inc_txn_t *txn);
time_t inc_txn_updated_at(inc_txn_t *txn);
int inc_txn_next_id(inc_txn_t *txn, const char *sequence, uint64_t *id);

int inc_record_new(inc_txn_t *txn, const char *sequence, uint64_t *id,
    cJSON **record);
int inc_record_get(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub,
    cJSON **record);
int inc_record_put(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub,
    const cJSON *record);
int inc_record_del(inc_txn_t *txn, inc_db_t db, uint64_t id, uint64_t sub);
int inc_record_del_all(inc_txn_t *txn, inc_db_t db, uint64_t id);
int inc_record_exists(inc_txn_t *txn, inc_db_t db, uint64_t id,
    uint64_t sub);

int inc_named_get(inc_txn_t *txn, inc_db_t db, const char *name,
    cJSON **record);
int inc_named_put(inc_txn_t *txn, inc_db_t db, const char *name,
    const cJSON *record);
int inc_named_del(inc_txn_t *txn, inc_db_t db, const char *name);

/*
 * Cursors.  inc_iter_seek() positions at the first key >= (id, sub); the
 * step functions return INC_NOTFOUND past either end.  "record" may be
 * NULL when only keys are wanted.
 */
int inc_iter_open(inc_txn_t *txn, inc_db_t db, inc_iter_t *it);
void inc_iter_close(inc_iter_t *it);
int inc_iter_seek(inc_iter_t *it, uint64_t id, uint64_t sub, cJSON **record);
int inc_iter_first(inc_iter_t *it, cJSON **record);
int inc_iter_last(inc_iter_t *it, cJSON **record);
int inc_iter_next(inc_iter_t *it, cJSON **record);
int inc_iter_prev(inc_iter_t *it, cJSON **record);

/* the last key < (id, sub), for walking newest first from a cursor */
int inc_iter_seek_before(inc_iter_t *it, uint64_t id, uint64_t sub,
    cJSON **record);


/* the base-status history of components, for uptime */
int inc_status_log_add(inc_txn_t *txn, uint64_t component_id, time_t at,
    const char *status);


/* record field helpers shared by the service and the JSON layer */
uint64_t inc_rec_id(const cJSON *rec, const char *field);
const char *inc_rec_str(const cJSON *rec, const char *field);
double inc_rec_num(const cJSON *rec, const char *field);
const cJSON *inc_rec_find(const cJSON *list, double id);
const char *inc_rec_name(const cJSON *list, double id);
time_t inc_rec_time(const cJSON *rec, const char *field);


#endif /* _INCIDENT_STORE_H_INCLUDED_ */
