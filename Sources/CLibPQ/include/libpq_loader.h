#ifndef LIFEBOAT_LIBPQ_LOADER_H
#define LIFEBOAT_LIBPQ_LOADER_H

#include <stddef.h>

/// The part of libpq (soname libpq.so.5, whose interface has been stable
/// since PostgreSQL 8.0) that lifeboat uses, declared here and loaded with
/// dlopen on the first connection rather than linked: most commands
/// (restore, wal-push, wal-fetch, verify, list) never connect, and libpq
/// brings GnuTLS, Kerberos and LDAP into a process — about 3 MiB of resident
/// memory in each of them. The declarations follow libpq-fe.h.

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

/// ConnStatusType's CONNECTION_OK.
#define LIFEBOAT_CONNECTION_OK 0
/// ExecStatusType's PGRES_EMPTY_QUERY, PGRES_COMMAND_OK and PGRES_TUPLES_OK.
#define LIFEBOAT_PGRES_EMPTY_QUERY 0
#define LIFEBOAT_PGRES_COMMAND_OK 1
#define LIFEBOAT_PGRES_TUPLES_OK 2
/// PG_DIAG_SQLSTATE.
#define LIFEBOAT_PG_DIAG_SQLSTATE 67 /* 'C' */

typedef void (*lifeboat_notice_processor)(void *_Nullable arg, const char *_Nonnull message);

/// libpq's functions, each the one of the same name with `PQ` in front.
typedef struct {
    PGconn *_Nullable (*_Nonnull connectdbParams)(const char *_Nullable const *_Nonnull keywords,
                                                  const char *_Nullable const *_Nonnull values, int expand_dbname);
    int (*_Nonnull status)(const PGconn *_Nonnull conn);
    char *_Nonnull (*_Nonnull errorMessage)(const PGconn *_Nonnull conn);
    void (*_Nonnull finish)(PGconn *_Nonnull conn);
    lifeboat_notice_processor _Nullable (*_Nonnull setNoticeProcessor)(PGconn *_Nonnull conn, lifeboat_notice_processor _Nullable proc,
                                                                      void *_Nullable arg);
    PGresult *_Nullable (*_Nonnull execParams)(PGconn *_Nonnull conn, const char *_Nonnull command, int nParams,
                                               const unsigned int *_Nullable paramTypes, const char *_Nullable const *_Nullable paramValues,
                                               const int *_Nullable paramLengths, const int *_Nullable paramFormats, int resultFormat);
    int (*_Nonnull resultStatus)(const PGresult *_Nonnull res);
    char *_Nonnull (*_Nonnull resultErrorMessage)(const PGresult *_Nonnull res);
    char *_Nullable (*_Nonnull resultErrorField)(const PGresult *_Nonnull res, int fieldcode);
    void (*_Nonnull clear)(PGresult *_Nonnull res);
    int (*_Nonnull serverVersion)(const PGconn *_Nonnull conn);
    int (*_Nonnull nfields)(const PGresult *_Nonnull res);
    int (*_Nonnull ntuples)(const PGresult *_Nonnull res);
    char *_Nullable (*_Nonnull fname)(const PGresult *_Nonnull res, int field_num);
    int (*_Nonnull getisnull)(const PGresult *_Nonnull res, int tup_num, int field_num);
    char *_Nonnull (*_Nonnull getvalue)(const PGresult *_Nonnull res, int tup_num, int field_num);
} lifeboat_libpq;

/// Loads libpq.so.5 the first time (from any thread; later calls return the
/// same table). NULL when it cannot be loaded or lacks a function; then
/// `error` (of `error_size` bytes) says why.
const lifeboat_libpq *_Nullable lifeboat_load_libpq(char *_Nonnull error, size_t error_size);

#endif
