/*
 * ngx_http_incident_module: directives, configuration, module hooks.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_incident.h"
#include "incident_mail.h"
#include "incident_model.h"
#include "incident_alertmanager.h"
#include "incident_route.h"


#define NGX_HTTP_INCIDENT_DEFAULT_SIZE  (64 * 1024 * 1024)
#define NGX_HTTP_INCIDENT_MIN_SIZE      (64 * 1024)


static void *ngx_http_incident_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_incident_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_incident_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_incident_alertmanager_impact(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_incident_db(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_api(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_status_page(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_incident_admin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_api_tokens(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_public_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_http_incident_smtp(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_mail_from(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_incident_notify_retries(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_incident_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_incident_init_process(ngx_cycle_t *cycle);
static void ngx_http_incident_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_incident_commands[] = {

    { ngx_string("incident_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_http_incident_db,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_incident_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_status_page"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_incident_status_page,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_admin"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_incident_admin,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_api_tokens"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_incident_api_tokens,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_public_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_http_incident_public_url,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_smtp"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_incident_smtp,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_mail_from"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_incident_mail_from,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_webhook_allow_private"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, webhook_allow_private),
      NULL },

    { ngx_string("incident_notify_retries"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_http_incident_notify_retries,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("incident_notify_concurrency"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, notify_concurrency),
      NULL },

    { ngx_string("incident_notify_rate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, notify_rate),
      NULL },

    { ngx_string("incident_notify_connections"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, notify_connections),
      NULL },

    { ngx_string("incident_notify_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, notify_timeout),
      NULL },

    { ngx_string("incident_notify_lease"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, notify_lease),
      NULL },

    { ngx_string("incident_subscribe_expiry"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, confirm_expiry),
      NULL },

    { ngx_string("incident_subscribe_resend"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_incident_main_conf_t, resend_after),
      NULL },

    { ngx_string("incident_api_max_body"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_incident_loc_conf_t, max_body),
      NULL },

    { ngx_string("incident_alertmanager"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_incident_loc_conf_t, alertmanager),
      NULL },

    { ngx_string("incident_alertmanager_impact"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_incident_alertmanager_impact,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_incident_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_http_incident_create_main_conf,    /* create main configuration */
    ngx_http_incident_init_main_conf,      /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_incident_create_loc_conf,     /* create location configuration */
    ngx_http_incident_merge_loc_conf       /* merge location configuration */
};


ngx_module_t  ngx_http_incident_module = {
    NGX_MODULE_V1,
    &ngx_http_incident_module_ctx,         /* module context */
    ngx_http_incident_commands,            /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_incident_init_module,         /* init module */
    ngx_http_incident_init_process,        /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_incident_exit_process,        /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_incident_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_incident_main_conf_t));
    if (imcf == NULL) {
        return NULL;
    }

    imcf->smtp_starttls = NGX_CONF_UNSET;
    imcf->webhook_allow_private = NGX_CONF_UNSET;
    imcf->notify_attempts = NGX_CONF_UNSET_UINT;
    imcf->notify_backoff = NGX_CONF_UNSET_MSEC;
    imcf->notify_backoff_max = NGX_CONF_UNSET_MSEC;
    imcf->notify_concurrency = NGX_CONF_UNSET_UINT;
    imcf->notify_connections = NGX_CONF_UNSET_UINT;
    imcf->notify_rate = NGX_CONF_UNSET_UINT;
    imcf->notify_timeout = NGX_CONF_UNSET_MSEC;
    imcf->notify_lease = NGX_CONF_UNSET_MSEC;
    imcf->confirm_expiry = NGX_CONF_UNSET;
    imcf->resend_after = NGX_CONF_UNSET;

    return imcf;
}


static void *
ngx_http_incident_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_incident_loc_conf_t  *ilcf;

    ilcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_incident_loc_conf_t));
    if (ilcf == NULL) {
        return NULL;
    }

    ilcf->api = NGX_CONF_UNSET;
    ilcf->page = NGX_CONF_UNSET;
    ilcf->admin = NGX_CONF_UNSET;
    ilcf->tokens = NGX_CONF_UNSET_PTR;
    ilcf->max_body = NGX_CONF_UNSET_SIZE;
    ilcf->alertmanager = NGX_CONF_UNSET;
    ilcf->am_severities = NGX_CONF_UNSET_PTR;

    return ilcf;
}


static char *
ngx_http_incident_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_incident_loc_conf_t  *prev = parent;
    ngx_http_incident_loc_conf_t  *conf = child;

    ngx_http_incident_main_conf_t  *imcf;

    ngx_conf_merge_value(conf->api, prev->api, 0);
    ngx_conf_merge_value(conf->page, prev->page, 0);
    ngx_conf_merge_value(conf->admin, prev->admin, 0);
    ngx_conf_merge_ptr_value(conf->tokens, prev->tokens, NULL);
    ngx_conf_merge_str_value(conf->public_url, prev->public_url, "");
    ngx_conf_merge_size_value(conf->max_body, prev->max_body, 64 * 1024);
    ngx_conf_merge_value(conf->alertmanager, prev->alertmanager, 0);
    ngx_conf_merge_ptr_value(conf->am_severities, prev->am_severities, NULL);

    imcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_incident_module);

    if ((conf->api == 1 || conf->page == 1 || conf->admin == 1)
        && imcf->db_path.data == NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%s\" needs \"incident_db\" in the http block",
                           conf->api == 1 ? "incident_api"
                           : conf->page == 1 ? "incident_status_page"
                                             : "incident_admin");
        return NGX_CONF_ERROR;
    }

    if (conf->max_body == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_api_max_body\" must not be zero");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* incident_alertmanager_impact SEVERITY IMPACT; */
static char *
ngx_http_incident_alertmanager_impact(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_incident_loc_conf_t  *ilcf = conf;

    ngx_int_t           impact;
    ngx_str_t          *value;
    inc_am_severity_t  *entry;

    value = cf->args->elts;

    impact = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                           (char *) value[2].data);
    if (impact < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": the impact \"%V\" is not one of "
                           "critical, major, minor, none",
                           &cmd->name, &value[2]);
        return NGX_CONF_ERROR;
    }

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" needs a severity label value",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ilcf->am_severities == NGX_CONF_UNSET_PTR) {
        ilcf->am_severities = ngx_array_create(cf->pool, 4,
                                               sizeof(inc_am_severity_t));
        if (ilcf->am_severities == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    entry = ngx_array_push(ilcf->am_severities);
    if (entry == NULL) {
        return NGX_CONF_ERROR;
    }

    entry->severity = (char *) value[1].data;
    entry->impact = (int) impact;

    return NGX_CONF_OK;
}


/* incident_db PATH [size=SIZE] [thread_pool=NAME]; */
static char *
ngx_http_incident_db(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_main_conf_t  *imcf = conf;

    ssize_t      size;
    ngx_str_t   *value, s, pool;
    ngx_uint_t   i;

    if (imcf->db_path.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    imcf->db_path = value[1];
    imcf->db_size = NGX_HTTP_INCIDENT_DEFAULT_SIZE;
    ngx_str_null(&pool);

    if (imcf->db_path.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_db\" needs a directory path");
        return NGX_CONF_ERROR;
    }

    /* relative paths are relative to the prefix; the result ends in NUL */
    if (ngx_conf_full_name(cf->cycle, &imcf->db_path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "size=", 5) == 0) {
            s.data = value[i].data + 5;
            s.len = value[i].len - 5;

            size = ngx_parse_size(&s);

            if (size == NGX_ERROR || size < NGX_HTTP_INCIDENT_MIN_SIZE) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"incident_db\" has an invalid size "
                                   "\"%V\": give a size of at least 64k, "
                                   "such as \"size=64m\"", &s);
                return NGX_CONF_ERROR;
            }

            imcf->db_size = (size_t) size;
            continue;
        }

        if (ngx_strncmp(value[i].data, "thread_pool=", 12) == 0) {
            pool.data = value[i].data + 12;
            pool.len = value[i].len - 12;

            if (pool.len == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "\"incident_db\" has an empty "
                                   "thread_pool name");
                return NGX_CONF_ERROR;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_db\" has an unknown parameter \"%V\"",
                           &value[i]);
        return NGX_CONF_ERROR;
    }

    /* writes and their fsync run in this pool, never on the event loop */
    imcf->thread_pool = ngx_thread_pool_add(cf, pool.len ? &pool : NULL);
    if (imcf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_incident_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_loc_conf_t  *ilcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (ilcf->api != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    ilcf->api = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_incident_api_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_incident_status_page(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_loc_conf_t  *ilcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (ilcf->page != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    ilcf->page = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_incident_page_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_incident_admin(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_loc_conf_t  *ilcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (ilcf->admin != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    ilcf->admin = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_incident_admin_handler;

    return NGX_CONF_OK;
}


/* one "NAME:SHA256HEX" line; blank lines and "#" comments are skipped */
static char *
ngx_http_incident_token_line(ngx_conf_t *cf, ngx_str_t *file,
    ngx_uint_t line, u_char *p, u_char *last, ngx_array_t *tokens)
{
    ngx_int_t                   rc;
    inc_token_line_t            parsed;
    ngx_http_incident_token_t  *t;

    rc = inc_token_line((char *) p, last - p, &parsed);

    if (rc == 0) {
        return NGX_CONF_OK;
    }

    if (rc < 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_api_tokens\" file \"%V\" line %ui: "
                           "expected NAME:SHA256HEX (64 hex digits)",
                           file, line);
        return NGX_CONF_ERROR;
    }

    t = ngx_array_push(tokens);
    if (t == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(t->hash, parsed.hash, NGX_HTTP_INCIDENT_HASH_LEN);

    t->name.len = parsed.name_len;
    t->name.data = ngx_pnalloc(cf->pool, t->name.len + 1);
    if (t->name.data == NULL) {
        return NGX_CONF_ERROR;
    }

    /* NUL-terminated: the store records it as the writer's name */
    ngx_memcpy(t->name.data, parsed.name, t->name.len);
    t->name.data[t->name.len] = '\0';

    return NGX_CONF_OK;
}


static char *
ngx_http_incident_api_tokens(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_loc_conf_t  *ilcf = conf;

    u_char           *buf, *p, *eol, *last;
    char             *rv;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t        *value, file;
    ngx_uint_t        line;
    ngx_file_info_t   fi;

    if (ilcf->tokens != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    file = value[1];

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(file.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"incident_api_tokens\" cannot open \"%V\"",
                           &file);
        return NGX_CONF_ERROR;
    }

    rv = NGX_CONF_ERROR;
    buf = NULL;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > 1024 * 1024)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"incident_api_tokens\" cannot use \"%V\"",
                           &file);
        goto done;
    }

    buf = ngx_pnalloc(cf->temp_pool, (size_t) ngx_file_size(&fi) + 1);
    if (buf == NULL) {
        goto done;
    }

    n = ngx_read_fd(fd, buf, (size_t) ngx_file_size(&fi));
    if (n == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "\"incident_api_tokens\" cannot read \"%V\"",
                           &file);
        goto done;
    }

    ilcf->tokens = ngx_array_create(cf->pool, 4,
                                    sizeof(ngx_http_incident_token_t));
    if (ilcf->tokens == NULL) {
        goto done;
    }

    last = buf + n;
    line = 1;

    for (p = buf; p < last; p = eol + 1, line++) {
        eol = ngx_strlchr(p, last, '\n');
        if (eol == NULL) {
            eol = last;
        }

        if (ngx_http_incident_token_line(cf, &file, line, p, eol,
                                         ilcf->tokens)
            != NGX_CONF_OK)
        {
            goto done;
        }
    }

    rv = NGX_CONF_OK;

done:

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed", &file);
    }

    return rv;
}


static char *
ngx_http_incident_public_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_loc_conf_t  *ilcf = conf;

    ngx_str_t  *value, url;

    if (ilcf->public_url.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    url = value[1];

    if (!((url.len > 7 && ngx_strncasecmp(url.data, (u_char *) "http://", 7)
                          == 0)
          || (url.len > 8
              && ngx_strncasecmp(url.data, (u_char *) "https://", 8) == 0)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_public_url\" must be an absolute "
                           "http:// or https:// URL, not \"%V\"", &url);
        return NGX_CONF_ERROR;
    }

    /* links are built as URL + "/incidents/17" */
    while (url.len && url.data[url.len - 1] == '/') {
        url.len--;
    }

    ilcf->public_url.len = url.len;
    ilcf->public_url.data = ngx_pnalloc(cf->pool, url.len + 1);
    if (ilcf->public_url.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(ilcf->public_url.data, url.data, url.len);
    ilcf->public_url.data[url.len] = '\0';

    return NGX_CONF_OK;
}


/* incident_smtp smtp://[user:password@]host[:port] [starttls]; */
static char *
ngx_http_incident_smtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_main_conf_t  *imcf = conf;

    ngx_str_t  *value, url;

    if (imcf->smtp_url.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    url = value[1];

    if (!((url.len > 7 && ngx_strncasecmp(url.data, (u_char *) "smtp://", 7)
                          == 0)
          || (url.len > 8
              && ngx_strncasecmp(url.data, (u_char *) "smtps://", 8) == 0)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_smtp\" must be an smtp:// or "
                           "smtps:// URL, not \"%V\"", &url);
        return NGX_CONF_ERROR;
    }

    imcf->smtp_starttls = 0;

    if (cf->args->nelts == 3) {
        if (ngx_strcmp(value[2].data, "starttls") != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"incident_smtp\" has an unknown parameter "
                               "\"%V\": only \"starttls\" may follow the "
                               "URL", &value[2]);
            return NGX_CONF_ERROR;
        }

        imcf->smtp_starttls = 1;
    }

    /* value[1] is NUL-terminated by the configuration parser */
    imcf->smtp_url = url;

    return NGX_CONF_OK;
}


static char *
ngx_http_incident_mail_from(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_incident_main_conf_t  *imcf = conf;

    char        bare[INC_EMAIL_MAX + 1];
    ngx_str_t  *value;
    ngx_uint_t  i;

    if (imcf->mail_from.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] < 0x20 || value[1].data[i] >= 0x7f) {
            break;
        }
    }

    if (i < value[1].len
        || !inc_mail_address((char *) value[1].data, bare, sizeof(bare)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_mail_from\" needs an address such "
                           "as \"status@example.com\" or \"Example Status "
                           "<status@example.com>\" in ASCII, not \"%V\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    imcf->mail_from = value[1];

    return NGX_CONF_OK;
}


/* incident_notify_retries ATTEMPTS [base=TIME] [max=TIME]; */
static char *
ngx_http_incident_notify_retries(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_incident_main_conf_t  *imcf = conf;

    ngx_int_t    n;
    ngx_str_t   *value, s;
    ngx_msec_t  *target, t;
    ngx_uint_t   i;

    if (imcf->notify_attempts != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    if (n < 1 || n > 100) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_notify_retries\" needs a number of "
                           "attempts from 1 to 100, not \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    imcf->notify_attempts = (ngx_uint_t) n;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "base=", 5) == 0) {
            target = &imcf->notify_backoff;
            s.data = value[i].data + 5;
            s.len = value[i].len - 5;

        } else if (ngx_strncmp(value[i].data, "max=", 4) == 0) {
            target = &imcf->notify_backoff_max;
            s.data = value[i].data + 4;
            s.len = value[i].len - 4;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"incident_notify_retries\" has an unknown "
                               "parameter \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        t = ngx_parse_time(&s, 0);

        if (t == (ngx_msec_t) NGX_ERROR || t == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"incident_notify_retries\" has an invalid "
                               "time in \"%V\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        *target = t;
    }

    return NGX_CONF_OK;
}


/*
 * Links in notifications need an absolute URL that no request supplies:
 * incident_public_url of the http block, else of the first server that
 * has one.
 */
static ngx_str_t *
ngx_http_incident_find_public_url(ngx_conf_t *cf)
{
    ngx_uint_t                     i;
    ngx_http_conf_ctx_t           *ctx;
    ngx_http_core_srv_conf_t     **cscfp;
    ngx_http_core_main_conf_t     *cmcf;
    ngx_http_incident_loc_conf_t  *ilcf;

    ctx = cf->ctx;
    ilcf = ctx->loc_conf[ngx_http_incident_module.ctx_index];

    if (ilcf->public_url.data != NULL) {
        return &ilcf->public_url;
    }

    cmcf = ctx->main_conf[ngx_http_core_module.ctx_index];
    cscfp = cmcf->servers.elts;

    for (i = 0; i < cmcf->servers.nelts; i++) {
        ilcf = cscfp[i]->ctx->loc_conf[ngx_http_incident_module.ctx_index];

        if (ilcf->public_url.data != NULL) {
            return &ilcf->public_url;
        }
    }

    return NULL;
}


static char *
ngx_http_incident_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_incident_main_conf_t  *imcf = conf;

    u_char     *p, *host;
    size_t      len;
    ngx_str_t  *url;

    ngx_conf_init_value(imcf->smtp_starttls, 0);
    ngx_conf_init_value(imcf->webhook_allow_private, 0);
    ngx_conf_init_uint_value(imcf->notify_attempts, 14);
    ngx_conf_init_msec_value(imcf->notify_backoff, 30000);
    ngx_conf_init_msec_value(imcf->notify_backoff_max, 4 * 60 * 60 * 1000);
    ngx_conf_init_uint_value(imcf->notify_concurrency, 64);
    ngx_conf_init_uint_value(imcf->notify_connections, 8);
    ngx_conf_init_uint_value(imcf->notify_rate, 0);
    ngx_conf_init_msec_value(imcf->notify_timeout, 30000);
    ngx_conf_init_msec_value(imcf->notify_lease, 120000);
    ngx_conf_init_value(imcf->confirm_expiry, 7 * 24 * 60 * 60);
    ngx_conf_init_value(imcf->resend_after, 10 * 60);

    if (imcf->db_path.data == NULL) {
        return NGX_CONF_OK;
    }

    if (imcf->notify_concurrency == 0 || imcf->notify_connections == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_notify_concurrency\" and "
                           "\"incident_notify_connections\" must not be "
                           "zero");
        return NGX_CONF_ERROR;
    }

    if (imcf->notify_lease <= imcf->notify_timeout) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_notify_lease\" (%M ms) must be "
                           "longer than \"incident_notify_timeout\" (%M ms): "
                           "a delivery must end before its lease does",
                           imcf->notify_lease, imcf->notify_timeout);
        return NGX_CONF_ERROR;
    }

    if (imcf->confirm_expiry <= 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"incident_subscribe_expiry\" must not be zero");
        return NGX_CONF_ERROR;
    }

    url = ngx_http_incident_find_public_url(cf);

    if (url == NULL) {
        ngx_str_set(&imcf->notify_url, "http://localhost");

    } else {
        imcf->notify_url = *url;
    }

    if (imcf->mail_from.data != NULL) {
        return NGX_CONF_OK;
    }

    /* status@ the public host, when that makes an address */
    host = (u_char *) ngx_strstr(imcf->notify_url.data, "://") + 3;
    len = strcspn((char *) host, ":/?#");

    p = ngx_pnalloc(cf->pool, sizeof("status@") + len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    imcf->mail_from.data = p;
    p = ngx_cpymem(p, "status@", 7);
    p = ngx_cpymem(p, host, len);
    *p = '\0';
    imcf->mail_from.len = p - imcf->mail_from.data;

    if (!inc_email_valid((char *) imcf->mail_from.data, imcf->mail_from.len))
    {
        ngx_str_set(&imcf->mail_from, "status@localhost.localdomain");
    }

    return NGX_CONF_OK;
}


static ngx_http_incident_main_conf_t *
ngx_http_incident_cycle_conf(ngx_cycle_t *cycle)
{
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_incident_module);

    if (imcf == NULL || imcf->db_path.data == NULL) {
        return NULL;
    }

    return imcf;
}


/*
 * In the master, as root: create the store's directory and give it (and
 * the files in it) to the worker user, so that the default configuration
 * works without any chown by hand.
 */
static ngx_int_t
ngx_http_incident_init_module(ngx_cycle_t *cycle)
{
    u_char                         *p, path[NGX_MAX_PATH];
    ngx_uint_t                      i;
    ngx_core_conf_t                *ccf;
    ngx_http_incident_main_conf_t  *imcf;

    static const char  *files[] = { "", "/data.mdb", "/lock.mdb" };

    imcf = ngx_http_incident_cycle_conf(cycle);
    if (imcf == NULL) {
        return NGX_OK;
    }

    if (imcf->db_path.len + sizeof("/lock.mdb") > NGX_MAX_PATH) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "incident_db path \"%V\" is too long", &imcf->db_path);
        return NGX_ERROR;
    }

    p = ngx_cpymem(path, imcf->db_path.data, imcf->db_path.len);
    *p++ = '/';
    *p = '\0';

    /* parents as "mkdir -p" makes them; the store itself private */
    if (ngx_create_full_path(path, 0755) != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "incident_db cannot create \"%s\"", path);
        return NGX_ERROR;
    }

    if (chmod((char *) imcf->db_path.data, 0700) == -1) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, ngx_errno,
                      "incident_db cannot chmod \"%V\"", &imcf->db_path);
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (geteuid() != 0 || ccf->user == (ngx_uid_t) NGX_CONF_UNSET_UINT) {
        return NGX_OK;
    }

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        p = ngx_cpymem(path, imcf->db_path.data, imcf->db_path.len);
        p = ngx_cpymem(p, files[i], ngx_strlen(files[i]));
        *p = '\0';

        if (chown((char *) path, ccf->user, ccf->group) == -1
            && ngx_errno != NGX_ENOENT)
        {
            ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                          "incident_db cannot chown \"%s\"", path);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* each worker opens the environment itself: LMDB must not cross a fork */
static ngx_int_t
ngx_http_incident_init_process(ngx_cycle_t *cycle)
{
    int                             dead;
    char                            err[512];
    ngx_http_incident_main_conf_t  *imcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    imcf = ngx_http_incident_cycle_conf(cycle);
    if (imcf == NULL) {
        return NGX_OK;
    }

    if (inc_store_open(&imcf->store, (char *) imcf->db_path.data,
                       imcf->db_size, &dead, err, sizeof(err))
        != INC_OK)
    {
        /* the API answers 503 until a restart fixes the cause */
        ngx_log_error(NGX_LOG_CRIT, cycle->log, 0,
                      "incident_db \"%V\" is unavailable: %s",
                      &imcf->db_path, err);
        return NGX_OK;
    }

    if (dead) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "incident_db cleared %d stale reader slots", dead);
    }

    if (inc_store_secret(imcf->store, imcf->secret) == INC_OK) {
        imcf->has_secret = 1;

    } else {
        ngx_log_error(NGX_LOG_CRIT, cycle->log, 0,
                      "incident_db \"%V\" has no secret: the admin UI and "
                      "notifications are unavailable", &imcf->db_path);
        return NGX_OK;
    }

    return ngx_http_incident_notify_init(cycle, imcf);
}


static void
ngx_http_incident_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_incident_main_conf_t  *imcf;

    ngx_http_incident_notify_exit();

    imcf = ngx_http_incident_cycle_conf(cycle);

    if (imcf != NULL && imcf->store != NULL) {
        inc_store_close(imcf->store);
        imcf->store = NULL;
    }
}
