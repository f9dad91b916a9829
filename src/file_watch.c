/*-------------------------------------------------------------------------
 *
 * file_watch.c
 *	  An inotify descriptor on a set's directories, so that "nothing
 *	  changed" costs one read() instead of a stat per file.
 *
 *-------------------------------------------------------------------------
 */
#include "schema_migrate.h"

#ifdef __linux__
#include <sys/inotify.h>
#endif
#include <unistd.h>

#include "storage/fd.h"

/*
 * On Linux the cache also holds an inotify descriptor watching every
 * directory of the set: while it reports nothing, nothing was added,
 * removed, renamed, written or had its attributes changed, and the
 * no-op path skips the per-file stat.  Elsewhere, or when no inotify
 * instance can be had (fs.inotify.max_user_instances), the stamps are
 * checked on every call.
 */
#ifdef __linux__
#define SM_WATCH_MASK (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | \
					   IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | \
					   IN_MOVE_SELF | IN_UNMOUNT)
#endif

int
watch_create(void)
{
#ifdef __linux__
	int			fd;

	if (!AcquireExternalFD())
		return -1;
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		ReleaseExternalFD();
	return fd;
#else
	return -1;
#endif
}

/* Watch one more directory; on failure give up watching (-1). */
int
watch_add(int fd, const char *path)
{
#ifdef __linux__
	if (fd >= 0 && inotify_add_watch(fd, path, SM_WATCH_MASK) < 0)
	{
		watch_close(fd);
		return -1;
	}
#endif
	return fd;
}

void
watch_close(int fd)
{
	if (fd >= 0)
	{
		close(fd);
		ReleaseExternalFD();
	}
}

/* Has nothing happened since the last look?  Drains what did. */
bool
watch_quiet(int fd)
{
	char		buf[4096] pg_attribute_aligned(8);
	bool		quiet = true;

	if (fd < 0)
		return false;
	while (read(fd, buf, sizeof(buf)) > 0)
		quiet = false;
	return quiet;
}
