/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CLONE3_INIT_KSELFTESTS_H
#define CLONE3_INIT_KSELFTESTS_H

/* Helpers of init.c that kselftests.c uses. */
void say(const char *fmt, const char *arg);
int open_raw(const char *path);
void put(int fd, const char *s);
char *cmdline_value(const char *key);

/*
 * Run upstream's selftests of every set named by clone3.kselftests= on the
 * command line, framed on ttyS3; add "CLONE3-KSELFTESTS <n>" to the result
 * port RES when done.
 */
void run_kselftests(int res);

#endif
