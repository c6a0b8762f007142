// SPDX-License-Identifier: Apache-2.0
// recordings: the catalog's recordings, by device and capture time, the newest N with --limit.
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"

namespace cradle::ctl {

int recordings_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const RecordingList list = source.recordings(invocation.filter);
    print_recordings(out, list.recordings, invocation.json,
                     list.camera_keys ? &*list.camera_keys : nullptr);
    return kExitOk;
}

}  // namespace cradle::ctl
