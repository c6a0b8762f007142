// SPDX-License-Identifier: Apache-2.0
#include "core/remote/s3_client.hpp"

#include "common/sha256.hpp"
#include "core/remote/xml_tree.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

namespace cradle::remote {

namespace {

constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// An answer other than an object's content is a short XML document; a longer one is refused.
constexpr std::size_t kMaxAnswerBytes = 16u << 20;
// Signature Version 4 accepts a request time within 15 minutes of the store's.
constexpr std::time_t kMaxClockSkewSeconds = 15 * 60;

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct FreeEasy {
    void operator()(CURL* curl) const noexcept { curl_easy_cleanup(curl); }
};
struct FreeList {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                             text.back() == '\n')) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

bool printable_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// A body held in memory, read out as a streamed one.
BodyReader reader_of(std::span<const std::byte> body) {
    return [body, offset = std::size_t{0}](std::span<std::byte> out) mutable {
        const auto n = std::min(out.size(), body.size() - offset);
        std::memcpy(out.data(), body.data() + offset, n);
        offset += n;
        return n;
    };
}

// Percent-encodes everything but unreserved characters ("/" too), as the signature's canonical
// query string has it.
std::string url_escape(std::string_view text) {
    if (text.empty()) return {};  // curl takes a length of 0 as "use strlen"
    char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
    if (escaped == nullptr) throw std::bad_alloc();
    std::string out(escaped);
    curl_free(escaped);
    return out;
}

std::string_view lock_mode_name(LockMode mode) {
    return mode == LockMode::compliance ? "COMPLIANCE" : "GOVERNANCE";
}

std::string unquote(std::string text) {
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
        return text.substr(1, text.size() - 2);
    }
    return text;
}

std::uint64_t parse_size(const std::string& text, const char* what) {
    if (text.empty() || text.size() > 19 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw S3Error(S3Error::Kind::bad_answer, 0, {},
                      std::string("the store's answer has no valid ") + what);
    }
    return std::stoull(text);
}

}  // namespace

S3Error::S3Error(Kind kind, long http_status, std::string code, const std::string& message)
    : std::runtime_error(message), kind_(kind), http_status_(http_status), code_(std::move(code)) {}

struct S3Client::Request {
    std::string method;
    std::string url;
    std::vector<std::string> headers;
    std::span<const std::byte> body;
    // A streamed body instead: `body_size` bytes from the reader.
    const BodyReader* reader = nullptr;
    std::uint64_t body_size = 0;
    std::string payload_sha256;  // hex, or empty for UNSIGNED-PAYLOAD
    // Where the answer's body goes; when unset, it is collected (bounded) in Response::body.
    const std::function<void(std::span<const std::byte>)>* sink = nullptr;
    bool head = false;
};

struct S3Client::Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

namespace {

struct Transfer {
    const BodyReader* reader = nullptr;
    std::exception_ptr reader_error;  // what the reader threw, passed on after curl returns
    std::string* answer = nullptr;
    const std::function<void(std::span<const std::byte>)>* sink = nullptr;
    std::map<std::string, std::string>* headers = nullptr;
    bool too_long = false;
    const std::atomic<bool>* cancelled = nullptr;
    bool error_status = false;
};

std::size_t read_body(char* out, std::size_t size, std::size_t count, void* data) {
    auto& t = *static_cast<Transfer*>(data);
    try {
        return (*t.reader)(std::span(reinterpret_cast<std::byte*>(out), size * count));
    } catch (...) {
        t.reader_error = std::current_exception();
        return CURL_READFUNC_ABORT;
    }
}

std::size_t write_answer(char* in, std::size_t size, std::size_t count, void* data) {
    auto& t = *static_cast<Transfer*>(data);
    const auto n = size * count;
    if (t.sink != nullptr && !t.error_status) {
        (*t.sink)(std::span(reinterpret_cast<const std::byte*>(in), n));
        return n;
    }
    if (t.answer->size() + n > kMaxAnswerBytes) {
        t.too_long = true;
        return 0;  // curl stops with CURLE_WRITE_ERROR
    }
    t.answer->append(in, n);
    return n;
}

std::size_t read_header(char* in, std::size_t size, std::size_t count, void* data) {
    auto& t = *static_cast<Transfer*>(data);
    const std::string_view line(in, size * count);
    if (line.starts_with("HTTP/")) {
        t.headers->clear();  // a new response (after a 100 Continue)
        const auto space = line.find(' ');
        t.error_status = space != std::string_view::npos && line.size() > space + 1 &&
                         line[space + 1] != '1' && line[space + 1] != '2';
        return size * count;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && t.headers->size() < 200) {
        (*t.headers)[lower(line.substr(0, colon))] = trim(line.substr(colon + 1));
    }
    return size * count;
}

int on_progress(void* data, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto& t = *static_cast<Transfer*>(data);
    return t.cancelled->load() ? 1 : 0;
}

}  // namespace

S3Client::S3Client(S3Options options, S3Credentials credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)) {
    global_init_once();
    while (!options_.endpoint.empty() && options_.endpoint.back() == '/') {
        options_.endpoint.pop_back();
    }
}

S3Client::~S3Client() = default;

bool S3Client::valid_key(std::string_view key) {
    if (key.empty() || key.size() > 1024 || key.front() == '/') return false;
    const bool chars_ok = std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '-' || c == '_' || c == '.';
    });
    if (!chars_ok) return false;
    std::size_t start = 0;
    while (start <= key.size()) {
        auto end = key.find('/', start);
        if (end == std::string_view::npos) end = key.size();
        const auto segment = key.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") return false;
        start = end + 1;
    }
    return true;
}

std::string S3Client::object_url(std::string_view key, std::string_view query) const {
    std::string url = options_.endpoint + "/" + options_.bucket;
    if (!key.empty()) {
        if (!valid_key(key)) {
            throw S3Error(
                S3Error::Kind::transport, 0, {},
                "refused to use an object key outside [A-Za-z0-9/_.-]: " + std::string(key));
        }
        url += "/";
        url += key;
    }
    if (!query.empty()) {
        url += "?";
        url += query;
    }
    return url;
}

S3Client::Response S3Client::perform(Request& request) {
    std::unique_ptr<CURL, FreeEasy> curl(curl_easy_init());
    if (!curl) throw S3Error(S3Error::Kind::transport, 0, {}, "cannot start a curl transfer");
    Response response;
    Transfer transfer;
    // A body held in memory (an XML document) is read out like a streamed one.
    const BodyReader in_memory = reader_of(request.body);
    transfer.reader = request.reader != nullptr ? request.reader : &in_memory;
    const std::uint64_t body_size = request.reader ? request.body_size : request.body.size();
    transfer.answer = &response.body;
    transfer.sink = request.sink;
    transfer.headers = &response.headers;
    transfer.cancelled = &cancelled_;

    std::unique_ptr<curl_slist, FreeList> headers;
    auto add_header = [&headers](const std::string& line) {
        curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
        if (grown == nullptr) throw std::bad_alloc();
        (void)headers.release();
        headers.reset(grown);
    };
    add_header("x-amz-content-sha256: " + (request.payload_sha256.empty()
                                               ? std::string(kUnsignedPayload)
                                               : request.payload_sha256));
    for (const auto& h : request.headers) add_header(h);
    // No "Expect:" line to switch off 100-continue: libcurl 7.88 would sign the header it does
    // not send, and the store would refuse every request.

    const std::string sigv4 = "aws:amz:" + options_.region + ":s3";
    const std::string userpwd = credentials_.access_key + ":" + credentials_.secret_key;
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    if (options_.max_send_bytes_per_second > 0) {
        curl_easy_setopt(c, CURLOPT_MAX_SEND_SPEED_LARGE,
                         static_cast<curl_off_t>(options_.max_send_bytes_per_second));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_answer);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);

    if (request.head) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
        // A known length: the store refuses a chunked upload (411).
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_size));
        curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 1L << 20);
    } else if (request.method == "POST") {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
        curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_size));
    } else if (request.method != "GET") {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    const CURLcode result = curl_easy_perform(c);
    if (transfer.reader_error) std::rethrow_exception(transfer.reader_error);
    if (result != CURLE_OK) {
        if (transfer.too_long) {
            throw S3Error(S3Error::Kind::bad_answer, 0, {},
                          "the store's answer to " + request.method + " is too long");
        }
        const bool cancelled = result == CURLE_ABORTED_BY_CALLBACK;
        throw S3Error(S3Error::Kind::transport, 0, cancelled ? "Cancelled" : "",
                      request.method + " " + request.url + ": " +
                          (cancelled ? "cancelled" : curl_easy_strerror(result)));
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    if (response.status < 200 || response.status >= 300) {
        std::string code;
        std::string message;
        try {
            if (!response.body.empty()) {
                const auto error = parse_xml(response.body);
                code = error.child_text("Code");
                message = error.child_text("Message");
            }
        } catch (const XmlError&) {
            // An answer that is not the S3 error document: the status says enough.
        }
        if (!printable_ascii(code) || code.size() > 64) code.clear();
        std::string text =
            request.method + " " + request.url + ": HTTP " + std::to_string(response.status);
        // A refused HEAD has no body to name its reason. A store whose clock (its Date header)
        // is more than 15 minutes from ours refuses every signature for that reason alone.
        if (code.empty() && response.status == 403) {
            const auto date = response.headers.find("date");
            const std::time_t theirs =
                date == response.headers.end() ? -1 : curl_getdate(date->second.c_str(), nullptr);
            if (theirs != -1 && std::abs(theirs - std::time(nullptr)) > kMaxClockSkewSeconds) {
                code = "RequestTimeTooSkewed";
                message = "the store's clock says " + date->second;
            }
        }
        if (!code.empty()) text += " " + code;
        if (!message.empty() && printable_ascii(message) && message.size() < 300) {
            text += " (" + message + ")";
        }
        throw S3Error(S3Error::Kind::refused, response.status, code, text);
    }
    return response;
}

void S3Client::create_bucket(bool object_lock) {
    Request request;
    request.method = "PUT";
    request.url = object_url({}, {});
    if (object_lock) request.headers.push_back("x-amz-bucket-object-lock-enabled: true");
    request.payload_sha256 = Sha256::hex_of("");
    try {
        perform(request);
    } catch (const S3Error& e) {
        if (e.code() != "BucketAlreadyOwnedByYou") throw;
    }
}

namespace {

std::vector<std::string> metadata_headers(const ObjectMetadata& metadata) {
    std::vector<std::string> headers;
    for (const auto& [name, value] : metadata) {
        // libcurl 7.88 orders the signed headers as whole "name:value" lines, so "a-b" would
        // sort before "a" and the store's signature would differ: such pairs are refused.
        const auto longer = metadata.lower_bound(name + "-");
        if (longer != metadata.end() && longer->first.starts_with(name + "-")) {
            throw S3Error(S3Error::Kind::transport, 0, {},
                          "refused to send object metadata \"" + name + "\" beside \"" +
                              longer->first + "\": one name may not begin with another and '-'");
        }
        const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        });
        if (!name_ok || !printable_ascii(value)) {
            throw S3Error(S3Error::Kind::transport, 0, {},
                          "refused to send object metadata \"" + name +
                              "\": names are [a-z0-9-], values printable ASCII");
        }
        headers.push_back("x-amz-meta-" + name + ": " + value);
    }
    return headers;
}

ObjectMetadata metadata_of(const std::map<std::string, std::string>& headers) {
    ObjectMetadata metadata;
    constexpr std::string_view prefix = "x-amz-meta-";
    for (const auto& [name, value] : headers) {
        if (name.starts_with(prefix)) metadata[name.substr(prefix.size())] = value;
    }
    return metadata;
}

std::string version_query(std::string_view version_id) {
    // Version ids are opaque; RGW's are [A-Za-z0-9._-], which needs no escaping. Anything else
    // is refused rather than sent.
    const bool ok = std::all_of(version_id.begin(), version_id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
    if (!ok || version_id.size() > 1024) {
        throw S3Error(S3Error::Kind::bad_answer, 0, {}, "the store gave an unusable version id");
    }
    return std::string(version_id);
}

std::string upload_id_query(std::string_view upload_id) {
    // Upload ids are opaque too; RGW's are [A-Za-z0-9._~-].
    const bool ok = !upload_id.empty() && upload_id.size() <= 1024 &&
                    std::all_of(upload_id.begin(), upload_id.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
                               c == '~';
                    });
    if (!ok)
        throw S3Error(S3Error::Kind::bad_answer, 0, {}, "the store gave an unusable upload id");
    return std::string(upload_id);
}

}  // namespace

StoredObject S3Client::put_object(std::string_view key, std::span<const std::byte> body,
                                  std::string_view sha256_hex, const ObjectMetadata& metadata,
                                  const std::optional<Retention>& retention, bool legal_hold) {
    return put_object(key, reader_of(body), body.size(), sha256_hex, metadata, retention,
                      legal_hold);
}

StoredObject S3Client::put_object(std::string_view key, const BodyReader& body, std::uint64_t size,
                                  std::string_view sha256_hex, const ObjectMetadata& metadata,
                                  const std::optional<Retention>& retention, bool legal_hold) {
    Request request;
    request.method = "PUT";
    request.url = object_url(key, {});
    request.reader = &body;
    request.body_size = size;
    request.payload_sha256 = std::string(sha256_hex);
    request.headers = metadata_headers(metadata);
    request.headers.push_back("Content-Type: application/octet-stream");
    if (retention) {
        request.headers.push_back("x-amz-object-lock-mode: " +
                                  std::string(lock_mode_name(retention->mode)));
        request.headers.push_back("x-amz-object-lock-retain-until-date: " +
                                  retention->retain_until);
    }
    if (legal_hold) request.headers.push_back("x-amz-object-lock-legal-hold: ON");
    const auto response = perform(request);
    StoredObject stored;
    stored.key = std::string(key);
    stored.size = size;
    stored.etag = unquote(response.headers.count("etag") ? response.headers.at("etag") : "");
    if (auto v = response.headers.find("x-amz-version-id"); v != response.headers.end()) {
        stored.version_id = v->second;
    }
    stored.metadata = metadata;
    return stored;
}

std::optional<StoredObject> S3Client::head_object(std::string_view key) {
    Request request;
    request.method = "HEAD";
    request.head = true;
    request.url = object_url(key, {});
    Response response;
    try {
        response = perform(request);
    } catch (const S3Error& e) {
        if (e.http_status() == 404) return std::nullopt;
        throw;
    }
    StoredObject stored;
    stored.key = std::string(key);
    stored.size = parse_size(response.headers["content-length"], "Content-Length");
    stored.etag = unquote(response.headers["etag"]);
    stored.version_id = response.headers["x-amz-version-id"];
    stored.metadata = metadata_of(response.headers);
    return stored;
}

void S3Client::get_object(std::string_view key, std::string_view version_id,
                          const std::function<void(std::span<const std::byte>)>& sink) {
    Request request;
    request.method = "GET";
    request.url = object_url(
        key, version_id.empty() ? std::string() : "versionId=" + version_query(version_id));
    request.sink = &sink;
    perform(request);
}

std::string S3Client::create_multipart_upload(std::string_view key,
                                              const ObjectMetadata& metadata) {
    Request request;
    request.method = "POST";
    request.url = object_url(key, "uploads=");
    request.headers = metadata_headers(metadata);
    // Otherwise curl's POST names a form type, which the store keeps as the object's type.
    request.headers.push_back("Content-Type: application/octet-stream");
    request.payload_sha256 = Sha256::hex_of("");
    const auto response = perform(request);
    const auto upload_id = parse_xml(response.body).child_text("UploadId");
    return upload_id_query(upload_id);
}

std::string S3Client::upload_part(std::string_view key, std::string_view upload_id, int part_number,
                                  std::span<const std::byte> body, std::string_view sha256_hex) {
    return upload_part(key, upload_id, part_number, reader_of(body), body.size(), sha256_hex);
}

std::string S3Client::upload_part(std::string_view key, std::string_view upload_id, int part_number,
                                  const BodyReader& body, std::uint64_t size,
                                  std::string_view sha256_hex) {
    if (part_number < 1 || part_number > 10'000) {
        throw S3Error(S3Error::Kind::transport, 0, {}, "part numbers run from 1 to 10000");
    }
    Request request;
    request.method = "PUT";
    request.url = object_url(key, "partNumber=" + std::to_string(part_number) +
                                      "&uploadId=" + upload_id_query(upload_id));
    request.reader = &body;
    request.body_size = size;
    request.payload_sha256 = std::string(sha256_hex);
    const auto response = perform(request);
    const auto etag = response.headers.find("etag");
    if (etag == response.headers.end()) {
        throw S3Error(S3Error::Kind::bad_answer, response.status, {},
                      "the store stored a part without naming its ETag");
    }
    return unquote(etag->second);
}

std::vector<StoredPart> S3Client::list_parts(std::string_view key, std::string_view upload_id) {
    std::vector<StoredPart> parts;
    std::string marker;
    for (int page = 0; page < 100; ++page) {
        Request request;
        request.method = "GET";
        std::string query = "max-parts=1000";
        if (!marker.empty()) query += "&part-number-marker=" + marker;
        query += "&uploadId=" + upload_id_query(upload_id);
        request.url = object_url(key, query);
        const auto answer = parse_xml(perform(request).body);
        for (const auto* part : answer.children_named("Part")) {
            StoredPart p;
            const auto number = parse_size(part->child_text("PartNumber"), "part number");
            if (number < 1 || number > 10'000) {
                throw S3Error(S3Error::Kind::bad_answer, 0, {}, "a part number out of range");
            }
            p.number = static_cast<int>(number);
            p.size = parse_size(part->child_text("Size"), "part size");
            p.etag = unquote(part->child_text("ETag"));
            parts.push_back(std::move(p));
        }
        if (answer.child_text("IsTruncated") != "true") break;
        marker = std::to_string(
            parse_size(answer.child_text("NextPartNumberMarker"), "next part marker"));
    }
    std::sort(parts.begin(), parts.end(),
              [](const StoredPart& a, const StoredPart& b) { return a.number < b.number; });
    return parts;
}

StoredObject S3Client::complete_multipart_upload(std::string_view key, std::string_view upload_id,
                                                 const std::vector<StoredPart>& parts) {
    std::string xml = "<CompleteMultipartUpload>";
    for (const auto& p : parts) {
        xml += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>\"" +
               xml_escape(p.etag) + "\"</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    Request request;
    request.method = "POST";
    request.url = object_url(key, "uploadId=" + upload_id_query(upload_id));
    request.body = std::as_bytes(std::span(xml));
    request.payload_sha256 = Sha256::hex_of(xml);
    request.headers.push_back("Content-Type: application/xml");
    const auto response = perform(request);
    // A 200 may still carry an <Error> (the store failed after it began answering).
    const auto answer = parse_xml(response.body);
    if (answer.name == "Error") {
        throw S3Error(S3Error::Kind::refused, response.status, answer.child_text("Code"),
                      "completing the upload of " + std::string(key) +
                          " failed: " + answer.child_text("Message"));
    }
    StoredObject stored;
    stored.key = std::string(key);
    stored.etag = unquote(answer.child_text("ETag"));
    if (auto v = response.headers.find("x-amz-version-id"); v != response.headers.end()) {
        stored.version_id = v->second;
    }
    for (const auto& p : parts) stored.size += p.size;
    return stored;
}

void S3Client::abort_multipart_upload(std::string_view key, std::string_view upload_id) {
    Request request;
    request.method = "DELETE";
    request.url = object_url(key, "uploadId=" + upload_id_query(upload_id));
    perform(request);
}

void S3Client::put_subresource(std::string_view key, std::string_view version_id,
                               std::string_view subresource, const std::string& xml) {
    Request request;
    request.method = "PUT";
    std::string query = std::string(subresource) + "=";
    if (!version_id.empty()) query += "&versionId=" + version_query(version_id);
    request.url = object_url(key, query);
    request.body = std::as_bytes(std::span(xml));
    request.payload_sha256 = Sha256::hex_of(xml);
    request.headers.push_back("Content-Type: application/xml");
    perform(request);
}

void S3Client::put_retention(std::string_view key, std::string_view version_id,
                             const Retention& retention) {
    put_subresource(key, version_id, "retention",
                    "<Retention><Mode>" + std::string(lock_mode_name(retention.mode)) +
                        "</Mode><RetainUntilDate>" + xml_escape(retention.retain_until) +
                        "</RetainUntilDate></Retention>");
}

std::optional<Retention> S3Client::get_retention(std::string_view key,
                                                 std::string_view version_id) {
    Request request;
    request.method = "GET";
    std::string query = "retention=";
    if (!version_id.empty()) query += "&versionId=" + version_query(version_id);
    request.url = object_url(key, query);
    Response response;
    try {
        response = perform(request);
    } catch (const S3Error& e) {
        // No retention on the version: RGW says ObjectLockConfigurationNotFoundError, S3
        // NoSuchObjectLockConfiguration, both with 404.
        if (e.kind() == S3Error::Kind::refused && e.http_status() == 404) return std::nullopt;
        throw;
    }
    const auto answer = parse_xml(response.body);
    Retention retention;
    const auto mode = answer.child_text("Mode");
    if (mode == "COMPLIANCE") {
        retention.mode = LockMode::compliance;
    } else if (mode == "GOVERNANCE") {
        retention.mode = LockMode::governance;
    } else {
        throw S3Error(S3Error::Kind::bad_answer, response.status, {},
                      "the store named an unknown retention mode");
    }
    retention.retain_until = answer.child_text("RetainUntilDate");
    return retention;
}

void S3Client::put_legal_hold(std::string_view key, std::string_view version_id, bool on) {
    put_subresource(
        key, version_id, "legal-hold",
        std::string("<LegalHold><Status>") + (on ? "ON" : "OFF") + "</Status></LegalHold>");
}

// Never called by the service: a recording in the central archive is kept by the store's
// COMPLIANCE retention, which refuses this request for any locked version (I2), and the tests
// use it to show exactly that refusal.
void S3Client::delete_object(std::string_view key, std::string_view version_id) {
    Request request;
    request.method = "DELETE";
    request.url = object_url(
        key, version_id.empty() ? std::string() : "versionId=" + version_query(version_id));
    perform(request);
}

std::vector<StoredObject> S3Client::list_objects(std::string_view prefix) {
    if (!prefix.empty() &&
        !valid_key(prefix.back() == '/' ? prefix.substr(0, prefix.size() - 1) : prefix)) {
        throw S3Error(S3Error::Kind::transport, 0, {},
                      "refused to list a prefix outside [A-Za-z0-9/_.-]: " + std::string(prefix));
    }
    std::vector<StoredObject> objects;
    std::string token;
    for (int page = 0; page < 100'000; ++page) {
        // Query parameters in sorted order, as the signature needs them.
        std::string query;
        if (!token.empty()) query += "continuation-token=" + url_escape(token) + "&";
        query += "list-type=2&max-keys=1000&prefix=" + url_escape(prefix);
        Request request;
        request.method = "GET";
        request.url = object_url({}, query);
        const auto answer = parse_xml(perform(request).body);
        for (const auto* content : answer.children_named("Contents")) {
            StoredObject o;
            o.key = content->child_text("Key");
            o.size = parse_size(content->child_text("Size"), "object size");
            o.etag = unquote(content->child_text("ETag"));
            objects.push_back(std::move(o));
        }
        if (answer.child_text("IsTruncated") != "true") break;
        token = answer.child_text("NextContinuationToken");
        if (token.empty()) {
            throw S3Error(S3Error::Kind::bad_answer, 0, {},
                          "the store's listing is truncated without a continuation token");
        }
    }
    return objects;
}

}  // namespace cradle::remote
