/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel tracepoint by name: most are not exported as symbols a module
 * can link against, but every one can be found and probed through
 * for_each_kernel_tracepoint() and tracepoint_probe_register().
 */
#ifndef _STACKTAP_WRAPPER_TRACEPOINT_H
#define _STACKTAP_WRAPPER_TRACEPOINT_H

#include <linux/tracepoint.h>

struct tracepoint *st_tracepoint_find(const char *name);

#endif /* _STACKTAP_WRAPPER_TRACEPOINT_H */
