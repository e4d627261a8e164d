#include "isal_shim.h"

#if __has_include(<isa-l/igzip_lib.h>)
#include <isa-l/igzip_lib.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct logstitch_isal {
    struct inflate_state state;
    int error;
};

static void (*p_init)(struct inflate_state *);
static void (*p_reset)(struct inflate_state *);
static int (*p_inflate)(struct inflate_state *);
static int loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

// LOGSTITCH_INFLATE=zlib turns ISA-L off (benchmarks compare the two).
static void load(void) {
    const char *choice = getenv("LOGSTITCH_INFLATE");
    if (choice && strcmp(choice, "zlib") == 0) return;
    void *lib = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    p_init = (void (*)(struct inflate_state *))dlsym(lib, "isal_inflate_init");
    p_reset = (void (*)(struct inflate_state *))dlsym(lib, "isal_inflate_reset");
    p_inflate = (int (*)(struct inflate_state *))dlsym(lib, "isal_inflate");
    loaded = p_init && p_reset && p_inflate;
}

int logstitch_isal_available(void) {
    pthread_once(&once, load);
    return loaded;
}

logstitch_isal *logstitch_isal_new(void) {
    if (!logstitch_isal_available()) return NULL;
    logstitch_isal *s = malloc(sizeof *s);
    if (!s) return NULL;
    p_init(&s->state);
    s->state.crc_flag = ISAL_GZIP;
    s->error = 0;
    return s;
}

void logstitch_isal_free(logstitch_isal *s) { free(s); }

void logstitch_isal_next_member(logstitch_isal *s) {
    uint8_t *in = s->state.next_in;
    uint32_t avail = s->state.avail_in;
    p_reset(&s->state);
    s->state.crc_flag = ISAL_GZIP;
    s->state.next_in = in;
    s->state.avail_in = avail;
}

void logstitch_isal_set_input(logstitch_isal *s, const uint8_t *in, uint32_t count) {
    s->state.next_in = (uint8_t *)in;
    s->state.avail_in = count;
}

uint32_t logstitch_isal_pending_in(const logstitch_isal *s) { return s->state.avail_in; }

uint32_t logstitch_isal_unconsumed_in(const logstitch_isal *s) {
    return s->state.avail_in + (uint32_t)(s->state.read_in_length / 8);
}

const uint8_t *logstitch_isal_next_in(const logstitch_isal *s) { return s->state.next_in; }

int logstitch_isal_inflate(logstitch_isal *s, uint8_t *out, uint32_t capacity, uint32_t *produced) {
    s->state.next_out = out;
    s->state.avail_out = capacity;
    int rc = p_inflate(&s->state);
    *produced = capacity - s->state.avail_out;
    if (rc < 0) { s->error = rc; return LOGSTITCH_ISAL_CORRUPT; }
    if (s->state.block_state == ISAL_BLOCK_FINISH) return LOGSTITCH_ISAL_MEMBER_END;
    return LOGSTITCH_ISAL_OK;
}

int logstitch_isal_error(const logstitch_isal *s) { return s->error; }

#else
// Built without libisal-dev: zlib only.
int logstitch_isal_available(void) { return 0; }
logstitch_isal *logstitch_isal_new(void) { return 0; }
void logstitch_isal_free(logstitch_isal *s) { (void)s; }
void logstitch_isal_next_member(logstitch_isal *s) { (void)s; }
void logstitch_isal_set_input(logstitch_isal *s, const uint8_t *in, uint32_t count) { (void)s; (void)in; (void)count; }
uint32_t logstitch_isal_pending_in(const logstitch_isal *s) { (void)s; return 0; }
uint32_t logstitch_isal_unconsumed_in(const logstitch_isal *s) { (void)s; return 0; }
const uint8_t *logstitch_isal_next_in(const logstitch_isal *s) { (void)s; return 0; }
int logstitch_isal_inflate(logstitch_isal *s, uint8_t *out, uint32_t capacity, uint32_t *produced) {
    (void)s; (void)out; (void)capacity; *produced = 0; return LOGSTITCH_ISAL_CORRUPT;
}
int logstitch_isal_error(const logstitch_isal *s) { (void)s; return 0; }
#endif
