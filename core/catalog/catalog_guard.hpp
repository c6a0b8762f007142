// SPDX-License-Identifier: Apache-2.0
// The start-up check of invariant I6: a catalog that is missing, empty, unreadable or older
// than the archive is never opened for writing (Catalog's constructor would create a fresh
// one over the archive). The archive's audit journal (audit_journal.hpp) is the reference:
// every entry it holds was committed in the catalog first.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace cradle {

// The catalog does not account for the archive. what() is one line for IT, naming the reason
// and `cradlectl rebuild-catalog --state-dir DIR`.
class CatalogBehindArchive : public std::runtime_error {
  public:
    explicit CatalogBehindArchive(const std::string& reason);
    const std::string& reason() const { return reason_; }

  private:
    std::string reason_;
};

// The one line the daemon says when it refuses to start.
std::string catalog_behind_archive_message(const std::string& reason,
                                           const std::filesystem::path& state_dir);

// Throws CatalogBehindArchive when state_dir/catalog.sqlite is missing or empty while the
// archive holds files or a journal, cannot be read as a catalog while it does, or ends its audit
// log before the archive's journal (or holds the journal's last entry differently). Reads only:
// nothing is created. vfs: the SQLite VFS the service opens the catalog with.
void require_catalog_not_behind_archive(const std::filesystem::path& state_dir,
                                        const char* vfs = nullptr);

}  // namespace cradle
