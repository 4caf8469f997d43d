// SPDX-License-Identifier: Apache-2.0
// Loopback TLS handshake load client: keeps C connections in flight on one thread (epoll),
// each a full handshake without resumption, then closes and reconnects; prints the rate.
// Build: cc -O2 -o hsload hsload.c -lssl -lcrypto
// Usage: hsload <port> <connections> <seconds> <tls1_2|tls1_3> [sigalgs]
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    SSL *ssl;
};

static SSL_CTX *g_ctx;
static struct sockaddr_in g_addr;
static int g_ep;
static long g_done, g_failed;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int start(struct conn *c) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct linger lg = {1, 0}; // close with RST: no TIME_WAIT pile-up on loopback
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    if (connect(c->fd, (struct sockaddr *)&g_addr, sizeof g_addr) < 0 && errno != EINPROGRESS) {
        close(c->fd);
        return -1;
    }
    c->ssl = SSL_new(g_ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_connect_state(c->ssl);
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    epoll_ctl(g_ep, EPOLL_CTL_ADD, c->fd, &ev);
    return 0;
}

static void finish(struct conn *c, int ok) {
    if (ok)
        g_done++;
    else
        g_failed++;
    epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
    SSL_free(c->ssl);
    close(c->fd);
    c->ssl = NULL;
}

static void step(struct conn *c) {
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        finish(c, 1);
        return;
    }
    int e = SSL_get_error(c->ssl, r);
    struct epoll_event ev = {.data.ptr = c};
    if (e == SSL_ERROR_WANT_READ)
        ev.events = EPOLLIN;
    else if (e == SSL_ERROR_WANT_WRITE)
        ev.events = EPOLLOUT;
    else {
        ERR_clear_error();
        finish(c, 0);
        return;
    }
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: hsload <port> <connections> <seconds> <tls1_2|tls1_3> [sigalgs]\n");
        return 2;
    }
    int n = atoi(argv[2]);
    double secs = atof(argv[3]);
    g_ctx = SSL_CTX_new(TLS_client_method());
    int v = strcmp(argv[4], "tls1_2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
    SSL_CTX_set_min_proto_version(g_ctx, v);
    SSL_CTX_set_max_proto_version(g_ctx, v);
    SSL_CTX_set_session_cache_mode(g_ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(g_ctx, SSL_OP_NO_TICKET);
    if (argc > 5 && !SSL_CTX_set1_sigalgs_list(g_ctx, argv[5])) {
        fprintf(stderr, "bad sigalgs %s\n", argv[5]);
        return 2;
    }
    memset(&g_addr, 0, sizeof g_addr);
    g_addr.sin_family = AF_INET;
    g_addr.sin_port = htons((unsigned short)atoi(argv[1]));
    g_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_ep = epoll_create1(0);
    struct conn *cs = calloc((size_t)n, sizeof *cs);
    double t0 = now(), end = t0 + secs;
    for (int i = 0; i < n; ++i) start(&cs[i]);
    struct epoll_event evs[256];
    while (now() < end) {
        int k = epoll_wait(g_ep, evs, 256, 100);
        for (int i = 0; i < k; ++i) {
            struct conn *c = evs[i].data.ptr;
            step(c);
            if (c->ssl == NULL && now() < end) start(c);
        }
        for (int i = 0; i < n; ++i) // restart slots whose connect failed outright
            if (cs[i].ssl == NULL && now() < end) start(&cs[i]);
    }
    double el = now() - t0;
    printf("handshakes=%ld failed=%ld seconds=%.2f rate=%.1f\n", g_done, g_failed, el, g_done / el);
    return g_done > 0 ? 0 : 1;
}
