#include "libpq_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static lifeboat_libpq table;
static const lifeboat_libpq *loaded;
static char failure[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/// The address of `name` in `library`, or NULL with `failure` filled in.
static void *function(void *library, const char *name) {
    void *address = dlsym(library, name);
    if (address == NULL) snprintf(failure, sizeof failure, "libpq.so.5 has no %s", name);
    return address;
}

static void load(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(failure, sizeof failure, "cannot load libpq.so.5 (install libpq5): %s", why ? why : "unknown error");
        return;
    }
    void *f[16];
    const char *names[16] = {
        "PQconnectdbParams", "PQstatus", "PQerrorMessage", "PQfinish", "PQsetNoticeProcessor", "PQexecParams",
        "PQresultStatus", "PQresultErrorMessage", "PQresultErrorField", "PQclear", "PQserverVersion", "PQnfields",
        "PQntuples", "PQfname", "PQgetisnull", "PQgetvalue",
    };
    for (int i = 0; i < 16; i++) {
        if ((f[i] = function(library, names[i])) == NULL) return;
    }
    table.connectdbParams = (PGconn * (*)(const char *const *, const char *const *, int)) f[0];
    table.status = (int (*)(const PGconn *))f[1];
    table.errorMessage = (char *(*)(const PGconn *))f[2];
    table.finish = (void (*)(PGconn *))f[3];
    table.setNoticeProcessor = (lifeboat_notice_processor(*)(PGconn *, lifeboat_notice_processor, void *))f[4];
    table.execParams = (PGresult * (*)(PGconn *, const char *, int, const unsigned int *, const char *const *, const int *,
                                      const int *, int)) f[5];
    table.resultStatus = (int (*)(const PGresult *))f[6];
    table.resultErrorMessage = (char *(*)(const PGresult *))f[7];
    table.resultErrorField = (char *(*)(const PGresult *, int))f[8];
    table.clear = (void (*)(PGresult *))f[9];
    table.serverVersion = (int (*)(const PGconn *))f[10];
    table.nfields = (int (*)(const PGresult *))f[11];
    table.ntuples = (int (*)(const PGresult *))f[12];
    table.fname = (char *(*)(const PGresult *, int))f[13];
    table.getisnull = (int (*)(const PGresult *, int, int))f[14];
    table.getvalue = (char *(*)(const PGresult *, int, int))f[15];
    loaded = &table;
}

const lifeboat_libpq *lifeboat_load_libpq(char *error, size_t error_size) {
    pthread_once(&once, load);
    if (loaded == NULL && error_size > 0) snprintf(error, error_size, "%s", failure);
    return loaded;
}
