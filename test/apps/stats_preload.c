// SPDX-License-Identifier: Apache-2.0
// LD_PRELOAD library for application tests: writes the host process's acrypto statistics
// (provider parameter "acrypto-stats") to a file on request, since they are readable only
// in-process. Set ACRYPTO_STATS_DIR; write a token to <dir>/req and every process carrying
// this library writes <dir>/stats.<pid>.<token> (forked children included).
#include <openssl/params.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[512];

static int dump_one(OSSL_PROVIDER *prov, void *arg) {
    FILE *f = arg;
    if (strcmp(OSSL_PROVIDER_get0_name(prov), "acrypto") != 0) return 1;
    size_t cap = 1u << 20;
    char *buf = malloc(cap);
    if (buf == NULL) return 1;
    buf[0] = '\0';
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("acrypto-stats", buf, cap),
                           OSSL_PARAM_construct_end()};
    fputs("acrypto-loaded=1\n", f);
    if (OSSL_PROVIDER_get_params(prov, params) == 1)
        fputs(buf, f);
    else
        fputs("get-params-failed=1\n", f);
    free(buf);
    return 1;
}

static void dump(const char *token) {
    char tmp[700], out[700];
    snprintf(tmp, sizeof tmp, "%s/.stats.%ld.tmp", g_dir, (long)getpid());
    snprintf(out, sizeof out, "%s/stats.%ld.%s", g_dir, (long)getpid(), token);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) return;
    fprintf(f, "pid=%ld\n", (long)getpid());
    OSSL_PROVIDER_do_all(NULL, dump_one, f);
    fclose(f);
    rename(tmp, out);
}

static void *poll_loop(void *arg) {
    (void)arg;
    char last[64] = "", req[700];
    snprintf(req, sizeof req, "%s/req", g_dir);
    for (;;) {
        usleep(20000);
        FILE *f = fopen(req, "r");
        if (f == NULL) continue;
        char tok[64] = "";
        if (fgets(tok, sizeof tok, f) == NULL) tok[0] = '\0';
        fclose(f);
        tok[strcspn(tok, "\r\n/ ")] = '\0';
        if (tok[0] == '\0' || strcmp(tok, last) == 0) continue;
        dump(tok);
        strcpy(last, tok);
    }
    return NULL;
}

static void start_thread(void) {
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &a, poll_loop, NULL);
    pthread_attr_destroy(&a);
}

__attribute__((constructor)) static void stats_preload_init(void) {
    const char *d = getenv("ACRYPTO_STATS_DIR");
    if (d == NULL || d[0] == '\0' || strlen(d) >= sizeof g_dir) return;
    strcpy(g_dir, d);
    start_thread();
    pthread_atfork(NULL, NULL, start_thread);
}
