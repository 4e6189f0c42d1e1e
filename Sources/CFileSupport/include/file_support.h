#ifndef LIFEBOAT_FILE_SUPPORT_H
#define LIFEBOAT_FILE_SUPPORT_H

#include <dirent.h>

/// syncfs(fd): flushes the whole file system holding fd, a GNU call Swift's Glibc module hides.
int lifeboat_syncfs(int fd);

/// sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE): starts writing
/// those bytes back to disk without waiting, so a later fsync or syncfs finds
/// little left to do. Another GNU call Swift's Glibc module hides.
int lifeboat_start_writeback(int fd, long long offset, long long count);

/// The name of a directory entry from readdir, in place. Copying `d_name`
/// (a 256-byte array) from Swift reads past the end of a short entry, the
/// last of the buffer readdir filled, which can lie at the end of a mapping.
const char *lifeboat_dirent_name(const struct dirent *entry);

#endif
