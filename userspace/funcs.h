/* SPDX-License-Identifier: GPL-2.0 */
/* funcs GLOB: which probe kinds the functions GLOB matches can take. */
#ifndef STACKTAPCTL_FUNCS_H
#define STACKTAPCTL_FUNCS_H

/* argv[1] is GLOB or MOD:GLOB; 0, 1 on failure, -1 for usage. */
int cmd_funcs(int argc, char **argv, int json);

#endif
