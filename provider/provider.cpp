// SPDX-License-Identifier: Apache-2.0
// OSSL_provider_init: dispatch table, parameters, algorithm queries, self-test, teardown.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "algorithms.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "pk_hooks.hpp"
#include "provider_state.hpp"
#include "self_test.hpp"

#ifndef ACRYPTO_VERSION_STRING
#define ACRYPTO_VERSION_STRING "0.0.0"
#endif

/// Default when provider/pk/ contributes nothing: no extra algorithms.
extern "C" __attribute__((weak)) const OSSL_ALGORITHM *acrypto_pk_query(int) { return nullptr; }

/// Default when provider/pk/ contributes nothing: no capabilities.
extern "C" __attribute__((weak)) int acrypto_pk_get_capabilities(void *, const char *,
                                                                 OSSL_CALLBACK *, void *) {
    return 1;
}

namespace acrypto::prov {

namespace {

constexpr const char kProviderName[] = "acrypto";
constexpr const char kBuildInfo[] = "acrypto " ACRYPTO_VERSION_STRING " (" __DATE__ ")";
/// Provider parameter with the scheduler's counters, "name=value" lines.
constexpr const char kParamStats[] = "acrypto-stats";

/// Operation tables, built once (static data plus provider/pk/ extras).
struct Tables {
    std::vector<OSSL_ALGORITHM> cipher, digest, mac, keymgmt, signature, asym, keyexch, rand, kdf;
};

void append_pk(std::vector<OSSL_ALGORITHM> &v, int op) {
    const OSSL_ALGORITHM *extra = acrypto_pk_query(op);
    for (; extra != nullptr && extra->algorithm_names != nullptr; ++extra) v.push_back(*extra);
}

const Tables &tables() {
    // Built on first query (thread-safe); destroyed when the module unloads.
    static const Tables t = [] {
        Tables built;
        Tables *tb = &built;
        append_cipher_algorithms(tb->cipher);
        append_pk(tb->cipher, OSSL_OP_CIPHER);
        append_digest_algorithms(tb->digest);
        append_mac_algorithms(tb->mac);
        append_pk(tb->mac, OSSL_OP_MAC);
        append_pk(tb->keymgmt, OSSL_OP_KEYMGMT);
        append_pk(tb->signature, OSSL_OP_SIGNATURE);
        append_pk(tb->asym, OSSL_OP_ASYM_CIPHER);
        append_pk(tb->keyexch, OSSL_OP_KEYEXCH);
        append_pk(tb->rand, OSSL_OP_RAND);
        append_pk(tb->kdf, OSSL_OP_KDF);
        for (auto *v : {&tb->cipher, &tb->digest, &tb->mac, &tb->keymgmt, &tb->signature, &tb->asym,
                        &tb->keyexch, &tb->rand, &tb->kdf})
            v->push_back({nullptr, nullptr, nullptr, nullptr});
        return built;
    }();
    return t;
}

/// Every name the provider registers (for priority.<algorithm> keys).
std::vector<std::string> all_algorithm_names() {
    std::vector<std::string> out;
    const Tables &t = tables();
    for (const auto *v : {&t.cipher, &t.digest, &t.mac, &t.keymgmt, &t.signature, &t.asym,
                          &t.keyexch, &t.rand, &t.kdf}) {
        for (const OSSL_ALGORITHM &a : *v) {
            if (a.algorithm_names == nullptr) continue;
            std::string names = a.algorithm_names;
            size_t pos = 0;
            while (pos <= names.size()) {
                size_t c = names.find(':', pos);
                if (c == std::string::npos) c = names.size();
                std::string n = names.substr(pos, c - pos);
                // OIDs are names too, but nobody writes priority.2.16.840...
                if (!n.empty() && !(n[0] >= '0' && n[0] <= '9')) out.push_back(n);
                pos = c + 1;
            }
        }
    }
    return out;
}

/// Whether one of the colon-separated `names` is in `wanted` (lowercase).
bool named_in(const char *names, const std::vector<std::string> &wanted) {
    std::string all = names;
    size_t pos = 0;
    while (pos <= all.size()) {
        size_t c = all.find(':', pos);
        if (c == std::string::npos) c = all.size();
        std::string n = all.substr(pos, c - pos);
        for (char &ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        for (const auto &w : wanted)
            if (n == w) return true;
        pos = c + 1;
    }
    return false;
}

/// The tables restricted to the configured algorithms key (e.g. only RSA and ECDSA for a
/// TLS server whose records and key exchange are cheaper on the caller's thread).
void restrict_tables(ProvCtx *pctx) {
    const std::vector<std::string> &want = pctx->settings.algorithms;
    if (want.empty()) return;
    const Tables &t = tables();
    const std::pair<int, const std::vector<OSSL_ALGORITHM> *> ops[] = {
        {OSSL_OP_CIPHER, &t.cipher},
        {OSSL_OP_DIGEST, &t.digest},
        {OSSL_OP_MAC, &t.mac},
        {OSSL_OP_KEYMGMT, &t.keymgmt},
        {OSSL_OP_SIGNATURE, &t.signature},
        {OSSL_OP_ASYM_CIPHER, &t.asym},
        {OSSL_OP_KEYEXCH, &t.keyexch},
        {OSSL_OP_RAND, &t.rand},
        {OSSL_OP_KDF, &t.kdf}};
    for (const auto &[op, v] : ops) {
        std::vector<OSSL_ALGORITHM> &out = pctx->offered[op];
        for (const OSSL_ALGORITHM &a : *v)
            if (a.algorithm_names != nullptr && named_in(a.algorithm_names, want)) out.push_back(a);
        out.push_back({nullptr, nullptr, nullptr, nullptr});
    }
    pctx->restricted = true;
}

std::string stats_text(ProvCtx *pctx) {
    std::string s;
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) {
        s = "status=error\nerror=" + pctx->sched_error + "\n";
        return s;
    }
    for (const auto &st : sc->stats()) s += st.name + "=" + std::to_string(st.value) + "\n";
    // Work done on the callers' threads without sessions (ProvCtx::counts).
    const std::pair<const char *, Count> counts[] = {{"digest.direct", Count::DigestDirect},
                                                     {"aead.direct", Count::AeadDirect},
                                                     {"cipher.direct", Count::CipherDirect},
                                                     {"pk.starved-inline", Count::PkStarvedInline},
                                                     {"mac.tls-record", Count::TlsRecordMac}};
    for (const auto &[name, c] : counts)
        s += std::string(name) + "=" + std::to_string(pctx->counts->get(c)) + "\n";
    for (const auto &d : sc->devices()) {
        std::string pfx = "device." + d.name + ".";
        s += pfx + "driver=" + d.driver + "\n";
        s += pfx + "broken=" + (d.broken ? "1" : "0") + "\n";
        s += pfx + "queued=" + std::to_string(d.queued) + "\n";
        s += pfx + "in_flight=" + std::to_string(d.in_flight) + "\n";
    }
    if (!pctx->warnings.empty()) s += "warnings=" + pctx->warnings;
    return s;
}

extern "C" {

const OSSL_PARAM kGettableParams[] = {
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, nullptr, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, nullptr, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, nullptr, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, nullptr, 0),
    OSSL_PARAM_DEFN(kParamStats, OSSL_PARAM_UTF8_STRING, nullptr, 0),
    OSSL_PARAM_END};

const OSSL_PARAM *acrypto_gettable_params(void *) { return kGettableParams; }

int acrypto_get_params(void *provctx, OSSL_PARAM params[]) {
    auto *pctx = static_cast<ProvCtx *>(provctx);
    try {
        OSSL_PARAM *p;
        if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != nullptr &&
            !OSSL_PARAM_set_utf8_ptr(p, kProviderName))
            return 0;
        if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != nullptr &&
            !OSSL_PARAM_set_utf8_ptr(p, ACRYPTO_VERSION_STRING))
            return 0;
        if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) != nullptr &&
            !OSSL_PARAM_set_utf8_ptr(p, kBuildInfo))
            return 0;
        if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != nullptr &&
            !OSSL_PARAM_set_int(p, pctx->failed.load() ? 0 : 1))
            return 0;
        if ((p = OSSL_PARAM_locate(params, kParamStats)) != nullptr) {
            std::string s = stats_text(pctx);
            if (!OSSL_PARAM_set_utf8_string(p, s.c_str())) {
                // Size query or short buffer: report the length needed.
                p->return_size = s.size();
                if (p->data != nullptr) return 0;
            }
        }
        return 1;
    } catch (...) {
        return 0;
    }
}

const OSSL_ALGORITHM *acrypto_query(void *provctx, int operation_id, int *no_cache) {
    *no_cache = 0;
    try {
        auto *pctx = static_cast<ProvCtx *>(provctx);
        if (pctx != nullptr && pctx->restricted) {
            if (operation_id < 0 || operation_id > OSSL_OP_ASYM_CIPHER) return nullptr;
            const std::vector<OSSL_ALGORITHM> &r = pctx->offered[operation_id];
            return r.size() > 1 ? r.data() : nullptr;
        }
        const Tables &t = tables();
        const std::vector<OSSL_ALGORITHM> *v = nullptr;
        switch (operation_id) {
        case OSSL_OP_CIPHER: v = &t.cipher; break;
        case OSSL_OP_DIGEST: v = &t.digest; break;
        case OSSL_OP_MAC: v = &t.mac; break;
        case OSSL_OP_KEYMGMT: v = &t.keymgmt; break;
        case OSSL_OP_SIGNATURE: v = &t.signature; break;
        case OSSL_OP_ASYM_CIPHER: v = &t.asym; break;
        case OSSL_OP_KEYEXCH: v = &t.keyexch; break;
        case OSSL_OP_RAND: v = &t.rand; break;
        case OSSL_OP_KDF: v = &t.kdf; break;
        default: return nullptr;
        }
        return v->size() > 1 ? v->data() : nullptr;
    } catch (...) {
        return nullptr;
    }
}

const OSSL_ITEM *acrypto_get_reason_strings(void *) { return reason_strings(); }

int acrypto_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb, void *arg) {
    try {
        return acrypto_pk_get_capabilities(provctx, capability, cb, arg);
    } catch (...) {
        return 0;
    }
}

int acrypto_self_test(void *provctx) {
    try {
        return run_self_test(static_cast<ProvCtx *>(provctx)) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

void acrypto_teardown(void *provctx) {
    auto *pctx = static_cast<ProvCtx *>(provctx);
    if (pctx == nullptr) return;
    try {
        // Operators and tests read a finished process's counters from here
        // (openssl speed, s_server): one name=value line per counter.
        // Only a running scheduler: never start devices at unload (child contexts too).
        const char *path = std::getenv("ACRYPTO_STATS_FILE");
        if (path != nullptr && *path != '\0' &&
            pctx->sched.load(std::memory_order_acquire) != nullptr) {
            if (FILE *f = std::fopen(path, "w")) {
                const std::string s = stats_text(pctx);
                std::fwrite(s.data(), 1, s.size(), f);
                std::fclose(f);
            }
        }
        unregister_ctx(pctx);
        stop_scheduler(pctx);
    } catch (...) {}
    free_cached_fetches(pctx);
    OSSL_LIB_CTX_free(pctx->libctx);
    delete pctx;
}

#define ACRYPTO_FN(id, fn)                                                                         \
    { id, reinterpret_cast<void (*)(void)>(fn) }

const OSSL_DISPATCH kProviderDispatch[] = {
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_TEARDOWN, &acrypto_teardown),
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, &acrypto_gettable_params),
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_GET_PARAMS, &acrypto_get_params),
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_QUERY_OPERATION, &acrypto_query),
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, &acrypto_get_reason_strings),
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_GET_CAPABILITIES, &acrypto_get_capabilities),
    ACRYPTO_FN(OSSL_FUNC_PROVIDER_SELF_TEST, &acrypto_self_test),
    {0, nullptr}};

} // extern "C"

} // namespace

} // namespace acrypto::prov

extern "C" __attribute__((visibility("default"))) int
OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                   const OSSL_DISPATCH **out, void **provctx) {
    using namespace acrypto::prov;
    ProvCtx *pctx = nullptr;
    try {
        pctx = new ProvCtx;
        pctx->handle = handle;
        const OSSL_DISPATCH *core_in = in;
        for (; in != nullptr && in->function_id != 0; ++in) {
            switch (in->function_id) {
            case OSSL_FUNC_CORE_GET_PARAMS:
                pctx->core_get_params = OSSL_FUNC_core_get_params(in);
                break;
            case OSSL_FUNC_CORE_NEW_ERROR:
                pctx->core_new_error = OSSL_FUNC_core_new_error(in);
                break;
            case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
                pctx->core_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
                break;
            case OSSL_FUNC_CORE_VSET_ERROR:
                pctx->core_vset_error = OSSL_FUNC_core_vset_error(in);
                break;
            default: break;
            }
        }
        std::string error;
        CoreAccess core{handle, pctx->core_get_params};
        if (!load_settings(core, all_algorithm_names(), pctx->settings, error)) {
            // Applications drop errors from configuration loading (3.0 pops them):
            // say it where an administrator will see it too.
            std::fprintf(stderr, "acrypto: configuration error: %s\n", error.c_str());
            raise(pctx, kReasonConfig, "%s", error.c_str());
            delete pctx;
            return 0;
        }
        restrict_tables(pctx);
        pctx->libctx = OSSL_LIB_CTX_new_child(handle, core_in);
        // Hardware or simulated devices may own inline digests and AEAD kernels: keep
        // those on sessions.
        pctx->only_software_devices = true;
        for (const std::string &d : pctx->settings.devices)
            if (d != "cpu" && d != "mb") pctx->only_software_devices = false;
        register_ctx(pctx);
        // Drivers marked required must be present at start-up.
        if (!pctx->settings.required.empty() && !start_scheduler(pctx)) {
            std::fprintf(stderr, "acrypto: start-up failed: %s\n", pctx->sched_error.c_str());
            raise(pctx, kReasonNoScheduler, "%s", pctx->sched_error.c_str());
            unregister_ctx(pctx);
            OSSL_LIB_CTX_free(pctx->libctx);
            delete pctx;
            return 0;
        }
        *out = kProviderDispatch;
        *provctx = pctx;
        return 1;
    } catch (...) {
        delete pctx;
        return 0;
    }
}
