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
	/* more attributes, from put_data; NULL for none */
	void (*put)(struct nlmsghdr *nlh, void *put_data);
	void *put_data;
	/* out: the kernel's reason on failure, "" if it gave none */
	char why[256];
};

/* 0, or a positive errno with req->why set; ENOENT without the family. */
int st_request(struct st_req *req);

/* A socket kept open for several requests, or for a record stream. */
struct st_conn {
	struct mnl_socket *nl;
	uint16_t family;
};
int st_conn_open(struct st_conn *conn);
void st_conn_close(struct st_conn *conn);
int st_conn_request(struct st_conn *conn, struct st_req *req);
/* One read of unasked messages through @cb: 0, -1 when @cb stopped, or an errno. */
int st_conn_receive(struct st_conn *conn, mnl_cb_t cb, void *data);

#endif
