/*
 * A tiny TAP (Test Anything Protocol) producer for the C unit tests.
 *
 *     plan(3);                      or nothing, and done_testing() at the end
 *     ok(x > 0, "x is positive (%d)", x);
 *     is_int(got, 42, "the answer");
 *     is_str(name, "API", "component %d is named", id);
 *     diag("a comment on stderr");
 *     return done_testing();        exit status: 0 only if all passed
 *
 * Every function returns whether its test passed, so that a test can guard
 * the ones that depend on it.
 */

#ifndef _TAP_H_INCLUDED_
#define _TAP_H_INCLUDED_


#include <stdarg.h>
#include <stdio.h>
#include <string.h>


#define TAP_API  static __attribute__((unused))
#define TAP_FMT(f, a)  __attribute__((format(printf, f, a)))


static int  tap_planned = -1;
static int  tap_run;
static int  tap_failed;


TAP_API void
plan(int n)
{
    tap_planned = n;
    printf("1..%d\n", n);
    fflush(stdout);
}


TAP_API TAP_FMT(1, 2) void
diag(const char *fmt, ...)
{
    va_list  args;

    fflush(stdout);
    fputs("# ", stderr);
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fputc('\n', stderr);
    fflush(stderr);
}


static void
tap_vreport(int pass, const char *file, int line, const char *fmt,
    va_list args)
{
    tap_run++;

    printf("%sok %d - ", pass ? "" : "not ", tap_run);
    vprintf(fmt, args);
    putchar('\n');
    fflush(stdout);

    if (!pass) {
        tap_failed++;
        diag("  Failed test at %s line %d.", file, line);
    }
}


TAP_API TAP_FMT(4, 5) int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list  args;

    va_start(args, fmt);
    tap_vreport(pass, file, line, fmt, args);
    va_end(args);

    return pass;
}


TAP_API TAP_FMT(5, 6) int
tap_is_int(long long got, long long expected, const char *file, int line,
    const char *fmt, ...)
{
    int      pass;
    va_list  args;

    pass = got == expected;

    va_start(args, fmt);
    tap_vreport(pass, file, line, fmt, args);
    va_end(args);

    if (!pass) {
        diag("         got: %lld", got);
        diag("    expected: %lld", expected);
    }

    return pass;
}


TAP_API TAP_FMT(5, 6) int
tap_is_str(const char *got, const char *expected, const char *file,
    int line, const char *fmt, ...)
{
    int      pass;
    va_list  args;

    if (got == NULL || expected == NULL) {
        pass = got == expected;

    } else {
        pass = strcmp(got, expected) == 0;
    }

    va_start(args, fmt);
    tap_vreport(pass, file, line, fmt, args);
    va_end(args);

    if (!pass) {
        diag("         got: %s%s%s", got ? "'" : "", got ? got : "NULL",
             got ? "'" : "");
        diag("    expected: %s%s%s", expected ? "'" : "",
             expected ? expected : "NULL", expected ? "'" : "");
    }

    return pass;
}


/* prints the plan if none was given; the process's exit status */
TAP_API int
done_testing(void)
{
    if (tap_planned < 0) {
        printf("1..%d\n", tap_run);
        fflush(stdout);

    } else if (tap_planned != tap_run) {
        diag("Looks like you planned %d tests but ran %d.", tap_planned,
             tap_run);
        return 255;
    }

    if (tap_failed) {
        diag("Looks like you failed %d test%s of %d.", tap_failed,
             tap_failed == 1 ? "" : "s", tap_run);
    }

    return tap_failed > 254 ? 254 : tap_failed;
}


#define ok(cond, ...)                                                        \
    tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, expected, ...)                                           \
    tap_is_int((long long) (got), (long long) (expected), __FILE__,          \
               __LINE__, __VA_ARGS__)

#define is_str(got, expected, ...)                                           \
    tap_is_str((got), (expected), __FILE__, __LINE__, __VA_ARGS__)


#endif /* _TAP_H_INCLUDED_ */
