#ifndef LIFEBOAT_PROCESS_SUPPORT_H
#define LIFEBOAT_PROCESS_SUPPORT_H

#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so a child
/// spawned concurrently by another thread never inherits them.
int lifeboat_pipe_cloexec(int fds[2]);

/// fcntl(fd, F_SETPIPE_SZ, bytes): a pipe that holds `bytes` (rounded up to
/// pages, at most /proc/sys/fs/pipe-max-size) before its writer blocks.
/// Returns the new size, or -1 with errno set.
int lifeboat_widen_pipe(int fd, int bytes);

/// posix_spawn_file_actions_addchdir_np, a GNU extension Swift's Glibc module hides.
int lifeboat_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// POSIX_SPAWN_SETSID (the child starts a new session), which Glibc's Swift module hides.
short lifeboat_spawn_setsid_flag(void);

/// Bounds the C allocator for the life of the process: at most two malloc
/// arenas for all threads (glibc otherwise gives each thread one, which keeps
/// what it freed), and every allocation of 256 KiB or more mapped and
/// unmapped on its own (glibc otherwise raises that bound as such blocks are
/// freed, and keeps them in the arenas). Call once, before any thread starts.
void lifeboat_bound_malloc(void);

/// Whether lifeboat itself set GNUTLS_NO_IMPLICIT_INIT=1 as it started (the
/// operator had not set it): GnuTLS, which libpq loads only as a dependency of
/// libldap (libpq itself uses OpenSSL), then skips setting itself up as it is
/// loaded — about 0.6 MiB of every connecting process, for nothing lifeboat
/// uses; libldap sets GnuTLS up itself before it needs TLS. Set before `main`,
/// while no other thread can be reading the environment; programs lifeboat
/// starts get the environment without it (`Program`).
int lifeboat_gnutls_setting_is_ours(void);

#endif
