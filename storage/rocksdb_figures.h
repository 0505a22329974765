// Reading a RocksDB database's operating figures (StorageFigures, in
// storage/log_observer.h) from its properties: what LogAdministration::Figures
// and ProjectionStore::Figures report for an operator's metrics.
#ifndef COLLECTIONS_STORAGE_ROCKSDB_FIGURES_H_
#define COLLECTIONS_STORAGE_ROCKSDB_FIGURES_H_

#include <vector>

#include "rocksdb/db.h"
#include "storage/log_observer.h"

namespace collections::storage {

// Sums the figures over `families`; database-wide figures (running jobs,
// write stops, the delayed write rate) are read once. A property RocksDB
// cannot give reads as zero. Cheap: in-memory counters, no I/O.
StorageFigures ReadStorageFigures(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& families);

}  // namespace collections::storage

#endif  // COLLECTIONS_STORAGE_ROCKSDB_FIGURES_H_
