// SPDX-License-Identifier: Apache-2.0
// Device conformance suite: .conf loading, vector loading, capability matching, the fixture.
#include "conformance.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace acrypto::test::conformance {

namespace fs = std::filesystem;

namespace {

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string upper(std::string s) {
    for (char &c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

} // namespace

DeviceConf parse_device_conf(const std::string &path) {
    DeviceConf d;
    d.file = path;
    d.name = fs::path(path).stem().string();
    std::ifstream in(path);
    if (!in) {
        d.error = "cannot read " + path;
        return d;
    }
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        line = trim(line);
        if (line.empty() || line[0] == '#') continue;
        size_t eq = line.find('=');
        if (eq == std::string::npos) {
            d.error = path + ":" + std::to_string(n) + ": expected 'key = value'";
            return d;
        }
        std::string k = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
        try {
            if (k == "plugin") {
                d.plugin = (fs::path(ACRYPTO_TEST_PLUGIN_DIR) / v).string();
            } else if (k == "driver") {
                d.driver = v;
            } else if (k == "conformance.max-bytes") {
                d.max_bytes = std::stoull(v);
            } else if (k == "conformance.burst") {
                d.burst = static_cast<uint32_t>(std::stoul(v));
            } else if (k == "conformance.index") {
                d.index = static_cast<uint32_t>(std::stoul(v));
            } else {
                d.cfg.emplace_back(k, v);
            }
        } catch (const std::exception &) {
            d.error = path + ":" + std::to_string(n) + ": bad number for " + k;
            return d;
        }
    }
    if (d.plugin.empty()) d.error = path + ": no 'plugin =' line";
    return d;
}

std::vector<DeviceConf> load_device_confs() {
    std::vector<DeviceConf> out;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(ACRYPTO_TEST_DEVICE_DIR, ec))
        if (e.is_regular_file() && e.path().extension() == ".conf")
            out.push_back(parse_device_conf(e.path().string()));
    std::sort(out.begin(), out.end(),
              [](const DeviceConf &a, const DeviceConf &b) { return a.name < b.name; });
    return out;
}

const std::vector<Stanza> &all_vectors() {
    static const std::vector<Stanza> v = [] {
        std::vector<Stanza> all;
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto &e : fs::recursive_directory_iterator(ACRYPTO_TEST_VECTOR_DIR, ec))
            if (e.is_regular_file() && e.path().extension() == ".txt") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto &f : files) {
            std::string err;
            auto s = read_vector_file(f.string(), &err);
            if (!err.empty()) ADD_FAILURE() << err;
            // Keep the path relative to the vector folder in messages.
            for (auto &st : s) st.file = fs::relative(f, ACRYPTO_TEST_VECTOR_DIR).string();
            all.insert(all.end(), s.begin(), s.end());
        }
        return all;
    }();
    return v;
}

std::optional<CipherSpec> parse_cipher_name(const std::string &name) {
    const std::string n = upper(name);
    if (n == "CHACHA20") return CipherSpec{ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, false};
    if (n == "CHACHA20-POLY1305")
        return CipherSpec{ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, true};
    auto mode_of = [](const std::string &m) -> uint32_t {
        if (m == "ECB") return ACRYPTO_MODE_ECB;
        if (m == "CBC") return ACRYPTO_MODE_CBC;
        if (m == "CFB" || m == "CFB128") return ACRYPTO_MODE_CFB;
        if (m == "OFB") return ACRYPTO_MODE_OFB;
        if (m == "CTR") return ACRYPTO_MODE_CTR;
        if (m == "GCM") return ACRYPTO_MODE_GCM;
        if (m == "XTS") return ACRYPTO_MODE_XTS;
        return 0;
    };
    if (n.rfind("AES-", 0) == 0) {
        size_t d = n.find('-', 4);
        if (d == std::string::npos) return std::nullopt;
        uint32_t m = mode_of(n.substr(d + 1));
        if (!m) return std::nullopt;
        return CipherSpec{ACRYPTO_ALG_AES, m, m == ACRYPTO_MODE_GCM};
    }
    if (n == "DES-EDE3" || n == "DES-EDE3-ECB")
        return CipherSpec{ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_ECB};
    if (n == "DES-EDE3-CBC") return CipherSpec{ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC};
    if (n == "DES-EDE" || n == "DES-EDE-ECB")
        return CipherSpec{ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_ECB, false, true};
    if (n == "DES-EDE-CBC") return CipherSpec{ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, false, true};
    if (n == "DES-ECB") return CipherSpec{ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB};
    if (n == "DES-CBC") return CipherSpec{ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC};
    return std::nullopt;
}

Bytes step_key(const CipherSpec &spec, const Bytes &key) {
    if (!spec.two_key || key.size() != 16) return key;
    Bytes k = key;
    k.insert(k.end(), key.begin(), key.begin() + 8);
    return k;
}

void PrintTo(const DeviceConf &c, std::ostream *os) { *os << c.name; }

uint32_t parse_digest_name(const std::string &name) {
    std::string n = upper(name);
    n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
    if (n == "SHA1") return ACRYPTO_ALG_SHA1;
    if (n == "SHA224") return ACRYPTO_ALG_SHA224;
    if (n == "SHA256") return ACRYPTO_ALG_SHA256;
    if (n == "SHA384") return ACRYPTO_ALG_SHA384;
    if (n == "SHA512") return ACRYPTO_ALG_SHA512;
    if (n == "MD5") return ACRYPTO_ALG_MD5;
    return 0;
}

bool cap_matches(const acrypto_capability &cap, uint32_t op, uint32_t alg, uint32_t mode,
                 uint32_t dir, size_t key_len, size_t input_len) {
    if (cap.op != op || cap.alg != alg || cap.mode != mode) return false;
    if (op == ACRYPTO_OP_CIPHER && !(cap.dirs & dir)) return false;
    if (cap.max_input && input_len > cap.max_input) return false;
    if (cap.key_max == 0 && cap.key_min == 0) return true; // keyless
    if (key_len < cap.key_min || key_len > cap.key_max) return false;
    if (cap.key_step == 0) return key_len == cap.key_min || key_len == cap.key_max;
    return (key_len - cap.key_min) % cap.key_step == 0;
}

std::vector<size_t> cap_key_sizes(const acrypto_capability &cap, size_t limit) {
    std::vector<size_t> out;
    if (cap.key_step == 0) {
        out.push_back(cap.key_min);
        if (cap.key_max != cap.key_min) out.push_back(cap.key_max);
        return out;
    }
    for (size_t k = cap.key_min; k <= cap.key_max && out.size() < limit; k += cap.key_step)
        out.push_back(k);
    return out;
}

std::string cap_name(const acrypto_capability &cap) {
    std::ostringstream os;
    os << "op " << cap.op << " alg " << cap.alg << " mode " << cap.mode << " dirs " << cap.dirs
       << " key " << cap.key_min << ".." << cap.key_max;
    return os.str();
}

void DeviceConformance::SetUp() {
    const DeviceConf &c = GetParam();
    ASSERT_TRUE(c.error.empty()) << c.error;
    if (!fs::exists(c.plugin)) GTEST_SKIP() << "plugin not built: " << c.plugin;
    std::string why;
    h_ = DeviceHarness::open_plugin(c.plugin, c.cfg, c.index, &why);
    ASSERT_TRUE(h_) << c.name << ": " << why;
    if (!c.driver.empty()) {
        ASSERT_EQ(std::string(h_->driver().name), c.driver)
            << "driver name differs from " << c.file;
    }
}

void DeviceConformance::TearDown() {
    if (h_) {
        h_->close(); // records a failure unless every session completed exactly once
        h_.reset();
    }
}

const acrypto_capability *DeviceConformance::find_cap(uint32_t op, uint32_t alg, uint32_t mode,
                                                      uint32_t dir, size_t key_len,
                                                      size_t input_len) const {
    const acrypto_device_desc &d = h_->desc();
    for (uint32_t i = 0; i < d.ncaps; ++i)
        if (cap_matches(d.caps[i], op, alg, mode, dir, key_len, input_len)) return &d.caps[i];
    return nullptr;
}

std::vector<const acrypto_capability *> DeviceConformance::caps_of(uint32_t op, uint32_t alg,
                                                                   uint32_t mode) const {
    std::vector<const acrypto_capability *> out;
    const acrypto_device_desc &d = h_->desc();
    for (uint32_t i = 0; i < d.ncaps; ++i) {
        const acrypto_capability &c = d.caps[i];
        if (c.op == op && (!alg || c.alg == alg) && (!mode || c.mode == mode)) out.push_back(&c);
    }
    return out;
}

int DeviceConformance::run(OwnedSession &s) {
    int rc = h_->run(s.s);
    EXPECT_NE(rc, ACRYPTO_E_TIMEOUT) << "session did not complete within the bound";
    EXPECT_EQ(h_->completions(&s.s), 1u) << "session must complete exactly once";
    return rc;
}

size_t DeviceConformance::max_bytes(const acrypto_capability &cap) const {
    size_t m = GetParam().max_bytes;
    if (cap.max_input && cap.max_input < m) m = static_cast<size_t>(cap.max_input);
    return m;
}

std::string conf_test_name(const ::testing::TestParamInfo<DeviceConf> &info) {
    std::string n = info.param.name;
    for (char &c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(Devices, DeviceConformance, ::testing::ValuesIn(load_device_confs()),
                         conf_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(DeviceConformance);

} // namespace acrypto::test::conformance
