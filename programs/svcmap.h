/* SPDX-License-Identifier: BSD-2-Clause */
/* svcmap.h: service-map edges and TCP socket events shared by svcmap.bpf.c and its loader. */
#ifndef BPFGATE_SVCMAP_H
#define BPFGATE_SVCMAP_H

#define SVCMAP_COMM_LEN 16

/* Which side of the connection the process is on (svcmap_edge_key.dir). */
#define SVCMAP_DIR_CONNECT 1	/* the process connected out: a client */
#define SVCMAP_DIR_ACCEPT 2	/* the process accepted: a server */

/* svcmap_event.type */
#define SVCMAP_EV_CONNECT 1
#define SVCMAP_EV_ACCEPT 2
#define SVCMAP_EV_CLOSE 3

/* Indexes of the per-CPU `stats` array. */
enum svcmap_stat {
	SVCMAP_STAT_CONNECT,		/* outgoing TCP connections seen */
	SVCMAP_STAT_ACCEPT,		/* accepted TCP connections */
	SVCMAP_STAT_CLOSE,		/* closes of tracked sockets */
	SVCMAP_STAT_CLOSE_UNTRACKED,	/* closes of sockets opened before attach (or lost) */
	SVCMAP_STAT_EVENT_DROPS,	/* events lost: ring buffer full */
	SVCMAP_STAT_TABLE_FULL,		/* socket or edge table could not take an entry */
	SVCMAP_STAT_MAX,
};

/*
 * An edge of the service map: a process and the service it talks to. For a
 * client the service is the remote address and port; for a server it is its
 * own listening port, and addr is the client's address.
 */
struct svcmap_edge_key {
	__u32 tgid;
	__u16 port;	/* service port, host order */
	__u8 family;	/* AF_INET or AF_INET6 */
	__u8 dir;	/* SVCMAP_DIR_* */
	__u8 addr[16];	/* peer address, network order; IPv4 in the first 4 bytes */
};

struct svcmap_edge {
	__u64 connections;	/* opened */
	__u64 closed;
	__u64 bytes_sent;	/* acknowledged by the peer, summed at close */
	__u64 bytes_received;
	__u64 first_ns;
	__u64 last_ns;
	char comm[SVCMAP_COMM_LEN];
};

struct svcmap_event {
	__u64 ts_ns;
	__u64 duration_ns;	/* close: since connect/accept */
	__u64 bytes_sent;	/* close only */
	__u64 bytes_received;	/* close only */
	__u32 tgid;
	__u16 lport;		/* host order */
	__u16 rport;		/* host order */
	__u8 type;		/* SVCMAP_EV_* */
	__u8 family;
	__u8 dir;		/* SVCMAP_DIR_* */
	__u8 pad;
	__u8 laddr[16];
	__u8 raddr[16];
	char comm[SVCMAP_COMM_LEN];
};

#endif
