#ifndef LIFEBOAT_FILE_SUPPORT_H
#define LIFEBOAT_FILE_SUPPORT_H

/// syncfs(fd): flushes the whole file system holding fd, a GNU call Swift's Glibc module hides.
int lifeboat_syncfs(int fd);

/// sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE): starts writing
/// those bytes back to disk without waiting, so a later fsync or syncfs finds
/// little left to do. Another GNU call Swift's Glibc module hides.
int lifeboat_start_writeback(int fd, long long offset, long long count);

#endif
