// SPDX-License-Identifier: Apache-2.0
// evp_pair: acrypto against OpenSSL's default provider in one process, interleaved, so that the
// host's drift over seconds and minutes falls on both sides of each ratio alike.
//
// usage: evp_pair [-H] [-r rounds] [-n ops | -t ms_per_round] <kind> <algorithm> <bytes>...
//   kinds:
//     cipher        EVP_EncryptUpdate in place, one context per provider, key and IV set once
//                   (what `openssl speed -evp` times for a plain cipher)
//     cipher-oop    the same, out of place
//     aead          one whole message per operation: EVP_EncryptInit_ex2 with a fresh IV (key
//                   kept), 13 bytes of AAD, the payload, final, get the 16-byte tag
//                   (aes-*-gcm, chacha20-poly1305)
//     digest        EVP_Digest one-shot, a new context per message (as `openssl speed` does)
//     digest-reuse  one EVP_MD_CTX, init/update/final per message
//     hmac          EVP_MAC "HMAC" over digest <algorithm> (the digest fetched from the MAC's
//                   own provider), key set once, EVP_MAC_init(ctx, NULL, 0, NULL)/update/final
//                   per message
//   -r: rounds (default 21); each round runs both providers for the same operation count, in
//       the order default, acrypto in even rounds and acrypto, default in odd ones
//   -n: operations per provider per round; -t: instead, calibrate the count once so that one
//       round (both providers) takes about this many milliseconds (default 100)
//   -H: no header line
// The algorithms are fetched with the property queries "provider=default" and
// "provider=acrypto"; acrypto comes through OPENSSL_CONF like any libcrypto program
// (bench/acrypto_cnf.sh write_acrypto_cnf, or bench/sweep/pair_sweep.sh). Before timing,
// one output per provider over the same input and key is compared.
// Output, one line per size: kind,algorithm,bytes,default_ns_median,acrypto_ns_median,
//   ratio_median,ratio_min,ratio_max,rounds
// with ns per operation and ratio = default time / acrypto time of the same round (> 1: acrypto
// faster), its median, minimum and maximum over the rounds.
// Exit status: 0 done, 1 bad arguments, a failed fetch or a failed operation (with OpenSSL's
// error queue on stderr), 2 the providers' outputs differ.
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

constexpr const char *kProvider[2] = {"default", "acrypto"};
constexpr const char *kPropq[2] = {"provider=default", "provider=acrypto"};
constexpr size_t kMaxBytes = size_t{1} << 20;
constexpr size_t kAadLen = 13; // a TLS record's AAD, as openssl speed uses
constexpr size_t kTagLen = 16;
constexpr size_t kMacKeyLen = 32;

enum class Kind { Cipher, CipherOop, Aead, Digest, DigestReuse, Hmac };

struct KindName {
    const char *name;
    Kind kind;
};
constexpr KindName kKinds[] = {
    {"cipher", Kind::Cipher}, {"cipher-oop", Kind::CipherOop},     {"aead", Kind::Aead},
    {"digest", Kind::Digest}, {"digest-reuse", Kind::DigestReuse}, {"hmac", Kind::Hmac},
};

// A failure that ends the program: exit status, message, and whether OpenSSL's error queue
// explains it.
struct Failure {
    int status;
    std::string message;
    bool ossl_queue;
};

[[noreturn]] void fail_ossl(const std::string &message) { throw Failure{1, message, true}; }

struct Deleter {
    void operator()(EVP_CIPHER *p) const { EVP_CIPHER_free(p); }
    void operator()(EVP_CIPHER_CTX *p) const { EVP_CIPHER_CTX_free(p); }
    void operator()(EVP_MD *p) const { EVP_MD_free(p); }
    void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); }
    void operator()(EVP_MAC *p) const { EVP_MAC_free(p); }
    void operator()(EVP_MAC_CTX *p) const { EVP_MAC_CTX_free(p); }
};
template <class T> using Owned = std::unique_ptr<T, Deleter>;

// 64-byte aligned scratch memory, as openssl speed aligns its buffers.
struct FreeDeleter {
    void operator()(unsigned char *p) const { std::free(p); }
};
struct Buffer {
    explicit Buffer(size_t n)
        : p(static_cast<unsigned char *>(std::aligned_alloc(64, (n + 63) / 64 * 64))) {
        if (!p) throw Failure{1, "out of memory", false};
        std::memset(p.get(), 0x5a, n);
    }
    unsigned char *get() const { return p.get(); }
    std::unique_ptr<unsigned char, FreeDeleter> p;
};

// The input both providers' correctness outputs are computed over.
std::vector<unsigned char> pattern(size_t n, unsigned seed) {
    std::vector<unsigned char> v(n);
    for (size_t i = 0; i < n; i++) v[i] = static_cast<unsigned char>(i * 31 + seed);
    return v;
}

// One provider's side of a measurement: `run` performs n operations of `len` bytes on the shared
// buffers; `sample` computes one output over the fixed pattern, for comparison between providers.
class Op {
  public:
    virtual ~Op() = default;
    virtual bool run(long n, size_t len) = 0;
    virtual std::vector<unsigned char> sample(size_t len) = 0;
};

std::string where(const char *what, const std::string &alg, int prov) {
    return std::string(what) + " " + alg + " with " + kPropq[prov];
}

class CipherOp final : public Op {
  public:
    CipherOp(const std::string &alg, int prov, unsigned char *in, unsigned char *out, bool aead)
        : alg_(alg), prov_(prov), in_(in), out_(out), aead_(aead) {
        cipher_.reset(EVP_CIPHER_fetch(nullptr, alg.c_str(), kPropq[prov]));
        if (!cipher_) fail_ossl("cannot fetch cipher " + alg + " from " + kPropq[prov]);
        const bool is_aead = (EVP_CIPHER_get_flags(cipher_.get()) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
        if (aead && !is_aead) throw Failure{1, alg + " is not an AEAD cipher (kind aead)", false};
        const int klen = EVP_CIPHER_get_key_length(cipher_.get());
        const int ivlen = EVP_CIPHER_get_iv_length(cipher_.get());
        if (klen <= 0 || static_cast<size_t>(klen) > key_.size() || ivlen < 0 ||
            static_cast<size_t>(ivlen) > iv_.size())
            throw Failure{1, alg + ": unexpected key or IV length", false};
        if (aead && ivlen < 4) throw Failure{1, alg + ": IV too short for a counter", false};
        ivlen_ = static_cast<size_t>(ivlen);
        // Distinct bytes: XTS refuses a key whose two halves are equal.
        for (size_t i = 0; i < key_.size(); i++) key_[i] = static_cast<unsigned char>(i + 1);
        for (size_t i = 0; i < iv_.size(); i++) iv_[i] = static_cast<unsigned char>(0xa0 + i);
        ctx_ = keyed();
    }

    bool run(long n, size_t len) override {
        EVP_CIPHER_CTX *c = ctx_.get();
        const int ilen = static_cast<int>(len);
        int outl = 0;
        if (!aead_) {
            bool ok = true;
            for (long i = 0; i < n; i++) ok &= EVP_EncryptUpdate(c, out_, &outl, in_, ilen) == 1;
            return ok;
        }
        unsigned char iv[kIvMax];
        std::memcpy(iv, iv_.data(), ivlen_);
        unsigned char tag[kTagLen];
        for (long i = 0; i < n; i++) {
            // A fresh IV per message: the last four bytes count messages.
            const uint32_t ctr = counter_++;
            std::memcpy(iv + ivlen_ - 4, &ctr, 4);
            if (EVP_EncryptInit_ex2(c, nullptr, nullptr, iv, nullptr) != 1 ||
                EVP_EncryptUpdate(c, nullptr, &outl, aad_.data(), kAadLen) != 1 ||
                EVP_EncryptUpdate(c, in_, &outl, in_, ilen) != 1 ||
                EVP_EncryptFinal_ex(c, in_ + outl, &outl) != 1 ||
                EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, kTagLen, tag) != 1)
                return false;
        }
        return true;
    }

    std::vector<unsigned char> sample(size_t len) override {
        const std::vector<unsigned char> in = pattern(len, 7);
        std::vector<unsigned char> out(len + 64 + kTagLen);
        int outl = 0, fin = 0;
        if (!aead_) {
            // A context of its own, keyed like the timed one, so that its chaining state is
            // the same for both providers.
            Owned<EVP_CIPHER_CTX> c = keyed();
            if (EVP_EncryptUpdate(c.get(), out.data(), &outl, in.data(), static_cast<int>(len)) !=
                1)
                fail_ossl("EVP_EncryptUpdate of " + std::to_string(len) +
                          " bytes failed: " + where("cipher", alg_, prov_));
            out.resize(static_cast<size_t>(outl));
            return out;
        }
        EVP_CIPHER_CTX *c = ctx_.get();
        if (EVP_EncryptInit_ex2(c, nullptr, nullptr, iv_.data(), nullptr) != 1 ||
            EVP_EncryptUpdate(c, nullptr, &outl, aad_.data(), kAadLen) != 1 ||
            EVP_EncryptUpdate(c, out.data(), &outl, in.data(), static_cast<int>(len)) != 1 ||
            EVP_EncryptFinal_ex(c, out.data() + outl, &fin) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, kTagLen, out.data() + outl + fin) != 1)
            fail_ossl("AEAD message of " + std::to_string(len) +
                      " bytes failed: " + where("cipher", alg_, prov_));
        out.resize(static_cast<size_t>(outl + fin) + kTagLen);
        return out;
    }

  private:
    static constexpr size_t kIvMax = 32;

    Owned<EVP_CIPHER_CTX> keyed() {
        Owned<EVP_CIPHER_CTX> c(EVP_CIPHER_CTX_new());
        if (!c || EVP_EncryptInit_ex2(c.get(), cipher_.get(), key_.data(),
                                      ivlen_ > 0 ? iv_.data() : nullptr, nullptr) != 1)
            fail_ossl("cannot key " + where("cipher", alg_, prov_));
        return c;
    }

    std::string alg_;
    int prov_;
    unsigned char *in_, *out_;
    bool aead_;
    Owned<EVP_CIPHER> cipher_;
    Owned<EVP_CIPHER_CTX> ctx_;
    std::array<unsigned char, 64> key_{};
    std::array<unsigned char, kIvMax> iv_{};
    std::array<unsigned char, kAadLen> aad_{0x17, 0x03, 0x03};
    size_t ivlen_ = 0;
    uint32_t counter_ = 0;
};

class DigestOp final : public Op {
  public:
    DigestOp(const std::string &alg, int prov, unsigned char *in, bool reuse)
        : alg_(alg), prov_(prov), in_(in), reuse_(reuse) {
        md_.reset(EVP_MD_fetch(nullptr, alg.c_str(), kPropq[prov]));
        if (!md_) fail_ossl("cannot fetch digest " + alg + " from " + kPropq[prov]);
        ctx_.reset(EVP_MD_CTX_new());
        if (!ctx_) fail_ossl("EVP_MD_CTX_new failed");
    }

    bool run(long n, size_t len) override {
        unsigned char out[EVP_MAX_MD_SIZE];
        unsigned int outl = 0;
        bool ok = true;
        if (!reuse_) {
            for (long i = 0; i < n; i++)
                ok &= EVP_Digest(in_, len, out, &outl, md_.get(), nullptr) == 1;
            return ok;
        }
        EVP_MD_CTX *c = ctx_.get();
        for (long i = 0; i < n; i++)
            ok &= EVP_DigestInit_ex(c, md_.get(), nullptr) == 1 &&
                  EVP_DigestUpdate(c, in_, len) == 1 && EVP_DigestFinal_ex(c, out, &outl) == 1;
        return ok;
    }

    std::vector<unsigned char> sample(size_t len) override {
        const std::vector<unsigned char> in = pattern(len, 11);
        std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
        unsigned int outl = 0;
        if (EVP_Digest(in.data(), len, out.data(), &outl, md_.get(), nullptr) != 1)
            fail_ossl("EVP_Digest of " + std::to_string(len) +
                      " bytes failed: " + where("digest", alg_, prov_));
        out.resize(outl);
        return out;
    }

  private:
    std::string alg_;
    int prov_;
    unsigned char *in_;
    bool reuse_;
    Owned<EVP_MD> md_;
    Owned<EVP_MD_CTX> ctx_;
};

class HmacOp final : public Op {
  public:
    HmacOp(const std::string &alg, int prov, unsigned char *in) : alg_(alg), prov_(prov), in_(in) {
        mac_.reset(EVP_MAC_fetch(nullptr, "HMAC", kPropq[prov]));
        if (!mac_) fail_ossl(std::string("cannot fetch HMAC from ") + kPropq[prov]);
        ctx_.reset(EVP_MAC_CTX_new(mac_.get()));
        if (!ctx_) fail_ossl(std::string("EVP_MAC_CTX_new failed with ") + kPropq[prov]);
        // The digest comes from the MAC's own provider: without the properties parameter the
        // MAC would fetch it under the configuration's default properties (which may prefer
        // the other provider).
        std::string digest = alg, props = kPropq[prov];
        const OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES, props.data(), 0),
            OSSL_PARAM_construct_end(),
        };
        std::array<unsigned char, kMacKeyLen> key{};
        for (size_t i = 0; i < key.size(); i++) key[i] = static_cast<unsigned char>(0x40 + i);
        if (EVP_MAC_init(ctx_.get(), key.data(), key.size(), params) != 1)
            fail_ossl("cannot key HMAC over digest " + alg + " with " + kPropq[prov]);
    }

    bool run(long n, size_t len) override {
        unsigned char out[EVP_MAX_MD_SIZE];
        size_t outl = 0;
        EVP_MAC_CTX *c = ctx_.get();
        bool ok = true;
        for (long i = 0; i < n; i++)
            ok &= EVP_MAC_init(c, nullptr, 0, nullptr) == 1 && EVP_MAC_update(c, in_, len) == 1 &&
                  EVP_MAC_final(c, out, &outl, sizeof out) == 1;
        return ok;
    }

    std::vector<unsigned char> sample(size_t len) override {
        const std::vector<unsigned char> in = pattern(len, 13);
        std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
        size_t outl = 0;
        EVP_MAC_CTX *c = ctx_.get();
        if (EVP_MAC_init(c, nullptr, 0, nullptr) != 1 || EVP_MAC_update(c, in.data(), len) != 1 ||
            EVP_MAC_final(c, out.data(), &outl, out.size()) != 1)
            fail_ossl("HMAC of " + std::to_string(len) +
                      " bytes failed: " + where("HMAC over", alg_, prov_));
        out.resize(outl);
        return out;
    }

  private:
    std::string alg_;
    int prov_;
    unsigned char *in_;
    Owned<EVP_MAC> mac_;
    Owned<EVP_MAC_CTX> ctx_;
};

std::unique_ptr<Op> make_op(Kind kind, const std::string &alg, int prov, unsigned char *in,
                            unsigned char *out) {
    switch (kind) {
    case Kind::Cipher: return std::make_unique<CipherOp>(alg, prov, in, in, false);
    case Kind::CipherOop: return std::make_unique<CipherOp>(alg, prov, in, out, false);
    case Kind::Aead: return std::make_unique<CipherOp>(alg, prov, in, in, true);
    case Kind::Digest: return std::make_unique<DigestOp>(alg, prov, in, false);
    case Kind::DigestReuse: return std::make_unique<DigestOp>(alg, prov, in, true);
    case Kind::Hmac: return std::make_unique<HmacOp>(alg, prov, in);
    }
    return nullptr;
}

// Nanoseconds that n operations of one provider take.
double timed(Op &op, int prov, const std::string &alg, long n, size_t len) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = op.run(n, len);
    const auto t1 = std::chrono::steady_clock::now();
    if (!ok)
        fail_ossl("an operation of " + std::to_string(len) +
                  " bytes failed: " + where("algorithm", alg, prov));
    return std::chrono::duration<double, std::nano>(t1 - t0).count();
}

// An operation count that makes one round (both providers) last about target_ms; this also
// warms both providers up.
long calibrate(std::array<std::unique_ptr<Op>, 2> &ops, const std::string &alg, size_t len,
               double target_ms) {
    const double target = target_ms * 1e6;
    long n = 1;
    for (;;) {
        const double t = timed(*ops[0], 0, alg, n, len) + timed(*ops[1], 1, alg, n, len);
        if (t >= target / 4 || n >= (1L << 40)) {
            const double scaled = static_cast<double>(n) * target / std::max(t, 1.0);
            return std::max(1L, static_cast<long>(scaled));
        }
        n = t < target / 64 ? n * 8 : n * 2;
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

struct Options {
    int rounds = 21;
    long ops = 0; // 0: calibrate
    double ms = 100;
    bool header = true;
    Kind kind = Kind::Cipher;
    std::string kind_name, alg;
    std::vector<size_t> sizes;
};

[[noreturn]] void usage_error(const std::string &message) {
    throw Failure{1,
                  message + "\nusage: evp_pair [-H] [-r rounds] [-n ops | -t ms_per_round] "
                            "<kind> <algorithm> <bytes>...\n"
                            "  kinds: cipher cipher-oop aead digest digest-reuse hmac",
                  false};
}

// A whole decimal number in [lo, hi], or a usage error naming what it is for.
long number(const char *s, const char *what, long lo, long hi) {
    errno = 0;
    char *end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        usage_error(std::string("bad ") + what + " '" + s + "': a whole number from " +
                    std::to_string(lo) + " to " + std::to_string(hi));
    return v;
}

Options parse(int argc, char **argv) {
    Options o;
    bool have_n = false, have_t = false;
    int c;
    opterr = 0;
    while ((c = getopt(argc, argv, "+:Hr:n:t:")) != -1) {
        switch (c) {
        case 'H': o.header = false; break;
        case 'r': o.rounds = static_cast<int>(number(optarg, "-r rounds", 1, 100000)); break;
        case 'n':
            o.ops = number(optarg, "-n ops", 1, 1L << 40);
            have_n = true;
            break;
        case 't':
            o.ms = static_cast<double>(number(optarg, "-t ms_per_round", 1, 600000));
            have_t = true;
            break;
        case ':':
            usage_error(std::string("option -") + static_cast<char>(optopt) + " needs a value");
        default: usage_error(std::string("unknown option -") + static_cast<char>(optopt));
        }
    }
    if (have_n && have_t) usage_error("-n and -t exclude each other");
    if (argc - optind < 3) usage_error("need a kind, an algorithm and at least one size");
    o.kind_name = argv[optind];
    const auto *k = std::find_if(std::begin(kKinds), std::end(kKinds),
                                 [&](const KindName &x) { return o.kind_name == x.name; });
    if (k == std::end(kKinds)) usage_error("unknown kind '" + o.kind_name + "'");
    o.kind = k->kind;
    o.alg = argv[optind + 1];
    for (int i = optind + 2; i < argc; i++)
        o.sizes.push_back(
            static_cast<size_t>(number(argv[i], "size in bytes", 1, static_cast<long>(kMaxBytes))));
    return o;
}

void measure(const Options &o, size_t len, unsigned char *in, unsigned char *out) {
    std::array<std::unique_ptr<Op>, 2> ops;
    for (int p = 0; p < 2; p++) ops[p] = make_op(o.kind, o.alg, p, in, out);

    const std::vector<unsigned char> a = ops[0]->sample(len), b = ops[1]->sample(len);
    if (a != b) {
        const size_t at = static_cast<size_t>(
            std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
        throw Failure{2,
                      o.kind_name + " " + o.alg + " " + std::to_string(len) +
                          " bytes: outputs differ between provider=default and provider=acrypto "
                          "(" +
                          std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                          " bytes, first difference at byte " + std::to_string(at) + ")",
                      false};
    }

    const long n = o.ops > 0 ? o.ops : calibrate(ops, o.alg, len, o.ms);
    std::vector<double> t[2], ratio;
    for (int r = 0; r < o.rounds; r++) {
        double ns[2];
        for (int i = 0; i < 2; i++) {
            const int p = (r % 2) ? 1 - i : i;
            ns[p] = timed(*ops[p], p, o.alg, n, len) / static_cast<double>(n);
        }
        t[0].push_back(ns[0]);
        t[1].push_back(ns[1]);
        ratio.push_back(ns[0] / ns[1]);
    }
    std::printf("%s,%s,%zu,%.2f,%.2f,%.3f,%.3f,%.3f,%d\n", o.kind_name.c_str(), o.alg.c_str(), len,
                median(t[0]), median(t[1]), median(ratio),
                *std::min_element(ratio.begin(), ratio.end()),
                *std::max_element(ratio.begin(), ratio.end()), o.rounds);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
    try {
        const Options o = parse(argc, argv);
        if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr) != 1)
            fail_ossl("cannot load the OpenSSL configuration");
        for (int p = 0; p < 2; p++)
            if (OSSL_PROVIDER_available(nullptr, kProvider[p]) != 1)
                fail_ossl(std::string("provider ") + kProvider[p] +
                          " is not loaded: set OPENSSL_CONF to a file that activates both "
                          "default and acrypto (bench/acrypto_cnf.sh write_acrypto_cnf)");
        // Slack past the largest size: a block cipher's update may write a block more.
        Buffer in(kMaxBytes + 64), out(kMaxBytes + 64);
        if (o.header)
            std::printf("kind,algorithm,bytes,default_ns_median,acrypto_ns_median,ratio_median,"
                        "ratio_min,ratio_max,rounds\n");
        for (size_t len : o.sizes) measure(o, len, in.get(), out.get());
        return 0;
    } catch (const Failure &f) {
        std::fflush(stdout);
        std::fprintf(stderr, "evp_pair: %s\n", f.message.c_str());
        if (f.ossl_queue) ERR_print_errors_fp(stderr);
        return f.status;
    }
}
