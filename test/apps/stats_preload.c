// SPDX-License-Identifier: Apache-2.0
// LD_PRELOAD library for application tests: writes the host process's acrypto statistics
// (provider parameter "acrypto-stats") to a file on request, since they are readable only
// in-process. Set ACRYPTO_STATS_DIR; write a token to <dir>/req and every process carrying
// this library writes <dir>/stats.<pid>.<token> (forked children included).
//
// The poll thread holds `g_busy` whenever it is awake, and fork() takes it first: a fork
// therefore finds the thread asleep, holding nothing. Without that, a child could inherit a
// lock the thread held (the sanitizer runtime's allocator locks are not reset on fork), and
// the child's own poll thread would block on it forever: nginx's worker under ASan wrote
// no statistics. fork() waits for it at most a second: a snapshot in progress may itself
// wait for a lock the provider's own fork handler (run earlier) holds.
#include <openssl/params.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char g_dir[512];
static pthread_mutex_t g_busy = PTHREAD_MUTEX_INITIALIZER;

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
        pthread_mutex_lock(&g_busy);
        FILE *f = fopen(req, "r");
        char tok[64] = "";
        if (f != NULL) {
            if (fgets(tok, sizeof tok, f) == NULL) tok[0] = '\0';
            fclose(f);
            tok[strcspn(tok, "\r\n/ ")] = '\0';
        }
        if (tok[0] != '\0' && strcmp(tok, last) != 0) {
            dump(tok);
            strcpy(last, tok);
        }
        pthread_mutex_unlock(&g_busy);
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

static _Thread_local int g_fork_holds; // this thread's before_fork took g_busy

static void before_fork(void) {
    g_fork_holds = 0;
    for (int i = 0; i < 1000 && !g_fork_holds; i++) {
        if (pthread_mutex_trylock(&g_busy) == 0)
            g_fork_holds = 1;
        else
            usleep(1000);
    }
}
static void after_fork_parent(void) {
    if (g_fork_holds) pthread_mutex_unlock(&g_busy);
}
static void after_fork_child(void) {
    // The only thread here: a fresh lock, whoever held it in the parent.
    pthread_mutex_init(&g_busy, NULL);
    start_thread();
}

__attribute__((constructor)) static void stats_preload_init(void) {
    const char *d = getenv("ACRYPTO_STATS_DIR");
    if (d == NULL || d[0] == '\0' || strlen(d) >= sizeof g_dir) return;
    strcpy(g_dir, d);
    start_thread();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}
