// SPDX-License-Identifier: Apache-2.0
// In-memory TLS handshakes in one thread: the server uses the default library context (its
// providers come from OPENSSL_CONF), the client a library context of its own holding only
// the default provider. Prints the server's thread CPU time per handshake, so that what a
// provider adds to a handshake shows without network, event loop or a second process.
// Usage: hs_cpu <certificate and key PEM> <handshakes> [tls1_2|tls1_3]
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One step of one side: 1 when its handshake is done, 0 when it waits for the peer,
 * -1 on failure. The server's steps are timed into *cpu. */
static int step(SSL *ssl, double *cpu) {
    const double t0 = cpu != NULL ? seconds(CLOCK_THREAD_CPUTIME_ID) : 0;
    const int r = SSL_do_handshake(ssl);
    if (cpu != NULL) *cpu += seconds(CLOCK_THREAD_CPUTIME_ID) - t0;
    if (r == 1) return 1;
    return SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s <cert+key PEM> <handshakes> [tls1_2|tls1_3]\n", argv[0]);
        return 2;
    }
    const int n = atoi(argv[2]);
    const int version =
        argc > 3 && strcmp(argv[3], "tls1_2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
    OSSL_LIB_CTX *client_lib = OSSL_LIB_CTX_new();
    if (client_lib == NULL || OSSL_PROVIDER_load(client_lib, "default") == NULL) return 1;
    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new_ex(client_lib, NULL, TLS_client_method());
    if (sctx == NULL || cctx == NULL || SSL_CTX_use_certificate_chain_file(sctx, argv[1]) != 1 ||
        SSL_CTX_use_PrivateKey_file(sctx, argv[1], SSL_FILETYPE_PEM) != 1) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    SSL_CTX_set_min_proto_version(sctx, version);
    SSL_CTX_set_max_proto_version(sctx, version);
    SSL_CTX_set_min_proto_version(cctx, version);
    SSL_CTX_set_max_proto_version(cctx, version);
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF); /* full handshakes only */
    SSL_CTX_set_num_tickets(sctx, 0);
    double server_cpu = 0;
    const double t0 = seconds(CLOCK_MONOTONIC);
    for (int i = 0; i < n; i++) {
        SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
        BIO *sb = NULL, *cb = NULL;
        if (s == NULL || c == NULL || BIO_new_bio_pair(&sb, 0, &cb, 0) != 1) return 1;
        SSL_set_bio(s, sb, sb);
        SSL_set_bio(c, cb, cb);
        SSL_set_accept_state(s);
        SSL_set_connect_state(c);
        int sdone = 0, cdone = 0;
        for (int k = 0; k < 64 && !(sdone && cdone); k++) {
            if (!cdone && (cdone = step(c, NULL)) < 0) break;
            if (!sdone && (sdone = step(s, &server_cpu)) < 0) break;
        }
        if (sdone != 1 || cdone != 1) {
            fprintf(stderr, "handshake %d failed\n", i);
            ERR_print_errors_fp(stderr);
            return 1;
        }
        SSL_free(s);
        SSL_free(c);
    }
    const double wall = seconds(CLOCK_MONOTONIC) - t0;
    printf("handshakes=%d server_us=%.1f wall_us=%.1f\n", n, server_cpu * 1e6 / n, wall * 1e6 / n);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    OSSL_LIB_CTX_free(client_lib);
    return 0;
}
