// CaseLanes: runs work for one case one piece after another, and work for
// different cases in parallel. The case writer (case_writer.h) runs every
// write through its case's lane, so two commands on one case never race
// each other for the case's version; only writers elsewhere (another node,
// a tool) can still make an append ABORTED.
//
// A piece of work is a function that receives a `Finished` token and must
// call it exactly once when the case may move on (after its append was
// answered, possibly on another thread). Work whose lane is idle starts on
// the calling thread; work queued behind a busy lane starts on the lanes'
// own thread once the work before it finished, never on the thread that
// called Finished (which may be the event log's commit thread, where slow
// work must not run).
//
// Thread safety: all methods may be called concurrently. The destructor
// waits until every piece of work started has finished.
#ifndef COLLECTIONS_SERVICES_APP_CASE_LANES_H_
#define COLLECTIONS_SERVICES_APP_CASE_LANES_H_

#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace collections::app {

class CaseLanes {
 public:
  // Called once by a piece of work when it is done with its case.
  class Finished {
   public:
    void operator()() &&;

   private:
    friend class CaseLanes;
    Finished(CaseLanes* lanes, std::string case_id)
        : lanes_(lanes), case_id_(std::move(case_id)) {}
    CaseLanes* lanes_;
    std::string case_id_;
  };
  using Work = absl::AnyInvocable<void(Finished) &&>;

  CaseLanes();
  ~CaseLanes();
  CaseLanes(const CaseLanes&) = delete;
  CaseLanes& operator=(const CaseLanes&) = delete;

  // Runs `work` once every piece of work submitted earlier for `case_id`
  // has finished.
  void Run(const std::string& case_id, Work work);

  // Runs `task` on the lanes' own thread (for work that must leave the
  // thread it was called on, such as a retry after an append's answer).
  // The task counts as work in progress for the destructor.
  void Post(absl::AnyInvocable<void() &&> task);

 private:
  void Done(const std::string& case_id);
  void RunQueued();

  absl::Mutex mu_;
  // Per case with work in progress: the work waiting behind it.
  absl::flat_hash_map<std::string, std::deque<Work>> lanes_
      ABSL_GUARDED_BY(mu_);
  std::deque<absl::AnyInvocable<void() &&>> ready_ ABSL_GUARDED_BY(mu_);
  int64_t in_progress_ ABSL_GUARDED_BY(mu_) = 0;  // started, not finished
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace collections::app

#endif  // COLLECTIONS_SERVICES_APP_CASE_LANES_H_
