#ifndef RMFG_CGLPK_SHIM_H
#define RMFG_CGLPK_SHIM_H
// GLPK (GNU Linear Programming Kit), Debian `libglpk-dev`, Homebrew `glpk`.
// Only the LinearProgramming module imports this module.
#include <glpk.h>
#include <stddef.h>
#include <string.h>

// Terminal hook that swallows every line GLPK would print.
static inline int rmfg_glpk_silent_hook(void *info, const char *s) {
    (void)info; (void)s;
    return 1;
}

// Installs the silent hook for the calling thread's GLPK environment.
static inline void rmfg_glpk_silence(void) {
    glp_term_hook(rmfg_glpk_silent_hook, 0);
    glp_term_out(GLP_OFF);
}

// A caller-owned buffer that collects GLPK's terminal output (truncated at
// `capacity - 1` bytes, always NUL-terminated).
typedef struct {
    char *buffer;
    size_t capacity;
    size_t length;
} rmfg_glpk_capture;

// Terminal hook that appends every line GLPK prints to the capture passed as
// `info`, and suppresses GLPK's own printing.
static inline int rmfg_glpk_capture_hook(void *info, const char *s) {
    rmfg_glpk_capture *c = (rmfg_glpk_capture *)info;
    if (c == 0 || s == 0 || c->buffer == 0 || c->capacity == 0) return 1;
    size_t n = strlen(s);
    size_t room = c->capacity - 1 - c->length;
    if (n > room) n = room;
    memcpy(c->buffer + c->length, s, n);
    c->length += n;
    c->buffer[c->length] = 0;
    return 1;
}

// Routes the calling thread's GLPK terminal output into `capture` (GLPK's
// environment, and so the hook, is per thread). Call rmfg_glpk_silence()
// before `capture` goes out of scope.
static inline void rmfg_glpk_capture_begin(rmfg_glpk_capture *capture) {
    glp_term_hook(rmfg_glpk_capture_hook, capture);
    glp_term_out(GLP_ON);
}
#endif
