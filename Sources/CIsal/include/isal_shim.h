#ifndef LOGSTITCH_ISAL_SHIM_H
#define LOGSTITCH_ISAL_SHIM_H
#include <stdint.h>

// An optional second inflater: Intel's ISA-L (Debian's libisal2), about twice
// as fast as zlib. It is loaded with dlopen at run time, so logstitch builds
// and runs without it and falls back to zlib; its header (libisal-dev) is only
// needed at build time for the struct layout.

typedef struct logstitch_isal logstitch_isal;

/// Outcome of one call, in the inflater's own terms.
enum {
    LOGSTITCH_ISAL_OK = 0,          // progress made; call again with more input or output room
    LOGSTITCH_ISAL_MEMBER_END = 1,  // a gzip member and its trailer are complete
    LOGSTITCH_ISAL_CORRUPT = -1     // damage: see logstitch_isal_error
};

/// 1 when ISA-L was available at build time and libisal.so.2 loads now.
int logstitch_isal_available(void);
/// NULL when unavailable or out of memory.
logstitch_isal *logstitch_isal_new(void);
void logstitch_isal_free(logstitch_isal *s);
/// Gets ready for the next gzip member (keeps the unread input).
void logstitch_isal_next_member(logstitch_isal *s);
void logstitch_isal_set_input(logstitch_isal *s, const uint8_t *in, uint32_t count);
/// Input bytes handed over and not read yet.
uint32_t logstitch_isal_pending_in(const logstitch_isal *s);
/// Input bytes not decoded yet: the unread ones plus whole bytes held in the bit buffer.
uint32_t logstitch_isal_unconsumed_in(const logstitch_isal *s);
/// Next unconsumed input byte.
const uint8_t *logstitch_isal_next_in(const logstitch_isal *s);
/// Inflates into out[0..<capacity]; *produced gets the bytes written.
int logstitch_isal_inflate(logstitch_isal *s, uint8_t *out, uint32_t capacity, uint32_t *produced);
/// ISA-L's error code after LOGSTITCH_ISAL_CORRUPT.
int logstitch_isal_error(const logstitch_isal *s);

#endif
