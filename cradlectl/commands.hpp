// The commands of cradlectl in offline mode: each reads the state directory directly and
// writes its report to `out`. The return value is the process exit status.
#pragma once

#include <filesystem>
#include <ostream>

namespace cradle::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;  // verify found problems
inline constexpr int kExitUsage = 2;     // bad arguments, or the state cannot be opened

struct OfflineOptions {
    std::filesystem::path state_dir;
    bool json = false;
};

int show_status(const OfflineOptions& options, std::ostream& out);
int show_devices(const OfflineOptions& options, std::ostream& out);
int show_recordings(const OfflineOptions& options, std::ostream& out);
int verify(const OfflineOptions& options, std::ostream& out);

// `cradlectl bays ...` (argv after "bays"): learns the bay map over USB; needs no state
// directory. Exit status 1 when a bay got no camera.
int bays_command(int argc, char** argv, std::ostream& out);

}  // namespace cradle::ctl
