// SPDX-License-Identifier: Apache-2.0
// Devices and recordings as cradlectl shows them, as text for people or JSON for scripts. The
// offline views (read from the catalog) and the bus views (asked of the daemon) print the same
// rows, so they print them here, once.
#pragma once

#include "core/catalog/catalog.hpp"
#include "cradlectl/bus_client.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace cradle::ctl {

// Sets the retired flags of devices as the bus gives them: ListDevices and GetDevice carry no
// retirement, the register's history does (each device's last retire or reinstate).
void add_retirement(std::vector<DeviceRow>& devices, const std::vector<DeviceHistoryRow>& history);

// `cradlectl devices`: a table, or a JSON array.
void print_devices(std::ostream& out, const std::vector<DeviceRow>& devices, bool json);

// `cradlectl device SERIAL`: its fields, or a JSON object. last_outcome is the outcome of the
// device's last dock when the view knows it ("" if it never docked), nullopt when it does not.
void print_device(std::ostream& out, const DeviceRow& device, bool json,
                  const std::optional<std::string>& last_outcome = std::nullopt);

// `cradlectl recordings`: a table, or a JSON array. The offline view passes each row's key as
// well (camera_keys, in the same order): its JSON then also gives the camera's handle and the
// name's raw bytes, which the bus does not carry.
void print_recordings(std::ostream& out, const std::vector<RecordingInfo>& recordings, bool json,
                      const std::vector<RecordingKey>* camera_keys = nullptr);
// A confidential recording whose facts are withheld (ListRecordings to a caller without
// org.cradled.read-confidential, and always offline): state "confidential", id 0, nothing else.
RecordingInfo withheld_recording();
bool is_withheld(const RecordingInfo& row);

}  // namespace cradle::ctl
