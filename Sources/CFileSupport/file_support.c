#define _GNU_SOURCE
#include <unistd.h>
#include "file_support.h"

int lifeboat_syncfs(int fd) {
    return syncfs(fd);
}
