// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpus of the fuzz targets: valid encodings made by the encoders, and the
// hostile forms a device can send (lying counts, 0xFFFFFFFF lengths, truncation, broken
// strings and dates). Run as `fuzz_write_seeds tests/fuzz/corpus`; the files are committed.
#include "hw/ptp/datasets.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace cradle::hw::ptp;

namespace {

using Bytes = std::vector<std::byte>;

class SeedWriter {
  public:
    explicit SeedWriter(fs::path root) : root_(std::move(root)) {}

    void write(const std::string& target, const std::string& name, const Bytes& bytes) {
        const fs::path dir = root_ / target;
        fs::create_directories(dir);
        std::ofstream out(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write seed " + target + "/" + name);
        ++count_;
    }
    void write_text(const std::string& target, const std::string& name, std::uint8_t prefix,
                    std::string_view text) {
        Bytes bytes{std::byte{prefix}};
        for (const char c : text) bytes.push_back(static_cast<std::byte>(c));
        write(target, name, bytes);
    }
    int count() const { return count_; }

  private:
    fs::path root_;
    int count_ = 0;
};

Bytes first(const Bytes& bytes, std::size_t size) {
    return Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(size));
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

Bytes u16_le(std::uint16_t value) {
    DataWriter writer;
    writer.u16(value);
    return writer.take();
}

DeviceInfo camera_device_info() {
    DeviceInfo info;
    info.vendor_extension_id = 6;
    info.vendor_extension_version = 100;
    info.vendor_extension_desc = "microsoft.com: 1.0";
    info.operations_supported = {op::get_device_info,       op::open_session,
                                 op::close_session,         op::get_storage_ids,
                                 op::get_storage_info,      op::get_object_handles,
                                 op::get_object_info,       op::get_object,
                                 op::delete_object,         op::get_device_prop_value,
                                 op::set_device_prop_value, op::get_partial_object};
    info.events_supported = {event::object_added, event::store_full, event::device_info_changed};
    info.device_properties_supported = {prop::battery_level, prop::date_time};
    info.image_formats = {format::mp4, format::jpeg, format::wav};
    info.manufacturer = "Emulated Body Cameras";
    info.model = "BC-1";
    info.device_version = "1.0.3";
    info.serial_number = "EMU00000001";
    return info;
}

StorageInfo camera_storage_info() {
    StorageInfo info;
    info.storage_type = 3;
    info.filesystem_type = 2;
    info.max_capacity = 64ull << 30;
    info.free_space_bytes = 12ull << 30;
    info.free_space_images = 0xFFFFFFFF;
    info.description = "Internal";
    info.volume_label = "BC1";
    return info;
}

ObjectInfo recording_info() {
    ObjectInfo info;
    info.storage_id = 0x00010001;
    info.object_format = format::mp4;
    info.compressed_size = 734003200;
    info.parent_object = 2;
    info.sequence_number = 1;
    info.filename = "VID_20260315_101500.MP4";
    info.capture_date = "20260315T101500";
    info.modification_date = "20260315T103000.0Z";
    return info;
}

void write_container_seeds(SeedWriter& seeds) {
    const std::string t = "container_header";
    seeds.write(t, "command-open-session",
                encode_params_container(ContainerType::command, op::open_session, 0,
                                        std::vector<std::uint32_t>{1}));
    seeds.write(t, "response-ok", encode_params_container(ContainerType::response, rc::ok, 7, {}));
    seeds.write(t, "event-object-added",
                encode_params_container(ContainerType::event, event::object_added, kNoTransaction,
                                        std::vector<std::uint32_t>{42}));
    seeds.write(t, "data-sized", encode_data_header(op::get_object, 9, 1 << 20));
    seeds.write(t, "data-unknown-length", encode_data_header(op::get_object, 9, 5ull << 30));
    Bytes header = encode_data_header(op::get_object, 9, 0);
    seeds.write(t, "truncated-11-bytes", first(header, 11));
    header[4] = std::byte{5};
    seeds.write(t, "type-5", header);
    header[4] = std::byte{0};
    seeds.write(t, "type-0", header);
    Bytes short_length = encode_params_container(ContainerType::response, rc::ok, 1, {});
    short_length[0] = std::byte{11};
    seeds.write(t, "length-11", short_length);
    Bytes huge = encode_params_container(ContainerType::response, rc::ok, 1, {});
    huge[0] = huge[1] = huge[2] = huge[3] = std::byte{0xFF};
    seeds.write(t, "response-length-ffffffff", huge);

    const std::string p = "params_container";
    for (std::uint32_t count = 0; count <= kMaxParams; ++count) {
        std::vector<std::uint32_t> params(count, 0x01020304u * (count + 1));
        seeds.write(p, "response-" + std::to_string(count) + "-params",
                    encode_params_container(ContainerType::response, rc::ok, count, params));
    }
    seeds.write(p, "event-store-full",
                encode_params_container(ContainerType::event, event::store_full, kNoTransaction,
                                        std::vector<std::uint32_t>{0x00010001}));
    seeds.write(p, "command-get-partial-object",
                encode_params_container(ContainerType::command, op::get_partial_object, 12,
                                        std::vector<std::uint32_t>{5, 0, 1 << 20}));
    seeds.write(p, "response-busy",
                encode_params_container(ContainerType::response, rc::device_busy, 3, {}));
    Bytes six = encode_params_container(ContainerType::response, rc::ok, 1,
                                        std::vector<std::uint32_t>{1, 2, 3, 4, 5});
    six.resize(36);
    six[0] = std::byte{36};
    seeds.write(p, "six-params", six);
    Bytes partial =
        encode_params_container(ContainerType::response, rc::ok, 1, std::vector<std::uint32_t>{1});
    partial.pop_back();
    partial[0] = std::byte{15};
    seeds.write(p, "partial-param", partial);
    Bytes mismatch = encode_params_container(ContainerType::response, rc::ok, 1,
                                             std::vector<std::uint32_t>{1, 2});
    mismatch[0] = std::byte{16};
    seeds.write(p, "length-mismatch", mismatch);
    seeds.write(p, "data-container", encode_data_header(op::get_object, 1, 0));
    seeds.write(p, "response-length-ffffffff", huge);
}

void write_dataset_seeds(SeedWriter& seeds) {
    const std::string d = "device_info";
    const Bytes device = encode_device_info(camera_device_info());
    seeds.write(d, "camera", device);
    seeds.write(d, "empty", encode_device_info(DeviceInfo{}));
    seeds.write(d, "trailing-vendor-bytes", concat(device, Bytes(6, std::byte{0xEE})));
    for (const std::size_t size :
         {std::size_t{5}, std::size_t{20}, std::size_t{60}, device.size() - 3}) {
        seeds.write(d, "truncated-at-" + std::to_string(size), first(device, size));
    }
    {
        DataWriter writer;
        writer.u16(100);
        writer.u32(0);
        writer.u16(0);
        writer.string("");
        writer.u16(0);
        writer.u32(0xFFFFFFFF);
        writer.u16(op::get_object);
        seeds.write(d, "operations-count-ffffffff", writer.take());
    }
    {
        DeviceInfo info = camera_device_info();
        info.events_supported.assign(kMaxCodesInDeviceInfo + 1, event::object_added);
        seeds.write(d, "events-count-over-limit", encode_device_info(info));
    }
    {
        DataWriter writer;
        writer.u16(100);
        writer.u32(6);
        writer.u16(100);
        const std::uint16_t units[] = {'m', 's'};
        writer.raw_string_units(units, 255);
        seeds.write(d, "string-count-beyond-data", writer.take());
    }
    {
        DeviceInfo info = camera_device_info();
        info.manufacturer = "Kamera \U0001F3A5 Überwachung";
        info.serial_number = std::string(300, '9');
        seeds.write(d, "long-and-non-ascii-strings", encode_device_info(info));
    }

    const std::string s = "storage_info";
    const Bytes storage = encode_storage_info(camera_storage_info());
    seeds.write(s, "camera", storage);
    seeds.write(s, "empty", encode_storage_info(StorageInfo{}));
    StorageInfo full = camera_storage_info();
    full.max_capacity = full.free_space_bytes = ~0ull;
    seeds.write(s, "all-ones", encode_storage_info(full));
    for (const std::size_t size :
         {std::size_t{3}, std::size_t{26}, std::size_t{27}, storage.size() - 1}) {
        seeds.write(s, "truncated-at-" + std::to_string(size), first(storage, size));
    }
    Bytes lying = first(storage, 26);
    lying.push_back(std::byte{0xFF});
    seeds.write(s, "description-count-beyond-data", lying);

    const std::string o = "object_info";
    const Bytes object = encode_object_info(recording_info());
    seeds.write(o, "recording", object);
    seeds.write(o, "empty", encode_object_info(ObjectInfo{}));
    ObjectInfo large = recording_info();
    large.compressed_size = 0xFFFFFFFF;
    seeds.write(o, "size-4GiB-or-more", encode_object_info(large));
    ObjectInfo traversal = recording_info();
    traversal.filename = "../../../etc/cradled/cradled.toml";
    seeds.write(o, "path-traversal-name", encode_object_info(traversal));
    ObjectInfo long_name = recording_info();
    long_name.filename = std::string(260, 'n') + ".MP4";
    seeds.write(o, "name-254-units", encode_object_info(long_name));
    ObjectInfo bad_dates = recording_info();
    bad_dates.capture_date = "20261301T000000";
    bad_dates.modification_date = "yesterday";
    seeds.write(o, "unparseable-dates", encode_object_info(bad_dates));
    for (const std::size_t size :
         {std::size_t{1}, std::size_t{52}, std::size_t{60}, object.size() - 1}) {
        seeds.write(o, "truncated-at-" + std::to_string(size), first(object, size));
    }
    Bytes lying_name = first(object, 52);
    lying_name.push_back(std::byte{0xFF});
    lying_name.push_back(std::byte{'a'});
    lying_name.push_back(std::byte{0});
    seeds.write(o, "name-count-beyond-data", lying_name);
}

void write_text_seeds(SeedWriter& seeds) {
    const std::string t = "ptp_string";
    const auto units_seed = [&](const std::string& name, std::vector<std::uint16_t> units,
                                std::uint8_t declared) {
        DataWriter writer;
        writer.raw_string_units(units, declared);
        seeds.write(t, name, writer.take());
    };
    {
        DataWriter writer;
        writer.string("");
        seeds.write(t, "empty", writer.take());
    }
    {
        DataWriter writer;
        writer.string("BC-1 Überwachung 東京 \U0001F3A5");
        seeds.write(t, "mixed", writer.take());
    }
    units_seed("lone-high-surrogate", {'a', 0xD83C, 'b', 0}, 4);
    units_seed("lone-low-surrogate", {0xDFA5, 0}, 2);
    units_seed("high-surrogate-last", {'z', 0xD83C}, 2);
    units_seed("embedded-nul", {'a', 0, 'b', 0}, 4);
    units_seed("no-nul", {'a', 'b', 'c'}, 3);
    units_seed("255-units-no-nul", std::vector<std::uint16_t>(255, 0x6771), 255);
    units_seed("count-beyond-data", {'a', 0}, 255);
    units_seed("count-zero-with-units", {'a', 0}, 0);
    // Raw bytes for the writer's side of the target: invalid UTF-8.
    seeds.write(t, "invalid-utf8",
                Bytes{std::byte{0x03}, std::byte{0xC0}, std::byte{0xAF}, std::byte{0xED},
                      std::byte{0xA0}, std::byte{0x80}, std::byte{0xF4}, std::byte{0x90}});

    const std::string p = "prop_value";
    seeds.write(p, "battery-uint8",
                concat(u16_le(datatype::uint8), encode_prop_value(datatype::uint8, 87ull)));
    seeds.write(p, "uint16",
                concat(u16_le(datatype::uint16), encode_prop_value(datatype::uint16, 0xBEEFull)));
    seeds.write(
        p, "uint32",
        concat(u16_le(datatype::uint32), encode_prop_value(datatype::uint32, 0xDEADBEEFull)));
    seeds.write(p, "uint64",
                concat(u16_le(datatype::uint64), encode_prop_value(datatype::uint64, ~0ull)));
    seeds.write(p, "datetime-string",
                concat(u16_le(datatype::string),
                       encode_prop_value(datatype::string, std::string("20260315T101500"))));
    seeds.write(p, "truncated-uint32", concat(u16_le(datatype::uint32), Bytes(3, std::byte{1})));
    seeds.write(p, "unknown-type-int128", concat(u16_le(0x000A), Bytes(16, std::byte{1})));
    seeds.write(p, "array-of-uint8",
                concat(u16_le(datatype::array_flag | datatype::uint8), Bytes(8, std::byte{2})));
    seeds.write(p, "string-count-beyond-data",
                concat(u16_le(datatype::string), Bytes{std::byte{200}, std::byte{'2'}}));

    // The first byte picks the camera's zone: 28 is UTC, 30 is +01:00, 0 is -14:00.
    const std::string d = "datetime";
    seeds.write_text(d, "local", 28, "20260315T101500");
    seeds.write_text(d, "local-plus-1h", 30, "20260315T101500");
    seeds.write_text(d, "local-minus-14h", 0, "19700101T000000");
    seeds.write_text(d, "utc", 28, "20260315T101500Z");
    seeds.write_text(d, "offset-plus", 40, "20260315T101500+0200");
    seeds.write_text(d, "offset-minus", 40, "20260315T101500-0545");
    seeds.write_text(d, "tenths-and-zone", 28, "20260315T101500.7+1400");
    seeds.write_text(d, "leap-day", 28, "20240229T235959");
    seeds.write_text(d, "last-second", 56, "21991231T235959");
    seeds.write_text(d, "month-13", 28, "20261301T000000");
    seeds.write_text(d, "february-30", 28, "20260230T120000");
    seeds.write_text(d, "letters", 28, "2026O315T1015OO");
    seeds.write_text(d, "too-short", 28, "20260315T1015");
    seeds.write_text(d, "too-long", 28, "20260315T1015000");
    seeds.write_text(d, "offset-15h", 28, "20260315T101500+1500");
    seeds.write_text(d, "year-1969", 28, "19691231T235959");
    seeds.write_text(d, "second-60", 28, "20261231T235960");

    // The first byte picks the bound: even is GetStorageIDs (64), odd GetObjectHandles.
    const std::string h = "object_handles";
    const auto array_seed = [&](const std::string& name, std::uint8_t selector,
                                std::vector<std::uint32_t> values) {
        DataWriter writer;
        writer.u8(selector);
        writer.u32_array(values);
        seeds.write(h, name, writer.take());
    };
    array_seed("empty", 1, {});
    array_seed("three-handles", 1, {1, 2, 0xFFFFFFFF});
    array_seed("64-storage-ids", 0, std::vector<std::uint32_t>(kMaxStorageIds, 0x00010001));
    array_seed("65-storage-ids", 0, std::vector<std::uint32_t>(kMaxStorageIds + 1, 0x00010001));
    {
        DataWriter writer;
        writer.u8(1);
        writer.u32(0xFFFFFFFF);
        writer.u32(7);
        seeds.write(h, "count-ffffffff", writer.take());
    }
    {
        DataWriter writer;
        writer.u8(1);
        writer.u32(1'000'000);
        writer.u32(7);
        seeds.write(h, "a-million-handles-claimed", writer.take());
    }
    {
        DataWriter writer;
        writer.u8(1);
        writer.u32(3);
        writer.u32(7);
        writer.u16(8);
        seeds.write(h, "count-beyond-data", writer.take());
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " CORPUS_ROOT (tests/fuzz/corpus)\n";
        return 2;
    }
    try {
        SeedWriter seeds(argv[1]);
        write_container_seeds(seeds);
        write_dataset_seeds(seeds);
        write_text_seeds(seeds);
        std::cout << "wrote " << seeds.count() << " seeds under " << argv[1] << '\n';
    } catch (const std::exception& error) {
        std::cerr << "error: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
