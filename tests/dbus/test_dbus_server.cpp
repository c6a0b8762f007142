// SPDX-License-Identifier: Apache-2.0
// The D-Bus API against a private bus: every method, property and signal of
// dbus/org.cradled.Cradle1.xml, the object manager, and the errors of bad calls.
#include "tests/dbus/test_dbus_harness.hpp"

#include "core/catalog/catalog.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

namespace cradle::test {
namespace {

struct Bay {
    std::uint32_t bay = 0;
    std::string phase, light, serial, model, outcome;
    std::int64_t docked_since = 0;
    std::uint32_t recordings_done = 0, recordings_total = 0;
    std::uint64_t bytes_done = 0, bytes_total = 0;
    double rate = 0;
    std::int64_t eta = 0;
};

struct Device {
    std::string serial, manufacturer, model, firmware;
    bool registered = false;
    std::string custodian, officer, head;
    std::int64_t first_seen = 0, last_seen = 0;
};

struct Recording {
    std::int64_t id = 0;
    std::string serial, name;
    std::uint64_t size = 0;
    std::string state, sha256, archive_path;
    std::int64_t captured = 0, archived_at = 0, wiped_at = 0;
};

std::vector<Bay> list_bays(sd_bus* bus) {
    CallResult result = call_manager(bus, "ListBays", "");
    EXPECT_TRUE(result.ok()) << result.error_name << " " << result.error_message;
    std::vector<Bay> bays;
    if (!result.ok()) return bays;
    EXPECT_GE(sd_bus_message_enter_container(result.reply, 'a', "(usssssxuuttdx)"), 0);
    for (;;) {
        Bay bay;
        const char *phase, *light, *serial, *model, *outcome;
        int r = sd_bus_message_read(result.reply, "(usssssxuuttdx)", &bay.bay, &phase, &light,
                                    &serial, &model, &outcome, &bay.docked_since,
                                    &bay.recordings_done, &bay.recordings_total, &bay.bytes_done,
                                    &bay.bytes_total, &bay.rate, &bay.eta);
        EXPECT_GE(r, 0);
        if (r <= 0) break;
        bay.phase = phase;
        bay.light = light;
        bay.serial = serial;
        bay.model = model;
        bay.outcome = outcome;
        bays.push_back(bay);
    }
    return bays;
}

bool read_device(sd_bus_message* reply, Device& device) {
    const char *serial, *manufacturer, *model, *firmware, *custodian, *officer, *head;
    int registered = 0;
    int r = sd_bus_message_read(reply, "(ssssbsssxx)", &serial, &manufacturer, &model, &firmware,
                                &registered, &custodian, &officer, &head, &device.first_seen,
                                &device.last_seen);
    EXPECT_GE(r, 0);
    if (r <= 0) return false;
    device.serial = serial;
    device.manufacturer = manufacturer;
    device.model = model;
    device.firmware = firmware;
    device.registered = registered != 0;
    device.custodian = custodian;
    device.officer = officer;
    device.head = head;
    return true;
}

std::vector<Device> list_devices(sd_bus* bus) {
    CallResult result = call_manager(bus, "ListDevices", "");
    EXPECT_TRUE(result.ok()) << result.error_name << " " << result.error_message;
    std::vector<Device> devices;
    if (!result.ok()) return devices;
    EXPECT_GE(sd_bus_message_enter_container(result.reply, 'a', "(ssssbsssxx)"), 0);
    Device device;
    while (read_device(result.reply, device)) devices.push_back(device);
    return devices;
}

std::vector<Recording> read_recordings(const CallResult& result) {
    std::vector<Recording> recordings;
    if (!result.ok()) return recordings;
    EXPECT_GE(sd_bus_message_enter_container(result.reply, 'a', "(xsstsssxxx)"), 0);
    for (;;) {
        Recording recording;
        const char *serial, *name, *state, *sha256, *archive_path;
        int r =
            sd_bus_message_read(result.reply, "(xsstsssxxx)", &recording.id, &serial, &name,
                                &recording.size, &state, &sha256, &archive_path,
                                &recording.captured, &recording.archived_at, &recording.wiped_at);
        EXPECT_GE(r, 0);
        if (r <= 0) break;
        recording.serial = serial;
        recording.name = name;
        recording.state = state;
        recording.sha256 = sha256;
        recording.archive_path = archive_path;
        recordings.push_back(recording);
    }
    return recordings;
}

std::vector<Recording> list_recordings(sd_bus* bus, const char* serial, std::int64_t from,
                                       std::int64_t to, std::uint32_t limit) {
    CallResult result = call_manager(bus, "ListRecordings", "sxxu", serial, from, to, limit);
    EXPECT_TRUE(result.ok()) << result.error_name << " " << result.error_message;
    return read_recordings(result);
}

// Docks `camera` in `bay` and waits for its DockFinished.
void dock_and_wait(ServiceOnBus& service, BusClient& client, int bay,
                   const hw::sim::CameraSpec& camera) {
    std::size_t before = client.dock_finished.size();
    service.plug(bay, camera);
    ASSERT_TRUE(client.wait_until([&] { return client.dock_finished.size() > before; }))
        << "no DockFinished for bay " << bay;
}

TEST(DbusManager, PropertiesDescribeTheCradle) {
    ServiceOnBus service(3);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    std::string version = get_text(client.get(), kRoot, kManager, "Version");
    EXPECT_NE(version.find('.'), std::string::npos) << version;
    EXPECT_EQ(get_number(client.get(), kRoot, kManager, "BayCount"), 3);
    EXPECT_EQ(get_text(client.get(), kRoot, kManager, "StateDirectory"), service.state.string());
    std::string synchronised = get_text(client.get(), kRoot, kManager, "ClockSynchronised");
    EXPECT_TRUE(synchronised == "true" || synchronised == "false") << synchronised;
}

TEST(DbusManager, ListBaysShowsEveryEmptyBay) {
    ServiceOnBus service(3);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    std::vector<Bay> bays = list_bays(client.get());
    ASSERT_EQ(bays.size(), 3u);
    for (std::uint32_t i = 0; i < 3; ++i) {
        EXPECT_EQ(bays[i].bay, i + 1);
        EXPECT_EQ(bays[i].phase, "empty");
        EXPECT_EQ(bays[i].light, "off");
        EXPECT_EQ(bays[i].serial, "");
        EXPECT_EQ(bays[i].outcome, "");
        EXPECT_EQ(bays[i].docked_since, 0);
        EXPECT_EQ(bays[i].bytes_total, 0u);
        EXPECT_EQ(bays[i].eta, -1);
        EXPECT_EQ(get_number(client.get(), bay_object(static_cast<int>(i + 1)), kBay, "Number"),
                  i + 1);
    }
}

TEST(DbusSignals, ADockIsSignalledAndShownOnItsBayAndDevice) {
    ServiceOnBus service(2);
    hw::sim::CameraSpec camera = service.camera("CAM-1", 3);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    dock_and_wait(service, client, 1, camera);
    ASSERT_TRUE(client.wait_until(
        [&] { return !client.bay_changed.empty() && client.bay_changed.back().phase == "done"; }));

    const DockFinishedSignal& finished = client.dock_finished.at(0);
    EXPECT_EQ(finished.bay, 1u);
    EXPECT_EQ(finished.serial, "CAM-1");
    EXPECT_EQ(finished.light, "ready");
    EXPECT_EQ(finished.outcome, "ready for duty");
    EXPECT_EQ(finished.archived, 3u);
    EXPECT_EQ(finished.wiped, 3u);
    EXPECT_EQ(finished.left, 0u);

    // BayChanged: every phase change of the dock, in order, for bay 1 only.
    std::vector<std::string> phases;
    for (const auto& change : client.bay_changed) {
        EXPECT_EQ(change.bay, 1u);
        phases.push_back(change.phase);
    }
    ASSERT_FALSE(phases.empty());
    EXPECT_EQ(phases.front(), "identifying");
    EXPECT_NE(std::find(phases.begin(), phases.end(), "offloading"), phases.end());
    EXPECT_NE(std::find(phases.begin(), phases.end(), "wiping"), phases.end());
    EXPECT_EQ(client.bay_changed.back().light, "ready");

    // PropertiesChanged of the bay carries the new values.
    bool saw_serial = false;
    bool saw_done = false;
    for (const auto& change : client.properties_changed) {
        if (change.path != bay_object(1)) continue;
        EXPECT_EQ(change.interface, kBay);
        if (change.text.count("DeviceSerial") && change.text.at("DeviceSerial") == "CAM-1") {
            saw_serial = true;
        }
        if (change.text.count("Phase") && change.text.at("Phase") == "done") saw_done = true;
    }
    EXPECT_TRUE(saw_serial);
    EXPECT_TRUE(saw_done);

    // Every property of the bay.
    sd_bus* bus = client.get();
    EXPECT_EQ(get_number(bus, bay_object(1), kBay, "Number"), 1);
    EXPECT_EQ(get_text(bus, bay_object(1), kBay, "Phase"), "done");
    EXPECT_EQ(get_text(bus, bay_object(1), kBay, "Light"), "ready");
    EXPECT_EQ(get_text(bus, bay_object(1), kBay, "DeviceSerial"), "CAM-1");
    EXPECT_EQ(get_text(bus, bay_object(1), kBay, "DeviceModel"), camera.model);
    EXPECT_EQ(get_text(bus, bay_object(1), kBay, "Outcome"), "ready for duty");
    EXPECT_GT(get_number(bus, bay_object(1), kBay, "DockedSince"), 0);
    EXPECT_EQ(get_number(bus, bay_object(1), kBay, "RecordingsTotal"), 3);
    EXPECT_EQ(get_number(bus, bay_object(1), kBay, "RecordingsDone"), 3);
    double total = get_number(bus, bay_object(1), kBay, "BytesTotal");
    EXPECT_GT(total, 0);
    EXPECT_EQ(get_number(bus, bay_object(1), kBay, "BytesDone"), total);
    EXPECT_GE(get_number(bus, bay_object(1), kBay, "Rate"), 0);
    EXPECT_GE(get_number(bus, bay_object(1), kBay, "EtaSeconds"), -1);
    EXPECT_EQ(get_text(bus, bay_object(2), kBay, "Phase"), "empty");

    // ListBays says the same.
    std::vector<Bay> bays = list_bays(bus);
    ASSERT_EQ(bays.size(), 2u);
    EXPECT_EQ(bays[0].phase, "done");
    EXPECT_EQ(bays[0].light, "ready");
    EXPECT_EQ(bays[0].serial, "CAM-1");
    EXPECT_EQ(bays[0].model, camera.model);
    EXPECT_EQ(bays[0].outcome, "ready for duty");
    EXPECT_EQ(bays[0].recordings_total, 3u);
    EXPECT_EQ(bays[0].recordings_done, 3u);
    EXPECT_EQ(static_cast<double>(bays[0].bytes_total), total);
    EXPECT_EQ(bays[0].bytes_done, bays[0].bytes_total);

    // The device: DeviceChanged, its object's properties invalidated, and their new values.
    ASSERT_TRUE(client.wait_until([&] {
        return std::count(client.device_changed.begin(), client.device_changed.end(), "CAM-1") > 0;
    }));
    std::string device = device_object("CAM-1");
    ASSERT_TRUE(client.wait_until([&] {
        return std::any_of(client.properties_changed.begin(), client.properties_changed.end(),
                           [&](const PropertiesChangedSignal& change) {
                               return change.path == device && change.interface == kDevice &&
                                      std::count(change.invalidated.begin(),
                                                 change.invalidated.end(), "LastOutcome");
                           });
    }));
    EXPECT_EQ(get_text(bus, device, kDevice, "Serial"), "CAM-1");
    EXPECT_EQ(get_text(bus, device, kDevice, "Manufacturer"), camera.manufacturer);
    EXPECT_EQ(get_text(bus, device, kDevice, "Model"), camera.model);
    EXPECT_EQ(get_text(bus, device, kDevice, "Firmware"), camera.firmware);
    EXPECT_EQ(get_text(bus, device, kDevice, "Registered"), "true");
    const RegisterEntryOnBus entry = register_entry_of(bus, "CAM-1");
    EXPECT_EQ(entry.custodian, "Custodian A");
    EXPECT_EQ(entry.officer, "Officer CAM-1");
    EXPECT_EQ(entry.head, "Team head");
    // Who the camera is assigned to is not among the properties anyone may read.
    for (const char* personal : {"Custodian", "Officer", "Head"}) {
        EXPECT_EQ(get_property_error(bus, device, kDevice, personal),
                  "org.freedesktop.DBus.Error.UnknownProperty")
            << personal;
    }
    double first_seen = get_number(bus, device, kDevice, "FirstSeen");
    EXPECT_GT(first_seen, 0);
    EXPECT_GE(get_number(bus, device, kDevice, "LastSeen"), first_seen);
    EXPECT_EQ(get_text(bus, device, kDevice, "LastOutcome"), "ready for duty");

    // Taking the camera out empties the bay.
    service.unplug(1);
    ASSERT_TRUE(client.wait_until([&] { return client.bay_changed.back().phase == "empty"; }));
    EXPECT_EQ(client.bay_changed.back().light, "off");
    EXPECT_EQ(get_text(bus, bay_object(1), kBay, "DeviceSerial"), "");
}

TEST(DbusSignals, ProgressIsPublishedWhileOffloading) {
    ServiceOnBus service(1);
    hw::sim::CameraSpec camera = service.camera("SLOW-1", 2);
    camera.total_bytes = 1 << 20;
    camera.faults.throttle_bytes_per_s = 400 << 10;
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    service.plug(1, camera);
    const PropertiesChangedSignal* progress = nullptr;
    ASSERT_TRUE(client.wait_until([&] {
        for (const auto& change : client.properties_changed) {
            if (change.path != bay_object(1) || !change.numbers.count("BytesDone") ||
                !change.numbers.count("Rate")) {
                continue;
            }
            if (change.numbers.at("BytesDone") > 0 && change.numbers.at("Rate") > 0) {
                progress = &change;
                return true;
            }
        }
        return false;
    }));
    EXPECT_LE(progress->numbers.at("BytesDone"), camera.total_bytes);
    ASSERT_TRUE(progress->numbers.count("EtaSeconds"));
    EXPECT_GE(progress->numbers.at("EtaSeconds"), 0);
    ASSERT_TRUE(client.wait_until([&] { return !client.dock_finished.empty(); }));
    EXPECT_EQ(client.dock_finished[0].outcome, "ready for duty");
    EXPECT_EQ(get_number(client.get(), bay_object(1), kBay, "BytesTotal"), camera.total_bytes);
    EXPECT_EQ(get_number(client.get(), bay_object(1), kBay, "BytesDone"), camera.total_bytes);
}

TEST(DbusDevices, ListAndGetTheRegister) {
    ServiceOnBus service(1);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    std::vector<Device> devices = list_devices(client.get());
    ASSERT_EQ(devices.size(), 2u);
    EXPECT_EQ(devices[0].serial, "REG-1");
    EXPECT_EQ(devices[1].serial, "REG-2");
    EXPECT_TRUE(devices[0].registered);
    EXPECT_EQ(devices[0].officer, "pool");
    EXPECT_EQ(devices[0].last_seen, 0);

    CallResult one = call_manager(client.get(), "GetDevice", "s", "REG-2");
    ASSERT_TRUE(one.ok()) << one.error_name << " " << one.error_message;
    Device device;
    ASSERT_TRUE(read_device(one.reply, device));
    EXPECT_EQ(device.serial, "REG-2");
    EXPECT_EQ(device.custodian, "Custodian B");
    EXPECT_EQ(device.officer, "Officer Two");
    EXPECT_EQ(device.head, "Team head");
    EXPECT_TRUE(device.registered);

    std::string path = device_object("REG-2");
    EXPECT_EQ(get_text(client.get(), path, kDevice, "Registered"), "true");
    EXPECT_EQ(get_text(client.get(), path, kDevice, "LastOutcome"), "");
    EXPECT_EQ(get_number(client.get(), path, kDevice, "LastSeen"), 0);
    // Only the path the server makes names the device: not one whose escaped NUL would cut the
    // decoded serial back to "REG-2", nor one that escapes a letter of it.
    EXPECT_EQ(get_property_error(client.get(), path, kDevice, "Serial"), "");
    EXPECT_FALSE(get_property_error(client.get(), path + "_00X", kDevice, "Serial").empty());
    EXPECT_FALSE(
        get_property_error(client.get(), "/org/cradled/Cradle1/device/_52EG_2d2", kDevice, "Serial")
            .empty());
}

TEST(DbusErrors, UnknownDevicesAndMalformedSerialsAreRefused) {
    ServiceOnBus service(1);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    sd_bus* bus = client.get();

    CallResult unknown = call_manager(bus, "GetDevice", "s", "NOPE-9");
    EXPECT_EQ(unknown.error_name, "org.cradled.Cradle1.Error.NoSuchDevice");
    EXPECT_NE(unknown.error_message.find("NOPE-9"), std::string::npos);

    std::string too_long(129, 'A');
    for (const char* bad : {"", too_long.c_str(), "AB\x1b[31m", "AB\nCD", "A\u202eB", "   ",
                            "\u200b", "\ufeffNOPE-9", "NOPE\u20609", "\u3000"}) {
        CallResult result = call_manager(bus, "GetDevice", "s", bad);
        EXPECT_EQ(result.error_name, "org.freedesktop.DBus.Error.InvalidArgs") << bad;
        EXPECT_EQ(result.error_message.rfind("serial:", 0), 0u) << result.error_message;
    }
    std::string longest(128, 'A');
    EXPECT_EQ(call_manager(bus, "GetDevice", "s", longest.c_str()).error_name,
              "org.cradled.Cradle1.Error.NoSuchDevice");

    // Calls that do not match the API never reach the service's code, and break nothing.
    EXPECT_EQ(call_manager(bus, "GetDevice", "u", 7u).error_name,
              "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(call_manager(bus, "NoSuchMethod", "").error_name,
              "org.freedesktop.DBus.Error.UnknownMethod");
    EXPECT_FALSE(get_property_error(bus, kRoot, kManager, "NoSuchProperty").empty());
    EXPECT_FALSE(get_property_error(bus, device_object("NOPE-9"), kDevice, "Serial").empty());
    EXPECT_FALSE(
        get_property_error(bus, "/org/cradled/Cradle1/device/_zz", kDevice, "Serial").empty());
    EXPECT_FALSE(get_property_error(bus, bay_object(9), kBay, "Phase").empty());
    EXPECT_EQ(list_bays(bus).size(), 1u);
}

TEST(DbusObjects, TheObjectManagerListsBaysAndDevices) {
    ServiceOnBus service(2);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    ASSERT_GE(
        sd_bus_call_method(client.get(), kService, kRoot, "org.freedesktop.DBus.ObjectManager",
                           "GetManagedObjects", &error, &reply, ""),
        0)
        << (error.message ? error.message : "");
    std::map<std::string, std::set<std::string>> objects;
    ASSERT_GE(sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}"), 0);
    while (sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}") > 0) {
        const char* path = nullptr;
        ASSERT_GE(sd_bus_message_read(reply, "o", &path), 0);
        ASSERT_GE(sd_bus_message_enter_container(reply, 'a', "{sa{sv}}"), 0);
        while (sd_bus_message_enter_container(reply, 'e', "sa{sv}") > 0) {
            const char* interface = nullptr;
            ASSERT_GE(sd_bus_message_read(reply, "s", &interface), 0);
            objects[path].insert(interface);
            ASSERT_GE(sd_bus_message_skip(reply, "a{sv}"), 0);
            ASSERT_GE(sd_bus_message_exit_container(reply), 0);
        }
        ASSERT_GE(sd_bus_message_exit_container(reply), 0);
        ASSERT_GE(sd_bus_message_exit_container(reply), 0);
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    EXPECT_TRUE(objects[bay_object(1)].count(kBay));
    EXPECT_TRUE(objects[bay_object(2)].count(kBay));
    EXPECT_TRUE(objects[device_object("REG-1")].count(kDevice));
    EXPECT_TRUE(objects[device_object("REG-2")].count(kDevice));
    EXPECT_EQ(objects.size(), 4u);

    // Introspection of the device folder names each device object.
    reply = nullptr;
    ASSERT_GE(
        sd_bus_call_method(client.get(), kService, "/org/cradled/Cradle1/device",
                           "org.freedesktop.DBus.Introspectable", "Introspect", &error, &reply, ""),
        0);
    const char* xml = nullptr;
    ASSERT_GE(sd_bus_message_read(reply, "s", &xml), 0);
    std::string introspection = xml;
    sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    EXPECT_NE(introspection.find("REG_2d1"), std::string::npos) << introspection;
}

TEST(DbusRecordings, ListRecordingsFiltersByDeviceWindowAndLimit) {
    ServiceOnBus service(2);
    hw::sim::CameraSpec first = service.camera("CAM-1", 3);
    hw::sim::CameraSpec second = service.camera("CAM-2", 2);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    dock_and_wait(service, client, 1, first);
    dock_and_wait(service, client, 2, second);
    sd_bus* bus = client.get();

    std::vector<Recording> all = list_recordings(bus, "", 0, 0, 0);
    ASSERT_EQ(all.size(), 5u);
    for (std::size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].state, "wiped");
        EXPECT_EQ(all[i].sha256.size(), 64u);
        EXPECT_FALSE(all[i].archive_path.empty());
        EXPECT_FALSE(all[i].name.empty());
        EXPECT_GT(all[i].size, 0u);
        EXPECT_GT(all[i].archived_at, 0);
        EXPECT_GE(all[i].wiped_at, all[i].archived_at);
        EXPECT_TRUE(all[i].serial == "CAM-1" || all[i].serial == "CAM-2") << all[i].serial;
        if (i > 0) {
            EXPECT_LE(all[i - 1].captured, all[i].captured);
        }
    }

    std::vector<Recording> second_only = list_recordings(bus, "CAM-2", 0, 0, 0);
    ASSERT_EQ(second_only.size(), 2u);
    for (const auto& recording : second_only) EXPECT_EQ(recording.serial, "CAM-2");
    EXPECT_TRUE(list_recordings(bus, "REG-1", 0, 0, 0).empty());

    std::vector<Recording> newest = list_recordings(bus, "", 0, 0, 2);
    ASSERT_EQ(newest.size(), 2u);
    EXPECT_EQ(newest[0].id, all[3].id);
    EXPECT_EQ(newest[1].id, all[4].id);

    std::int64_t from = all[1].captured;
    std::int64_t to = all[3].captured;
    std::size_t expected = static_cast<std::size_t>(
        std::count_if(all.begin(), all.end(), [&](const Recording& recording) {
            return recording.captured >= from && recording.captured <= to;
        }));
    EXPECT_EQ(list_recordings(bus, "", from, to, 0).size(), expected);
    EXPECT_EQ(list_recordings(bus, "", from, 0, 0).size(),
              static_cast<std::size_t>(std::count_if(
                  all.begin(), all.end(), [&](const Recording& r) { return r.captured >= from; })));

    EXPECT_EQ(
        call_manager(bus, "ListRecordings", "sxxu", "NOPE-9", std::int64_t{0}, std::int64_t{0}, 0u)
            .error_name,
        "org.cradled.Cradle1.Error.NoSuchDevice");
    CallResult backwards =
        call_manager(bus, "ListRecordings", "sxxu", "", std::int64_t{20}, std::int64_t{10}, 0u);
    EXPECT_EQ(backwards.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(backwards.error_message.rfind("captured_from", 0), 0u) << backwards.error_message;
    CallResult negative =
        call_manager(bus, "ListRecordings", "sxxu", "", std::int64_t{0}, std::int64_t{-5}, 0u);
    EXPECT_EQ(negative.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(negative.error_message.rfind("captured_to", 0), 0u) << negative.error_message;
    EXPECT_EQ(
        call_manager(bus, "ListRecordings", "sxxu", "A\x01", std::int64_t{0}, std::int64_t{0}, 0u)
            .error_name,
        "org.freedesktop.DBus.Error.InvalidArgs");
}

TEST(DbusVerify, VerifyChecksTheArchiveAndReportsProblems) {
    ServiceOnBus service(1);
    hw::sim::CameraSpec camera = service.camera("CAM-1", 3);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    dock_and_wait(service, client, 1, camera);

    auto verify = [&](int& ok, std::uint64_t& files, std::vector<std::string>& problems) {
        CallResult result = call_manager(client.get(), "Verify", "");
        ASSERT_TRUE(result.ok()) << result.error_name << " " << result.error_message;
        ASSERT_GE(sd_bus_message_read(result.reply, "bt", &ok, &files), 0);
        char** list = nullptr;
        ASSERT_GE(sd_bus_message_read_strv(result.reply, &list), 0);
        problems.clear();
        for (char** item = list; item && *item; ++item) {
            problems.push_back(*item);
            free(*item);
        }
        free(list);
    };
    int ok = 0;
    std::uint64_t files = 0;
    std::vector<std::string> problems;
    verify(ok, files, problems);
    EXPECT_TRUE(ok);
    EXPECT_EQ(files, 3u);
    EXPECT_TRUE(problems.empty());

    // An archived file altered behind the catalog's back.
    std::vector<Recording> recordings = list_recordings(client.get(), "", 0, 0, 0);
    ASSERT_FALSE(recordings.empty());
    std::filesystem::path file = service.state / "archive" / recordings[0].archive_path;
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
    std::filesystem::permissions(file, std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    {
        std::fstream altered(file, std::ios::in | std::ios::out | std::ios::binary);
        altered.seekp(0);
        altered.put('\x5a');
        altered.put('\xa5');
    }
    verify(ok, files, problems);
    EXPECT_FALSE(ok);
    EXPECT_FALSE(problems.empty());
}

int count_reply(sd_bus_message* reply, void* userdata, sd_bus_error*) {
    auto* answers = static_cast<std::vector<std::string>*>(userdata);
    const sd_bus_error* error = sd_bus_message_get_error(reply);
    if (error != nullptr) {
        answers->push_back(error->name);
        return 0;
    }
    int ok = 0;
    std::uint64_t files = 0;
    sd_bus_message_read(reply, "bt", &ok, &files);
    answers->push_back(std::to_string(ok) + "/" + std::to_string(files));
    return 0;
}

TEST(DbusVerify, CallersDuringAVerifyShareItsResult) {
    ServiceOnBus service(1);
    hw::sim::CameraSpec camera = service.camera("CAM-1", 2);
    ASSERT_EQ(service.start(), "");
    BusClient client(service.bus.address());
    dock_and_wait(service, client, 1, camera);
    std::vector<std::string> answers;
    std::vector<sd_bus_slot*> slots(3, nullptr);
    for (auto& slot : slots) {
        ASSERT_GE(sd_bus_call_method_async(client.get(), &slot, kService, kRoot, kManager, "Verify",
                                           count_reply, &answers, ""),
                  0);
    }
    EXPECT_TRUE(client.wait_until([&] { return answers.size() == 3; }));
    for (auto* slot : slots) sd_bus_slot_unref(slot);
    for (const auto& answer : answers) EXPECT_EQ(answer, "1/2");
}

TEST(DbusErrors, TheServiceOutlivesItsBus) {
    ServiceOnBus service(1);
    hw::sim::CameraSpec camera = service.camera("CAM-1", 2);
    ASSERT_EQ(service.start(), "");
    ASSERT_EQ(::kill(service.bus.pid(), SIGKILL), 0);
    EXPECT_TRUE(service.wait_for_log("lost"));
    service.plug(1, camera);
    EXPECT_TRUE(service.wait_for_log("CAM-1: ready for duty"));
}

TEST(DbusErrors, TheServiceServesAgainWhenItsBusRestarts) {
    ServiceOnBus service(1);
    hw::sim::CameraSpec camera = service.camera("CAM-1", 2);
    // The address without the daemon's guid, as the system bus's is: a restarted daemon has
    // another guid.
    ASSERT_EQ(service.start("unix:path=" + service.bus.socket_path().string()), "");
    service.bus.restart();
    EXPECT_TRUE(service.wait_for_log("lost"));
    ASSERT_TRUE(service.wait_for_log("D-Bus API served again"));

    // The objects, the name and the signals are all back on the new bus.
    BusClient client(service.bus.address());
    std::vector<Bay> bays = list_bays(client.get());
    ASSERT_EQ(bays.size(), 1u);
    EXPECT_EQ(bays[0].phase, "empty");
    EXPECT_EQ(get_number(client.get(), bay_object(1), kBay, "Number"), 1);
    dock_and_wait(service, client, 1, camera);
    EXPECT_EQ(client.dock_finished.back().serial, "CAM-1");
    EXPECT_EQ(get_text(client.get(), device_object("CAM-1"), kDevice, "Serial"), "CAM-1");
}

TEST(DbusErrors, TheNameTakenByAnotherIsReported) {
    ServiceOnBus service(1);
    BusClient squatter(service.bus.address());
    ASSERT_GE(sd_bus_request_name(squatter.get(), kService, 0), 0);
    std::string error = service.start();
    EXPECT_EQ(error, "another cradled already serves org.cradled.Cradle1 on this bus");
}

TEST(DbusErrors, AnUnreachableBusIsReportedWithItsAddress) {
    ServiceOnBus service(1);
    std::string address = "unix:path=" + (service.temp.path() / "no-bus-here").string();
    std::string error = service.start(address);
    EXPECT_NE(error.find(address), std::string::npos) << error;
    EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace cradle::test
