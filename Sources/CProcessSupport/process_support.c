#define _GNU_SOURCE
#include <malloc.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>
#include "process_support.h"

int lifeboat_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int lifeboat_widen_pipe(int fd, int bytes) {
    return fcntl(fd, F_SETPIPE_SZ, bytes);
}

int lifeboat_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

short lifeboat_spawn_setsid_flag(void) {
    return POSIX_SPAWN_SETSID;
}

void lifeboat_bound_malloc(void) {
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

static int gnutls_setting_is_ours;

__attribute__((constructor)) static void skip_gnutls_load_time_setup(void) {
    if (getenv("GNUTLS_NO_IMPLICIT_INIT") != NULL) return;
    gnutls_setting_is_ours = setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0) == 0;
}

int lifeboat_gnutls_setting_is_ours(void) {
    return gnutls_setting_is_ours;
}
