/* SPDX-License-Identifier: GPL-2.0 */
#ifndef STACKTAPCTL_NL_H
#define STACKTAPCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

/* One request to the stacktap family; replies go to cb(nlh, data). */
struct st_req {
	uint8_t cmd;
	bool dump;
	const char *spec;	/* STACKTAP_A_SPEC, or NULL */
	uint32_t id;		/* STACKTAP_A_PROBE_ID when has_id */
	bool has_id;
	mnl_cb_t cb;
	void *data;
	/* out: the kernel's reason on failure, "" if it gave none */
	char why[256];
};

/* 0, or a positive errno with req->why set; ENOENT without the family. */
int st_request(struct st_req *req);

#endif
