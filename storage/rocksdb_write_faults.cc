#include "storage/rocksdb_write_faults.h"

#include <string>
#include <utility>

#include "rocksdb/file_system.h"

namespace collections::storage {
namespace {

rocksdb::IOStatus NoSpace(WriteFaults* faults) {
  faults->CountRefusal();
  rocksdb::IOStatus status =
      rocksdb::IOStatus::NoSpace("injected: no space left on device");
  // As a full disk's ENOSPC reaches RocksDB: an I/O error it may retry
  // after Resume(), not a corruption.
  status.SetRetryable(true);
  return status;
}

class FaultyWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                     WriteFaults* faults)
      : FSWritableFileOwnerWrapper(std::move(file)), faults_(faults) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->Append(data, options, info, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->PositionedAppend(data, offset, options, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->PositionedAppend(data, offset, options, info, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->Fsync(options, dbg);
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (faults_->failing()) return NoSpace(faults_);
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  WriteFaults* const faults_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base,
                   WriteFaults* faults)
      : FileSystemWrapper(base), faults_(faults) {}

  const char* Name() const override { return "CollectionsWriteFaults"; }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->NewWritableFile(name, options, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    return Wrap(target()->ReopenWritableFile(name, options, result, dbg),
                result);
  }
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& name, const std::string& old_name,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    return Wrap(
        target()->ReuseWritableFile(name, old_name, options, result, dbg),
        result);
  }

 private:
  rocksdb::IOStatus Wrap(rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (!opened.ok()) return opened;
    if (faults_->failing()) {
      result->reset();
      return NoSpace(faults_);
    }
    *result = std::make_unique<FaultyWritableFile>(std::move(*result), faults_);
    return opened;
  }

  WriteFaults* const faults_;
};

}  // namespace

std::unique_ptr<rocksdb::Env> NewWriteFaultEnv(WriteFaults* faults) {
  return rocksdb::NewCompositeEnv(std::make_shared<FaultyFileSystem>(
      rocksdb::FileSystem::Default(), faults));
}

}  // namespace collections::storage
