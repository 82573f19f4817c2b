/*
 * robustmfg.h — the C ABI of RobustMFG (librobustmfg.so / librobustmfg.dylib).
 *
 * Build:   swift build -c release --product robustmfg   (or `make python`)
 * Library: .build/release/librobustmfg.so (Linux), .build/release/librobustmfg.dylib (macOS)
 *
 * Conventions
 * - Only plain C types cross: caller-owned double buffers (row-major for matrices),
 *   NUL-terminated UTF-8 strings, 64-bit lengths, and opaque handles.
 * - Every function that can fail returns a status (RMFG_OK, ...) and, when `error` is
 *   not NULL, stores an error handle there on failure (NULL on success). The error's
 *   message is one line naming the field, the text `rmfg` prints after "rmfg: error: "
 *   (game-file errors are identical; argument errors name the parameter, e.g. "nominal:"
 *   where the CLI names the flag "--nominal:").
 * - Every handle the library returns (rmfg_error, rmfg_result, rmfg_game) is freed by
 *   its free function. Handles are checked: a NULL, freed or foreign pointer passed
 *   where a handle is expected gives an error (or -1 / NULL from accessors) rather
 *   than a crash. Strings returned by accessors are owned by the handle and live
 *   until it is freed.
 * - Bad input returns RMFG_ERROR_INPUT; nothing aborts the host process. Buffers are
 *   read only within the lengths given, and pointers are checked for NULL; the
 *   caller must still pass buffers of at least the stated lengths.
 * - Thread safety: every function may be called from several threads at once; handles
 *   are immutable after creation (a game may be solved from several threads). GLPK is
 *   used inside one call on one thread and never kept between calls.
 */
#ifndef ROBUSTMFG_H
#define ROBUSTMFG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RMFG_VERSION_MAJOR 0
#define RMFG_VERSION_MINOR 3
#define RMFG_VERSION_PATCH 0
#define RMFG_VERSION "0.3.0"
/* Bumped on every incompatible change of this header. A new MINOR version only adds
 * functions (0.2: rmfg_worst_case_polyhedral, rmfg_game_load_with, rmfg_game_parse_with;
 * 0.3: rmfg_game_solve_coarse);
 * every function of an older minor version keeps its signature and behaviour. */
#define RMFG_ABI_VERSION 1

/* Status codes. */
#define RMFG_OK 0
#define RMFG_ERROR_FAILED 1       /* the computation ran but failed (numerical failure, LP not optimal) */
#define RMFG_ERROR_INPUT 2        /* invalid input (the CLI's exit status 2) */
#define RMFG_ERROR_OUT_OF_RANGE 3 /* a quantity to report is beyond the double range */

typedef struct rmfg_error rmfg_error;
typedef struct rmfg_result rmfg_result;
typedef struct rmfg_game rmfg_game;

/* "MAJOR.MINOR.PATCH" of the library (static storage). */
const char *rmfg_version(void);
/* RMFG_ABI_VERSION of the library; compare with the header's before use. */
int32_t rmfg_abi_version(void);

/* Errors. */
int32_t rmfg_error_status(const rmfg_error *error);      /* -1 if not a live error */
const char *rmfg_error_message(const rmfg_error *error); /* one line; NULL if not a live error */
const char *rmfg_error_field(const rmfg_error *error);   /* e.g. "nominal", "ambiguity.radius" */
void rmfg_error_free(rmfg_error *error);

/* Results: a JSON document (the fields of the matching `rmfg ... --format json`) and
 * named arrays of doubles. */
const char *rmfg_result_json(const rmfg_result *result);
int64_t rmfg_result_length(const rmfg_result *result, const char *name); /* -1: no such array */
int32_t rmfg_result_copy(const rmfg_result *result, const char *name, double *buffer, int64_t length,
                         rmfg_error **error);
void rmfg_result_free(rmfg_result *result);

/* Live handles of every kind (for leak checks). */
int64_t rmfg_live_handles(void);

/*
 * One inner problem sigma = min_{q in U} q.V (`rmfg worst-case`).
 *   set:      "none", "tv", "l1", "linf", "wasserstein", "kl" or "chi2" (moment and polyhedral
 *             sets: rmfg_worst_case_polyhedral)
 *   n:        states; nominal and values hold n doubles each
 *   support:  "simplex" (NULL: default) or "nominal"
 *   weights:  l1 only, n doubles > 0, or NULL (all 1)
 *   cost:     wasserstein only, n*n doubles row-major, or NULL
 *   cost_expression: wasserstein only, an expression in s, t (NULL: "abs(s - t)" unless cost)
 *   method:   "closed-form" (NULL: default), "lp" or "both" (polyhedral sets)
 *   exact:    non-zero: the LP in exact rational arithmetic
 * Result arrays: "distribution" (n), and "lp.distribution" for method "both".
 */
int32_t rmfg_worst_case(const char *set, int64_t n, const double *nominal, const double *values, double radius,
                        const char *support, const double *weights, const double *cost, const char *cost_expression,
                        const char *method, int32_t exact, rmfg_result **result, rmfg_error **error);

/*
 * Since 0.2. One moment or polyhedral inner problem sigma = min_{q in U} q.V, solved as a
 * linear program by GLPK and certified by its duals (`rmfg worst-case --set moment|polyhedral`):
 *   set "polyhedral": U = {q in the simplex : A q (rel) b}, row k named "c<k+1>";
 *   set "moment":     U = {q in the simplex : |sum_t F[k][t] (q_t - p_t)| <= eps_k}, rows
 *                     "moment<k+1>_low" and "moment<k+1>_high";
 *   either one intersected with a ball when `within` is not NULL.
 *   n:         states; nominal and values hold n doubles each (p must lie in U)
 *   rows:      constraints (polyhedral) or features (moment), >= 1
 *   matrix:    rows*n doubles row-major: A (polyhedral) or F (moment)
 *   relations: polyhedral: rows relations "<=", "=" or ">=", comma-separated (e.g. "<=,>=,=");
 *              moment: NULL
 *   bounds:    bound_count doubles: b (polyhedral, bound_count = rows) or
 *              eps >= 0 (moment, bound_count 1 for every feature, or rows)
 *   within:    NULL, or "tv", "l1", "linf" or "wasserstein" (ground cost |s - t|/n, as a
 *              constraints file's `within`), of radius within_radius >= 0
 *   support:   "simplex" (NULL: default) or "nominal"
 *   exact:     non-zero: the LP in exact rational arithmetic
 * Errors name the argument: nominal, values, constraints / features, relations, bounds /
 * radius, within, within.radius, support; "nominal: p is outside the set: ..." when p
 * violates a row (so an empty set is reported there), "set: polyhedral: ..." when the LP
 * is not solved to optimality.
 * Result: the JSON of `rmfg worst-case --set polyhedral --format json` (value, distribution,
 * method "lp", certificate, dual by row name, kktResidual, exact, failures, passed) and the
 * array "distribution" (n).
 */
int32_t rmfg_worst_case_polyhedral(const char *set, int64_t n, const double *nominal, const double *values, int64_t rows,
                                   const double *matrix, const char *relations, const double *bounds, int64_t bound_count,
                                   const char *within, double within_radius, const char *support, int32_t exact,
                                   rmfg_result **result, rmfg_error **error);

/*
 * k inner problems of one set in one call, on `threads` threads (0: every core).
 *   nominal, values: k*n doubles, row-major; radii: radius_count doubles (1: shared, or k)
 *   out_values: k doubles (sigma per row), required
 *   out_q: k*n doubles or NULL; out_gap: k doubles (certificate gap) or NULL.
 *   With out_q and out_gap NULL, each row takes the allocation-light value path;
 *   otherwise the certified closed form.
 * Every row is validated; the error names the lowest invalid row ("row 17: nominal: ...").
 */
int32_t rmfg_worst_case_batch(const char *set, int64_t k, int64_t n, const double *nominal, const double *values,
                              const double *radii, int64_t radius_count, const char *support, const double *weights,
                              const double *cost, const char *cost_expression, int32_t threads, double *out_values,
                              double *out_q, double *out_gap, rmfg_error **error);

/* Games (Docs/Format.md). `name` is used in error messages (NULL: "<game>"). */
int32_t rmfg_game_load(const char *path, rmfg_game **game, rmfg_error **error);
int32_t rmfg_game_parse(const char *text, const char *name, int32_t json, rmfg_game **game, rmfg_error **error);
/*
 * Since 0.2. As rmfg_game_load / rmfg_game_parse, with the flags `--param NAME=VALUE` and
 * `--initial FILE` of every `rmfg` command that reads a game:
 *   params:         NULL, or "NAME=VALUE" lines; VALUE a number or a JSON array of numbers
 *                   (nested for a matrix), parsed as `--param` parses it; NAME must be a
 *                   parameter the file declares. Applied in order before the file is read.
 *   initial:        NULL, or initial_length doubles: the starting mean field, in place of
 *                   the file's `initial` (n entries >= 0 summing to 1 within 1e-9)
 *   initial_path:   NULL, or a file read as `--initial FILE` (.npy, CSV, or JSON: an array
 *                   or an object with the key meanField); not together with `initial`
 * Errors carry the CLI's message ("GAME: --param: 'w' is not a parameter of the game (known:
 * ...)", "--param: w: found 'abc', expected a number or a JSON array of numbers", "GAME:
 * --initial: ..."); their field is "params" or "initial" ("initial[k]" for entry k). The
 * overrides stay with the game: solver overrides of the functions below re-read it with them.
 */
int32_t rmfg_game_load_with(const char *path, const char *params, const double *initial, int64_t initial_length,
                            const char *initial_path, rmfg_game **game, rmfg_error **error);
int32_t rmfg_game_parse_with(const char *text, const char *name, int32_t json, const char *params,
                             const double *initial, int64_t initial_length, const char *initial_path, rmfg_game **game,
                             rmfg_error **error);
void rmfg_game_free(rmfg_game *game);

/*
 * Overrides (every game function below; NULL for none): "key=value" lines with the keys
 * set, radius, support, temperature, method, damping, learning_rate, tolerance,
 * max_iterations, population, inner, ties (the flags of `rmfg solve`).
 */

/* `rmfg solve`. Result arrays: "meanField" (n), "policy" (n*m), "value", "optimalValue" (n),
 * "trace.exploitability", "trace.stationarityResidual", "trace.meanFieldChange", "trace.seconds". */
int32_t rmfg_game_solve(const rmfg_game *game, const char *overrides, int32_t verify, rmfg_result **result,
                        rmfg_error **error);

/* Since 0.3. `rmfg solve --coarse-start --coarsest-states COARSEST` (COARSEST >= 1; 4096 is the
 * CLI's default): for a grid game whose sides are parameters, the game is solved on coarser grids
 * first (each side halved while a level has more than COARSEST states), each level started from
 * the one below spread over 2x2 blocks, and the game from the last one spread over its grid. The
 * result is rmfg_game_solve's, its JSON with "coarseStart" (one object per level, coarsest
 * first). Errors: invalid input (field "coarse_start") for a grid not sized by parameters, a game
 * loaded with a starting mean field, or a level that does not load; "coarsest_states" for
 * COARSEST < 1; a failure when a level's solve fails numerically. */
int32_t rmfg_game_solve_coarse(const rmfg_game *game, const char *overrides, int32_t verify, int64_t coarsest,
                               rmfg_result **result, rmfg_error **error);

/* `rmfg evaluate`: policy n*m (row-major), mean_field n. Result arrays: "value", "optimalValue",
 * "bestResponse" (n*m), "populationUpdate" (n). */
int32_t rmfg_game_evaluate(const rmfg_game *game, const double *policy, int64_t states, int64_t actions,
                           const double *mean_field, int64_t mean_field_length, const char *overrides,
                           rmfg_result **result, rmfg_error **error);

/* `rmfg sweep`: sets comma-separated, radii radius_count doubles, test_radius NaN for the
 * largest radius, samples random kernels per cell, seed. JSON only (no arrays). */
int32_t rmfg_game_sweep(const rmfg_game *game, const char *sets, const double *radii, int64_t radius_count,
                        double test_radius, int64_t samples, uint64_t seed, const char *overrides,
                        rmfg_result **result, rmfg_error **error);

#ifdef __cplusplus
}
#endif

#endif /* ROBUSTMFG_H */
