// SPDX-License-Identifier: Apache-2.0
// evp_test stanza reader: blank-line separated `Key = Value` groups, # comments.
#include "vector_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace acrypto::test {

namespace {

std::string trim(const std::string &s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

bool iequal(const std::string &a, const std::string &b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_meta(const std::string &k) {
    return iequal(k, "Title") || iequal(k, "Availablein") || iequal(k, "FIPSversion");
}

const std::string kEmpty;

} // namespace

const std::string &Stanza::type() const {
    for (const auto &[k, v] : kv)
        if (!is_meta(k)) return k;
    return kEmpty;
}

const std::string &Stanza::type_value() const {
    for (const auto &[k, v] : kv)
        if (!is_meta(k)) return v;
    return kEmpty;
}

std::optional<std::string> Stanza::get(const std::string &k) const {
    for (const auto &[key, v] : kv)
        if (iequal(key, k)) return v;
    return std::nullopt;
}

Bytes Stanza::bytes(const std::string &k) const {
    auto v = get(k);
    if (!v) return {};
    const std::string &s = *v;
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"')
        return Bytes(s.begin() + 1, s.end() - 1);
    return from_hex(s);
}

Bytes Stanza::repeated(const std::string &k) const {
    Bytes one = bytes(k);
    auto n = get("Ncopy");
    if (!n) return one;
    const size_t count = std::stoull(*n);
    // Bounded so a hostile count can neither wrap the size product nor exhaust memory.
    constexpr size_t kMaxRepeated = size_t{256} << 20;
    if (!one.empty() && count > kMaxRepeated / one.size())
        throw std::out_of_range(where() + ": Ncopy " + *n + " repeats beyond 256 MiB");
    Bytes out(one.size() * count);
    if (out.empty()) return out;
    // Copy the filled prefix onto the rest, doubling each time (log2(count) copies).
    std::memcpy(out.data(), one.data(), one.size());
    for (size_t done = one.size(); done < out.size();) {
        const size_t chunk = std::min(done, out.size() - done);
        std::memcpy(out.data() + done, out.data(), chunk);
        done += chunk;
    }
    return out;
}

std::vector<Stanza> parse_vectors(const std::string &text, const std::string &name,
                                  std::string *err) {
    std::vector<Stanza> out;
    std::istringstream in(text);
    std::string raw;
    int lineno = 0;
    Stanza cur;
    auto flush = [&] {
        if (!cur.kv.empty()) out.push_back(std::move(cur));
        cur = Stanza{};
    };
    while (std::getline(in, raw)) {
        ++lineno;
        std::string line = trim(raw);
        if (line.empty()) {
            flush();
            continue;
        }
        if (line[0] == '#') continue;
        if (line.rfind("-----BEGIN", 0) == 0) {
            // A PEM block (evp_test key definitions): kept whole under the key "PEM".
            std::string pem = line + "\n";
            bool closed = false;
            while (!closed && std::getline(in, raw)) {
                ++lineno;
                std::string l = trim(raw);
                pem += l + "\n";
                closed = l.rfind("-----END", 0) == 0;
            }
            if (!closed) {
                if (err) *err = name + ":" + std::to_string(lineno) + ": unterminated PEM block";
                return {};
            }
            if (cur.kv.empty()) {
                cur.file = name;
                cur.line = lineno;
            }
            cur.kv.emplace_back("PEM", std::move(pem));
            continue;
        }
        size_t eq = line.find('=');
        if (eq == std::string::npos) {
            if (err) *err = name + ":" + std::to_string(lineno) + ": expected 'Key = Value'";
            return {};
        }
        std::string k = trim(line.substr(0, eq));
        std::string v = trim(line.substr(eq + 1));
        if (k.empty()) {
            if (err) *err = name + ":" + std::to_string(lineno) + ": empty key";
            return {};
        }
        if (cur.kv.empty()) {
            cur.file = name;
            cur.line = lineno;
        }
        if (iequal(k, "Title")) cur.title = v;
        cur.kv.emplace_back(std::move(k), std::move(v));
    }
    flush();
    return out;
}

std::vector<Stanza> read_vector_file(const std::string &path, std::string *err) {
    std::ifstream f(path);
    if (!f) {
        if (err) *err = "cannot open " + path;
        return {};
    }
    std::stringstream ss;
    ss << f.rdbuf();
    std::string base = path.substr(path.find_last_of('/') + 1);
    return parse_vectors(ss.str(), base, err);
}

} // namespace acrypto::test
