/*
 * What the service's files share among themselves: loaded components with
 * their effective status, and document builders over a transaction.
 */

#ifndef _INCIDENT_SERVICE_INT_H_INCLUDED_
#define _INCIDENT_SERVICE_INT_H_INCLUDED_


#include "incident_model.h"
#include "incident_store.h"
#include "incident_service.h"


typedef struct {
    cJSON                  *rec;
    inc_component_state_t   state;
    uint64_t                sort[4];   /* top position, top id, level, own */
} inc_comp_t;

typedef struct {
    inc_comp_t             *comps;
    size_t                  n;
    int                    *unlinked;  /* impacts of incidents naming none */
    size_t                  nunlinked;
} inc_comps_t;


int inc_comps_load(inc_txn_t *txn, inc_comps_t *cs);
void inc_comps_free(inc_comps_t *cs);
inc_comp_t *inc_comps_find(inc_comps_t *cs, uint64_t id);
int inc_comps_add_unlinked(inc_comps_t *cs, int impact);
int inc_comps_overall(const inc_comps_t *cs);
int inc_overall_doc(const inc_comps_t *cs, cJSON *doc);

/* scheduled maintenance (incident_maintenance.c) */
int inc_maintenance_link(inc_txn_t *txn, inc_comps_t *cs);
int inc_maintenance_doc(inc_txn_t *txn, const inc_ctx_t *ctx,
    const cJSON *rec, cJSON **out);
cJSON *inc_json_maintenance(const cJSON *rec, cJSON *updates,
    const char *base_url);
cJSON *inc_json_maint_update(const cJSON *rec);
int inc_maintenance_page_lists(inc_txn_t *txn, const inc_ctx_t *ctx,
    cJSON *doc);
int inc_maintenance_recent(inc_txn_t *txn, const inc_ctx_t *ctx,
    inc_state_t state, int limit, cJSON *doc);
int inc_op_maintenance_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_maintenance_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_maintenance_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_maintenance_update(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
cJSON *inc_comp_doc(const inc_comp_t *c);

int inc_op_incident_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_incident_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_update_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);

/* incidents from Alertmanager (incident_alertmanager.c) */
int inc_op_alertmanager(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);

int inc_updates_doc(inc_txn_t *txn, uint64_t id, cJSON **out);
int inc_timeline_doc(inc_txn_t *txn, inc_db_t db, uint64_t id,
    cJSON *(*doc)(const cJSON *rec), cJSON **out);
int inc_incident_doc(inc_txn_t *txn, const inc_ctx_t *ctx, const cJSON *rec,
    cJSON **out);
int inc_settings_load(inc_txn_t *txn, cJSON **rec);

void inc_result_ok(inc_result_t *res, int status, cJSON *body);
int inc_result_invalid(inc_result_t *res, cJSON *errors);
const cJSON *inc_field(const cJSON *obj, const char *name);
void inc_set(cJSON *obj, const char *name, cJSON *item);
void inc_set_copy(cJSON *obj, const cJSON *from, const char *name);
void inc_set_time(cJSON *obj, const char *name, time_t t);
int inc_audit(inc_txn_t *txn, const inc_ctx_t *ctx, const char *action,
    const char *type, uint64_t object_id);
int inc_check_components(inc_txn_t *txn, const cJSON *ids, cJSON *errors);
int inc_components_known(inc_txn_t *txn, const cJSON *ids,
    inc_result_t *res);

/* subscribers (incident_subscriber.c) */
cJSON *inc_json_subscriber(const cJSON *rec);
int inc_subscribers_purge(inc_txn_t *txn, time_t now, time_t expiry);
int inc_subscribers_forget_component(inc_txn_t *txn, uint64_t component_id);
int inc_op_subscribe(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_subscriber_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_subscriber_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_subscriber_confirm(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_unsubscribe(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
int inc_op_dead_retry(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);

typedef cJSON *(*inc_doc_pt)(const cJSON *rec);
typedef int (*inc_make_pt)(inc_txn_t *txn, const inc_ctx_t *ctx,
    const cJSON *rec, cJSON **out);
typedef int (*inc_match_pt)(inc_txn_t *txn, inc_state_t state,
    const cJSON *rec);

void inc_service_doc_list(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_db_t index, inc_db_t db,
    inc_match_pt match, inc_make_pt make, inc_result_t *res);
void inc_service_doc_get(inc_store_t *store, const inc_ctx_t *ctx,
    inc_db_t db, uint64_t id, inc_make_pt make, const char *what,
    inc_result_t *res);

void inc_service_list_db(inc_store_t *store, inc_db_t db, int newest_first,
    const inc_page_t *page, inc_doc_pt doc, inc_result_t *res);

void inc_result_store_failed(inc_result_t *res, inc_txn_t *txn, int rc);
int inc_result_not_found(inc_result_t *res, const char *what);
int inc_read_begin(inc_store_t *store, inc_txn_t *txn, inc_result_t *res);
void inc_read_end(inc_txn_t *txn, int rc, int status, cJSON *body,
    inc_result_t *res);


#endif /* _INCIDENT_SERVICE_INT_H_INCLUDED_ */
