/*
 * spill.c - big arrays moved out of anonymous memory into an unnamed
 * temporary file, mapped back where they were read.
 *
 * An array that a phase does not touch (the object table while the
 * dominators are computed, say) costs anonymous memory that the kernel
 * cannot reclaim (no swap on most servers).  Spilled, it is written once
 * to the file and mapped shared: its pages are the page cache's, they
 * leave the process when dropped (hl_spill_drop) and come back on access,
 * and under memory pressure the kernel writes them out instead of killing
 * the analysis.  MAT keeps its indexes on disk for the same reason.
 *
 * The file is opened unnamed (O_TMPFILE, or created and unlinked at once)
 * in the --tmpdir directory, $TMPDIR, /var/tmp or /tmp, the first that is
 * writable and not in memory (tmpfs would keep the pages in memory: nothing gained); it
 * vanishes with the process.  Freeing a spilled array punches its range
 * out of the file.  HEAPLENS_SPILL=0 in the environment turns spilling
 * off, HEAPLENS_SPILL=all spills arrays of any size (for tests: spilling
 * is for arrays of 1 MiB and more); any failure turns it off too (no such directory, a full disk): the array
 * then stays where it was, so spilling never fails an analysis.
 *
 * One registry for the process (a mutex guards it), so that the owner of
 * an array frees it with hl_spill_free whether it was spilled or not.
 *
 * The file can become the persistent index (hl_spill_handover): its
 * spilled arrays are most of what the index holds, already written.  So
 * when an index is to be written, the index's directory comes after
 * --tmpdir and before the others, if an O_TMPFILE can be made there (on
 * a network file system, say, the file goes to the usual places) and the
 * file system has room for the index.  A file's first HL_SPILL_HEAD
 * bytes are left for the index's header; once handed over, the arrays in
 * it are never punched out (the index keeps them) and the next spill
 * starts a file of its own.
 */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#define SPILL_MAX HL_SPILL_PARTS
#define SPILL_MIN ((size_t)1 << 20)
#define SPILL_STEP ((size_t)16 << 20)
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

/* kept: in a file handed over (hl_spill_handover), which keeps its data */
struct region { void *p; size_t len; uint64_t off; int kept; };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct region regions[SPILL_MAX];
static unsigned nregions, writing; /* writing: spills under way */
static int fd = -1, failed, linkable; /* linkable: an O_TMPFILE */
static char first_dir[4096], index_dir[4096];
static uint64_t index_need; /* bytes free there to use index_dir */
static uint64_t file_end, total;

/* An unnamed file in dir, not in memory; -1 when not possible.  Sets
 * linkable when it is an O_TMPFILE (which a name can be given later);
 * only_linkable: no other kind (a file created and unlinked at once). */
static int open_in(const char *dir, int only_linkable)
{
	struct statfs fs;
	int f;

	if (!dir || !dir[0] || statfs(dir, &fs) != 0 ||
	    fs.f_type == TMPFS_MAGIC_ || fs.f_type == RAMFS_MAGIC_)
		return -1;
	f = hl_tmpfile_unnamed(dir, 0600);
	linkable = f >= 0;
	return f >= 0 || only_linkable ? f : hl_tmpfile(dir);
}

/* HEAPLENS_SPILL, read once: 0 off, 1 for arrays of SPILL_MIN and more,
 * 2 for every array. */
static int mode = -1;

static int spill_mode(void)
{
	const char *env;

	if (mode < 0) {
		env = getenv("HEAPLENS_SPILL");
		mode = !env || !env[0] ? 1 : env[0] == '0' ? 0 :
		       !strcmp(env, "all") ? 2 : 1;
	}
	return mode;
}

/* Is there room for the index where it goes?  A disk the dump filled
 * (an out-of-memory dump on a full disk) would refuse the index and the
 * spilled arrays alike: they go to the usual places then. */
static int room_for_index(void)
{
	struct statvfs vfs;

	if (!index_dir[0] || statvfs(index_dir, &vfs) != 0)
		return 0;
	return (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize >= index_need;
}

static int spill_file(void)
{
	if (fd >= 0 || failed)
		return fd;
	fd = open_in(first_dir, 0);
	if (fd < 0 && room_for_index()) /* where it can become the index */
		fd = open_in(index_dir, 1);
	if (fd < 0)
		fd = open_in(getenv("TMPDIR"), 0);
	if (fd < 0)
		fd = open_in("/var/tmp", 0);
	if (fd < 0)
		fd = open_in("/tmp", 0);
	if (fd < 0)
		failed = 1;
	file_end = HL_SPILL_HEAD;
	return fd;
}

/* With the lock held: no array in the file and none being written, the
 * file goes; a later spill starts a new one. */
static void close_if_idle(void)
{
	unsigned i;

	if (writing || fd < 0)
		return;
	for (i = 0; i < nregions; i++)
		if (!regions[i].kept)
			return;
	close(fd);
	fd = -1;
}

/* Read [off, off+len) of the file back into p; 1 when all of it came. */
static int read_back(void *p, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, (char *)p + got, len - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		got += (size_t)r;
	}
	return 1;
}

static void *spill(void *p, size_t len, void **old);

void *hl_spill(void *p, size_t len)
{
	return spill(p, len, NULL);
}

void *hl_spill_keep(void *p, size_t len, void **old)
{
	*old = NULL;
	return spill(p, len, old);
}

/* With old: the array's memory is kept whole and given to *old instead of
 * freed. */
static void *spill(void *p, size_t len, void **old)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE), off = 0;
	size_t done = 0, n;
	unsigned i;
	void *m;

	if (!p || !len)
		return p;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nregions; i++)
		if (regions[i].p == p)
			goto keep; /* spilled already */
	if (nregions + writing >= SPILL_MAX || !spill_mode() ||
	    (len < SPILL_MIN && spill_mode() < 2) || spill_file() < 0)
		goto keep;
	/* its place in the file taken, the array is written without the
	 * lock: other threads drop and free spilled arrays meanwhile (the
	 * file stays open while a spill is under way) */
	off = hl_round_up(file_end, pg);
	file_end = off + len;
	writing++;
	pthread_mutex_unlock(&lock);
	/* written in steps, each step's whole pages released at once (the
	 * file holds them): a big array does not stay whole in memory while
	 * it is written, as arrays allocated meanwhile grow (the caller reads
	 * none of it until hl_spill returns) */
	for (done = 0; done < len; done += n) {
		n = len - done < SPILL_STEP ? len - done : SPILL_STEP;
		if (hl_write_at(fd, (const char *)p + done, n, off + done))
			goto restore;
		if (!old)
			hl_drop_range((const char *)p + done, n);
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)off);
	if (m == MAP_FAILED)
		goto restore;
	pthread_mutex_lock(&lock);
	writing--;
	regions[nregions++] = (struct region){ m, len, off, 0 };
	total += len;
	pthread_mutex_unlock(&lock);
	if (old)
		*old = p;
	else
		free(p);
	return m;
restore:
	/* the released pages back from the file, which has them (in the
	 * page cache) up to done */
	if (done && !old && !read_back(p, done, off)) {
		/* the array's data is lost: nothing sane is left to do */
		fprintf(stderr, "heaplens: cannot read back the spill file: %s\n",
			strerror(errno));
		abort();
	}
	(void)fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			(off_t)off, (off_t)len);
	pthread_mutex_lock(&lock);
	writing--;
	close_if_idle();
keep:
	pthread_mutex_unlock(&lock);
	return p;
}

void hl_spill_free(void *p)
{
	unsigned i;

	if (!p)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < nregions && regions[i].p != p; i++)
		;
	if (i == nregions) {
		pthread_mutex_unlock(&lock);
		free(p);
		return;
	}
	munmap(p, regions[i].len);
	if (!regions[i].kept)
		(void)fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				(off_t)regions[i].off, (off_t)regions[i].len);
	total -= regions[i].len;
	regions[i] = regions[--nregions];
	close_if_idle();
	pthread_mutex_unlock(&lock);
}

void hl_spill_drop(void)
{
	unsigned i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nregions; i++)
		(void)madvise(regions[i].p, regions[i].len, MADV_DONTNEED);
	pthread_mutex_unlock(&lock);
}

void hl_spill_drop_range(const void *p, size_t len)
{
	const char *a = p;
	unsigned i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nregions; i++) {
		const char *r = regions[i].p;

		if (a >= r && len <= regions[i].len && (size_t)(a - r) <= regions[i].len - len) {
			hl_drop_range(p, len); /* the file keeps the data */
			break;
		}
	}
	pthread_mutex_unlock(&lock);
}

static void set_dir(char *to, size_t len, const char *dir)
{
	pthread_mutex_lock(&lock);
	snprintf(to, len, "%s", dir ? dir : "");
	failed = 0; /* a new place to try */
	pthread_mutex_unlock(&lock);
}

void hl_spill_dir(const char *dir)
{
	set_dir(first_dir, sizeof(first_dir), dir);
}

void hl_spill_index_dir(const char *dir, uint64_t need)
{
	set_dir(index_dir, sizeof(index_dir), dir);
	pthread_mutex_lock(&lock);
	index_need = need;
	pthread_mutex_unlock(&lock);
}

int hl_spill_handover(uint64_t dev, struct hl_spill_file *out)
{
	struct stat sb;
	unsigned i;
	int ok;

	out->fd = -1;
	out->nparts = 0;
	pthread_mutex_lock(&lock);
	ok = fd >= 0 && linkable && !writing && fstat(fd, &sb) == 0 &&
	     (uint64_t)sb.st_dev == dev;
	if (ok) {
		for (i = 0; i < nregions; i++) {
			if (regions[i].kept)
				continue; /* another file's */
			regions[i].kept = 1;
			out->parts[out->nparts++] = (struct hl_spill_part){
				regions[i].p, regions[i].len, regions[i].off };
		}
		out->fd = fd;
		out->end = file_end;
		fd = -1; /* the next spill opens a file of its own */
	}
	pthread_mutex_unlock(&lock);
	return ok ? 0 : -1;
}

uint64_t hl_spill_total(void)
{
	uint64_t t;

	pthread_mutex_lock(&lock);
	t = total;
	pthread_mutex_unlock(&lock);
	return t;
}
