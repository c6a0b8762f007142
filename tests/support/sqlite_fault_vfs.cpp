// SPDX-License-Identifier: Apache-2.0
#include "tests/support/sqlite_fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace cradle::test {

namespace {

// The fault plan, shared by every connection using the shim.
std::atomic<int> g_calls{0};
std::atomic<int> g_fail_at{0};  // absolute call number that fails; 0 = disarmed
std::atomic<bool> g_forever{false};

bool next_call_fails() {
    int call = ++g_calls;
    int target = g_fail_at.load();
    if (target == 0) return false;
    return call == target || (g_forever.load() && call > target);
}

sqlite3_vfs* real_vfs(sqlite3_vfs* shim) {
    return static_cast<sqlite3_vfs*>(shim->pAppData);
}

// Our file object: SQLite allocates szOsFile bytes; the real VFS's file lives right after ours.
struct ShimFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* real_file(sqlite3_file* file) {
    return reinterpret_cast<ShimFile*>(file)->real;
}

int shim_close(sqlite3_file* file) {
    sqlite3_file* real = real_file(file);
    return real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
}
int shim_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xRead(real, out, amount, offset);
}
int shim_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    if (next_call_fails()) return SQLITE_IOERR_WRITE;
    sqlite3_file* real = real_file(file);
    return real->pMethods->xWrite(real, data, amount, offset);
}
int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
    if (next_call_fails()) return SQLITE_IOERR_TRUNCATE;
    sqlite3_file* real = real_file(file);
    return real->pMethods->xTruncate(real, size);
}
int shim_sync(sqlite3_file* file, int flags) {
    if (next_call_fails()) return SQLITE_IOERR_FSYNC;
    sqlite3_file* real = real_file(file);
    return real->pMethods->xSync(real, flags);
}
int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xFileSize(real, size);
}
int shim_lock(sqlite3_file* file, int level) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xLock(real, level);
}
int shim_unlock(sqlite3_file* file, int level) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xUnlock(real, level);
}
int shim_check_reserved_lock(sqlite3_file* file, int* reserved) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xCheckReservedLock(real, reserved);
}
int shim_file_control(sqlite3_file* file, int op, void* arg) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xFileControl(real, op, arg);
}
int shim_sector_size(sqlite3_file* file) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xSectorSize(real);
}
int shim_device_characteristics(sqlite3_file* file) {
    sqlite3_file* real = real_file(file);
    return real->pMethods->xDeviceCharacteristics(real);
}
// Version 2: shared memory (WAL index).
int shim_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
    sqlite3_file* real = real_file(file);
    if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
    return real->pMethods->xShmMap(real, page, page_size, extend, out);
}
int shim_shm_lock(sqlite3_file* file, int offset, int count, int flags) {
    sqlite3_file* real = real_file(file);
    if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
    return real->pMethods->xShmLock(real, offset, count, flags);
}
void shim_shm_barrier(sqlite3_file* file) {
    sqlite3_file* real = real_file(file);
    if (real->pMethods->iVersion >= 2) real->pMethods->xShmBarrier(real);
}
int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
    sqlite3_file* real = real_file(file);
    if (real->pMethods->iVersion < 2) return SQLITE_OK;
    return real->pMethods->xShmUnmap(real, delete_flag);
}
// Version 3: memory-mapped reads.
int shim_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    sqlite3_file* real = real_file(file);
    if (real->pMethods->iVersion < 3) {
        *out = nullptr;
        return SQLITE_OK;
    }
    return real->pMethods->xFetch(real, offset, amount, out);
}
int shim_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
    sqlite3_file* real = real_file(file);
    if (real->pMethods->iVersion < 3) return SQLITE_OK;
    return real->pMethods->xUnfetch(real, offset, page);
}

const sqlite3_io_methods kShimMethods = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved_lock,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

int shim_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
              int* out_flags) {
    auto* shim = reinterpret_cast<ShimFile*>(file);
    shim->base.pMethods = nullptr;  // SQLite calls xClose only if the open succeeded
    shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
    shim->real->pMethods = nullptr;
    sqlite3_vfs* real = real_vfs(vfs);
    int rc = real->xOpen(real, name, shim->real, flags, out_flags);
    if (shim->real->pMethods != nullptr) shim->base.pMethods = &kShimMethods;
    return rc;
}
int shim_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
    return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
int shim_access(sqlite3_vfs* vfs, const char* name, int flags, int* result) {
    return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, result);
}
int shim_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
    return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, size, out);
}
void* shim_dl_open(sqlite3_vfs* vfs, const char* name) {
    return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name);
}
void shim_dl_error(sqlite3_vfs* vfs, int size, char* out) {
    real_vfs(vfs)->xDlError(real_vfs(vfs), size, out);
}
void (*shim_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
    return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
}
void shim_dl_close(sqlite3_vfs* vfs, void* handle) {
    real_vfs(vfs)->xDlClose(real_vfs(vfs), handle);
}
int shim_randomness(sqlite3_vfs* vfs, int size, char* out) {
    return real_vfs(vfs)->xRandomness(real_vfs(vfs), size, out);
}
int shim_sleep(sqlite3_vfs* vfs, int microseconds) {
    return real_vfs(vfs)->xSleep(real_vfs(vfs), microseconds);
}
int shim_current_time(sqlite3_vfs* vfs, double* out) {
    return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
int shim_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
    return real_vfs(vfs)->xGetLastError(real_vfs(vfs), size, out);
}
int shim_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
    return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}
int shim_set_system_call(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
    return real_vfs(vfs)->xSetSystemCall(real_vfs(vfs), name, call);
}
sqlite3_syscall_ptr shim_get_system_call(sqlite3_vfs* vfs, const char* name) {
    return real_vfs(vfs)->xGetSystemCall(real_vfs(vfs), name);
}
const char* shim_next_system_call(sqlite3_vfs* vfs, const char* name) {
    return real_vfs(vfs)->xNextSystemCall(real_vfs(vfs), name);
}

sqlite3_vfs g_shim_vfs{};

}  // namespace

void SqliteFaultVfs::install() {
    static std::once_flag once;
    std::call_once(once, [] {
        sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
        // The shim forwards the version 3 interface; the default Unix VFS provides it.
        if (real == nullptr || real->iVersion < 3) {
            throw std::runtime_error("SQLite's default VFS is missing or older than version 3");
        }
        g_shim_vfs.iVersion = 3;
        g_shim_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real->szOsFile;
        g_shim_vfs.mxPathname = real->mxPathname;
        g_shim_vfs.zName = kFaultVfsName;
        g_shim_vfs.pAppData = real;
        g_shim_vfs.xOpen = shim_open;
        g_shim_vfs.xDelete = shim_delete;
        g_shim_vfs.xAccess = shim_access;
        g_shim_vfs.xFullPathname = shim_full_pathname;
        g_shim_vfs.xDlOpen = shim_dl_open;
        g_shim_vfs.xDlError = shim_dl_error;
        g_shim_vfs.xDlSym = shim_dl_sym;
        g_shim_vfs.xDlClose = shim_dl_close;
        g_shim_vfs.xRandomness = shim_randomness;
        g_shim_vfs.xSleep = shim_sleep;
        g_shim_vfs.xCurrentTime = shim_current_time;
        g_shim_vfs.xGetLastError = shim_get_last_error;
        g_shim_vfs.xCurrentTimeInt64 = shim_current_time_int64;
        g_shim_vfs.xSetSystemCall = shim_set_system_call;
        g_shim_vfs.xGetSystemCall = shim_get_system_call;
        g_shim_vfs.xNextSystemCall = shim_next_system_call;
        int rc = sqlite3_vfs_register(&g_shim_vfs, 0);
        if (rc != SQLITE_OK) {
            throw std::runtime_error(std::string("cannot register the SQLite fault VFS: ") +
                                     sqlite3_errstr(rc));
        }
    });
}

void SqliteFaultVfs::fail_at(int nth, bool forever) {
    g_forever = forever;
    g_fail_at = nth > 0 ? g_calls.load() + nth : 0;
}

int SqliteFaultVfs::calls() {
    return g_calls.load();
}

}  // namespace cradle::test
