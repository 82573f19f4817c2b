#ifndef RMFG_CGLPK_SHIM_H
#define RMFG_CGLPK_SHIM_H
// GLPK (GNU Linear Programming Kit), Debian `libglpk-dev`, Homebrew `glpk`.
// Only the LinearProgramming module imports this module.
#include <glpk.h>

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
#endif
