#ifndef LIFEBOAT_FILE_SUPPORT_H
#define LIFEBOAT_FILE_SUPPORT_H

/// syncfs(fd): flushes the whole file system holding fd, a GNU call Swift's Glibc module hides.
int lifeboat_syncfs(int fd);

#endif
