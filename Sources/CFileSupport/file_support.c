#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "file_support.h"

int lifeboat_syncfs(int fd) {
    return syncfs(fd);
}

int lifeboat_start_writeback(int fd, long long offset, long long count) {
    return sync_file_range(fd, (off_t)offset, (off_t)count, SYNC_FILE_RANGE_WRITE);
}

const char *lifeboat_dirent_name(const struct dirent *entry) {
    return entry->d_name;
}
