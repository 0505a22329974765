// The write path of services/app wired as the server wires it, over a log
// a test opened: a case reader, the one case writer and the case commands.
// Header-only: tests that include it link collections_app.
//
// Thread safety: as the parts. Members are destroyed in reverse order, so
// the writer drains its writes before the reader goes; the log must outlive
// the object.
#ifndef COLLECTIONS_TESTS_TESTING_CASE_WRITE_PATH_H_
#define COLLECTIONS_TESTS_TESTING_CASE_WRITE_PATH_H_

#include "services/app/case_commands.h"
#include "services/app/case_reader.h"
#include "services/app/case_writer.h"
#include "services/security/personal_data_vault.h"
#include "storage/event_log.h"

namespace collections::testing {

struct CaseWritePath {
  explicit CaseWritePath(storage::EventLog* log,
                         security::PersonalDataVault* vault = nullptr)
      : reader(log), writer(log, &reader, vault), commands(&writer) {}

  app::CaseReader reader;
  app::CaseWriter writer;
  app::CaseCommands commands;
};

}  // namespace collections::testing

#endif  // COLLECTIONS_TESTS_TESTING_CASE_WRITE_PATH_H_
