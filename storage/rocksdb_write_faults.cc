#include "storage/rocksdb_write_faults.h"

#include <filesystem>
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
                     WriteFaults* faults, std::string path)
      : FSWritableFileOwnerWrapper(std::move(file)),
        faults_(faults),
        path_(std::move(path)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    faults_->OnAppend(path_, data.size());
    return Written(target()->Append(data, options, dbg));
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    faults_->OnAppend(path_, data.size());
    return Written(target()->Append(data, options, info, dbg));
  }
  // Positioned writes are not tracked by size (RocksDB's log and table
  // writers append); a file written this way counts as synced only whole.
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    faults_->OnAppend(path_, data.size());
    return Written(target()->PositionedAppend(data, offset, options, dbg));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data,
                                     uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    faults_->OnAppend(path_, data.size());
    return Written(
        target()->PositionedAppend(data, offset, options, info, dbg));
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    return target()->Flush(options, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                         rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    faults_->DelaySync();
    rocksdb::IOStatus synced = target()->Sync(options, dbg);
    if (synced.ok()) faults_->OnSync(path_);
    return synced;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    faults_->DelaySync();
    rocksdb::IOStatus synced = target()->Fsync(options, dbg);
    if (synced.ok()) faults_->OnSync(path_);
    return synced;
  }
  // A file closed cleanly was synced by RocksDB before (tables, manifests)
  // when it mattered; Close itself promises nothing about durability.
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes,
                              const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    if (faults_->failing()) return NoSpace(faults_);
    return target()->RangeSync(offset, nbytes, options, dbg);
  }

 private:
  rocksdb::IOStatus Written(rocksdb::IOStatus status) {
    faults_->AppendWritten();
    return status;
  }

  WriteFaults* const faults_;
  const std::string path_;
};

// A file opened after the power was cut: takes everything, keeps nothing.
class LostFile final : public rocksdb::FSWritableFile {
 public:
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions&,
                           rocksdb::IODebugContext*) override {
    size_ += data.size();
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo&,
                           rocksdb::IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  rocksdb::IOStatus Close(const rocksdb::IOOptions&,
                          rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions&,
                          rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions&,
                         rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();
  }
  uint64_t GetFileSize(const rocksdb::IOOptions&,
                       rocksdb::IODebugContext*) override {
    return size_;
  }

 private:
  uint64_t size_ = 0;
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
    if (faults_->power_cut()) return Lost(result);
    return Wrap(name, target()->NewWritableFile(name, options, result, dbg),
                result);
  }
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return Lost(result);
    return Wrap(name, target()->ReopenWritableFile(name, options, result, dbg),
                result, /*created=*/false);
  }
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& name, const std::string& old_name,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return Lost(result);
    return Wrap(
        name, target()->ReuseWritableFile(name, old_name, options, result, dbg),
        result);
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    // A rename allocates nothing: a full disk lets it through (as before
    // this file system tracked renames).
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus renamed = target()->RenameFile(from, to, options, dbg);
    if (renamed.ok()) faults_->OnRename(from, to);
    return renamed;
  }
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (faults_->power_cut()) return rocksdb::IOStatus::OK();
    rocksdb::IOStatus deleted = target()->DeleteFile(name, options, dbg);
    if (deleted.ok()) faults_->OnDelete(name);
    return deleted;
  }

 private:
  static rocksdb::IOStatus Lost(
      std::unique_ptr<rocksdb::FSWritableFile>* result) {
    *result = std::make_unique<LostFile>();
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus Wrap(const std::string& name, rocksdb::IOStatus opened,
                         std::unique_ptr<rocksdb::FSWritableFile>* result,
                         bool created = true) {
    if (!opened.ok()) return opened;
    if (faults_->failing()) {
      result->reset();
      return NoSpace(faults_);
    }
    if (created) {
      faults_->OnCreate(name);
    } else {
      std::error_code error;
      const uint64_t existing = std::filesystem::file_size(name, error);
      faults_->OnReopen(name, error ? 0 : existing);
    }
    *result =
        std::make_unique<FaultyWritableFile>(std::move(*result), faults_, name);
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
