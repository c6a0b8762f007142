// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/audit_journal.hpp"

#include "core/catalog/catalog_guard.hpp"

#include "common/read_file.hpp"
#include "common/text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <limits>
#include <system_error>

namespace cradle {

namespace {

// A row's text fields are bounded by the catalog (1 KiB of detail); escaped, a line stays far
// below this.
constexpr std::size_t kMaxLineBytes = 16 * 1024;
constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string escaped(std::string_view text) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f || c == '%') {
            out += '%';
            out += kDigits[byte >> 4];
            out += kDigits[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> unescaped(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        unsigned value = 0;
        auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
        if (ec != std::errc() || end != text.data() + i + 3) return std::nullopt;
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

template <typename Integer>
bool parse_integer(std::string_view text, Integer& out) {
    if (text.empty() || text.size() > 20) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

bool is_hash(std::string_view text) {
    return is_lower_hex(text, 64);
}

}  // namespace

std::string format_journal_line(const AuditRow& row) {
    // An unsigned entry (before the cradle had a key) keeps the v1 form.
    const bool is_signed = !row.signature_hex.empty() || !row.key_id.empty();
    std::string line = is_signed ? "v2\t" : "v1\t";
    line += std::to_string(row.seq) + '\t' + std::to_string(row.at) + '\t' + escaped(row.event) +
            '\t' + std::to_string(row.bay) + '\t' + escaped(row.device_serial) + '\t' +
            std::to_string(row.recording_id) + '\t' + escaped(row.detail) + '\t' +
            escaped(row.prev_hash_hex) + '\t' + escaped(row.hash_hex);
    if (is_signed) line += '\t' + escaped(row.key_id) + '\t' + escaped(row.signature_hex);
    line += '\n';
    return line;
}

std::optional<AuditRow> parse_journal_line(std::string_view line, std::string& error) {
    if (line.size() > kMaxLineBytes) {
        error = "longer than an audit entry can be";
        return std::nullopt;
    }
    std::vector<std::string_view> fields;
    std::size_t at = 0;
    for (;;) {
        std::size_t tab = line.find('\t', at);
        fields.push_back(line.substr(at, tab == std::string_view::npos ? tab : tab - at));
        if (tab == std::string_view::npos) break;
        at = tab + 1;
    }
    const bool v1 = fields.size() == 10 && fields[0] == "v1";
    const bool v2 = fields.size() == 12 && fields[0] == "v2";
    if (!v1 && !v2) {
        error = "neither a v1 line of 10 nor a v2 line of 12 tab-separated fields";
        return std::nullopt;
    }
    if (v2 && (!is_lower_hex(fields[10], 16) || !is_lower_hex(fields[11], 128))) {
        error = "its key id or signature is not valid";
        return std::nullopt;
    }
    AuditRow row;
    auto event = unescaped(fields[3]);
    auto serial = unescaped(fields[5]);
    auto detail = unescaped(fields[7]);
    if (!parse_integer(fields[1], row.seq) || row.seq <= 0 || !parse_integer(fields[2], row.at) ||
        !parse_integer(fields[4], row.bay) || !parse_integer(fields[6], row.recording_id) ||
        !event || !serial || !detail || !is_hash(fields[8]) || !is_hash(fields[9])) {
        error = "a field is not valid";
        return std::nullopt;
    }
    row.event = std::move(*event);
    row.device_serial = std::move(*serial);
    row.detail = std::move(*detail);
    row.prev_hash_hex = std::string(fields[8]);
    row.hash_hex = std::string(fields[9]);
    if (v2) {
        row.key_id = std::string(fields[10]);
        row.signature_hex = std::string(fields[11]);
    }
    return row;
}

JournalContents read_journal(const std::filesystem::path& file) {
    JournalContents contents;
    std::string text;
    try {
        // The journal grows with the archive's life and is read whole only by a rebuild or a
        // verification: no limit but the memory.
        text = read_whole_file(file, std::numeric_limits<std::size_t>::max());
    } catch (const ReadFileError& error) {
        if (error.kind() == ReadFileError::Kind::cannot_open &&
            (error.error() == ENOENT || error.error() == ENOTDIR)) {
            return contents;
        }
        throw std::system_error(error.error() != 0 ? error.error() : EIO, std::generic_category(),
                                "reading " + file.string());
    }
    contents.exists = true;
    std::size_t at = 0;
    std::size_t number = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) {
            contents.torn_tail = true;
            break;
        }
        ++number;
        std::string error;
        auto row = parse_journal_line(std::string_view(text).substr(at, end - at), error);
        if (row) {
            contents.rows.push_back(std::move(*row));
        } else {
            contents.problems.push_back("archive/audit.journal line " + std::to_string(number) +
                                        ": " + error);
        }
        at = end + 1;
        contents.complete_bytes = at;
    }
    return contents;
}

std::size_t check_journal_chain(const std::vector<AuditRow>& rows,
                                std::vector<std::string>& problems) {
    std::string previous_hash(kGenesis);
    std::int64_t previous_seq = 0;
    std::size_t intact = 0;
    bool broken = false;
    for (const AuditRow& row : rows) {
        const std::string label = "archive/audit.journal entry " + std::to_string(row.seq);
        std::string problem;
        if (row.seq != previous_seq + 1) {
            problem = label + ": follows entry " + std::to_string(previous_seq) +
                      "; entries in between are missing";
        } else if (row.prev_hash_hex != previous_hash) {
            problem = label + ": does not link to the entry before it";
        } else if (Catalog::audit_hash(row) != row.hash_hex) {
            problem = label + ": its hash does not recompute; the entry was altered";
        }
        if (!problem.empty()) {
            problems.push_back(problem);
            broken = true;
        } else if (!broken) {
            ++intact;
        }
        previous_hash = row.hash_hex;
        previous_seq = row.seq;
    }
    return intact;
}

AuditJournal::AuditJournal(FileSystem& fs, std::filesystem::path archive_root)
    : fs_(fs),
      archive_root_(std::move(archive_root)),
      file_(archive_root_ / std::string(kAuditJournalName)) {}

void AuditJournal::catch_up(const std::vector<AuditRow>& catalog_rows) {
    fs_.make_directories(archive_root_);
    JournalContents journal = read_journal(file_);
    // The catalog must hold every journalled entry alike: the journal is written only after its
    // entry committed, so a journal entry the catalog lacks (or holds differently) means the
    // catalog is not the one the archive was written with.
    for (const AuditRow& row : journal.rows) {
        const auto index = static_cast<std::size_t>(row.seq - 1);
        if (index >= catalog_rows.size() || catalog_rows[index].seq != row.seq) {
            throw CatalogBehindArchive("the archive's audit journal holds entry " +
                                       std::to_string(row.seq) + ", which the catalog lacks");
        }
        if (catalog_rows[index].hash_hex != row.hash_hex ||
            catalog_rows[index].signature_hex != row.signature_hex) {
            throw CatalogBehindArchive("the catalog's audit entry " + std::to_string(row.seq) +
                                       " differs from the archive's audit journal");
        }
    }
    if (journal.torn_tail) {
        // What follows the last complete line is part of a line whose write was cut short (a
        // crash or an I/O error during an append). Its entry committed in the catalog before
        // it was journalled, and the catalog was just checked to hold every complete line, so
        // the lines appended below from the catalog replace it: no entry is lost by cutting it.
        if (::truncate(file_.c_str(), static_cast<off_t>(journal.complete_bytes)) != 0) {
            throw std::system_error(errno, std::generic_category(),
                                    "cutting the torn last line of " + file_.string());
        }
    }
    last_seq_ = journal.last_seq();
    std::string text;
    for (const AuditRow& row : catalog_rows) {
        if (row.seq > last_seq_) text += format_journal_line(row);
    }
    if (!journal.exists || !text.empty()) write_lines(text);
    if (!catalog_rows.empty()) last_seq_ = std::max(last_seq_, catalog_rows.back().seq);
    broken_ = false;
}

std::optional<std::string> AuditJournal::append(const std::vector<AuditRow>& rows) noexcept {
    if (broken_) return std::string("an earlier write of the journal failed");
    try {
        std::string text;
        std::int64_t last = last_seq_;
        for (const AuditRow& row : rows) {
            // A row already journalled (never expected) is not written twice.
            if (row.seq <= last) continue;
            text += format_journal_line(row);
            last = row.seq;
        }
        if (text.empty()) return std::nullopt;
        write_lines(text);
        last_seq_ = last;
        return std::nullopt;
    } catch (const std::exception& error) {
        broken_ = true;
        return std::string(error.what());
    }
}

void AuditJournal::write_lines(const std::string& text) {
    Fd out = fs_.open(file_, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (!text.empty()) {
        fs_.write_all(out, std::as_bytes(std::span(text.data(), text.size())));
    }
    fs_.fsync(out);
    if (!entry_durable_) {
        // The file may just have been created: its directory entry must be durable too.
        fs_.fsync_directory(archive_root_);
        entry_durable_ = true;
    }
}

}  // namespace cradle
