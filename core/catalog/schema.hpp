// SPDX-License-Identifier: Apache-2.0
// The catalog's schema: one migration function per version step (schema.cpp holds their DDL),
// and reading and checking the version a catalog file is at. A step that has shipped is never
// edited: a catalog in the field was built by it.
#pragma once

#include "core/catalog/sqlite.hpp"

#include <string>

namespace cradle::schema {

// Brings the catalog to Catalog::kSchemaVersion, one step per transaction. Throws CatalogError
// for a catalog newer than this version knows.
void migrate(sqlite::Connection& db);

bool has_schema_version_table(sqlite::Connection& db);
// 0 for an empty database.
int read_schema_version(sqlite::Connection& db);
// Throws CatalogError when `found` is newer than this version knows; `file` names the catalog.
void refuse_newer(const std::string& file, int found);

}  // namespace cradle::schema
