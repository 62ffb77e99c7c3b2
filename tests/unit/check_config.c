/*
 * Unit tests for router.json (router-json/config*.c): bad routers first, each
 * a good one with one or two keys changed and the message it must give;
 * then defaults, the template view and config_load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "suites.h"

/* A good router: two networks, two forwards, one peer. */
static const char good[] =
    "{\"router_id\":\"tenant42\","
    "\"node\":{\"name\":\"r1\",\"priority\":150,"
    "\"vrrp_address\":\"10.1.0.2\"},"
    "\"vrrp\":{\"advert_ms\":100,\"preempt\":false,\"unicast\":true,"
    "\"interface\":\"eth1\"},"
    "\"sync\":{\"interface\":\"eth2\",\"address\":\"10.255.0.1/24\","
    "\"peers\":[{\"name\":\"r2\",\"address\":\"10.255.0.2\","
    "\"vrrp_address\":\"10.1.0.3\"}]},"
    "\"public\":{\"interface\":\"eth0\",\"vip\":\"203.0.113.10\","
    "\"prefix\":32,\"gateway\":\"198.51.100.1\",\"vrid\":51},"
    "\"networks\":["
    "{\"name\":\"lan0\",\"interface\":\"eth1\",\"cidr\":\"10.1.0.0/24\","
    "\"gateway\":\"10.1.0.1\",\"vrid\":52},"
    "{\"name\":\"lan1\",\"interface\":\"eth3\",\"cidr\":\"10.2.0.0/24\","
    "\"gateway\":\"10.2.0.1\",\"vrid\":53}],"
    "\"port_forwards\":["
    "{\"proto\":\"tcp\",\"public_port\":2222,\"host\":\"10.1.0.5\","
    "\"port\":22},"
    "{\"proto\":\"udp\",\"public_port\":2222,\"host\":\"10.2.0.7\"}],"
    "\"host_channel\":{\"port\":\"/dev/virtio-ports/org.vrouter.0\"},"
    "\"conntrackd\":{\"enabled\":true,\"port\":3780,\"hash_size\":32768,"
    "\"max_entries\":262144}}";

/* Only what has no default. */
static const char minimal[] =
    "{\"router_id\":\"t\",\"node\":{\"name\":\"a\",\"priority\":100,"
    "\"vrrp_address\":\"172.16.0.2\"},"
    "\"sync\":{\"interface\":\"s0\",\"address\":\"10.9.9.1/31\","
    "\"peers\":[{\"name\":\"b\",\"address\":\"10.9.9.0\","
    "\"vrrp_address\":\"172.16.0.3\"}]},"
    "\"public\":{\"interface\":\"p0\",\"vip\":\"198.51.100.7\","
    "\"gateway\":\"198.51.100.1\",\"vrid\":1},"
    "\"networks\":[{\"name\":\"n\",\"interface\":\"n0\","
    "\"cidr\":\"172.16.0.0/12\",\"gateway\":\"172.31.255.254\","
    "\"vrid\":2}]}";

#define LONG33	"\"abcdefghijklmnopqrstuvwxyz0123456\""
#define LONG30	"\"abcdefghijklmnopqrstuvwxyz0123\""
#define PATH110	"\"/dev/virtio-ports/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\""
#define PEER(n, a) "{\"name\":\"" n "\",\"address\":\"" a "\"}"
#define NET(n, i, c, g, v) "{\"name\":\"" n "\",\"interface\":\"" i "\"," \
		"\"cidr\":\"" c "\",\"gateway\":\"" g "\",\"vrid\":" #v "}"

/*
 * A change to good: set the key at path (dots and [i]; an index one past
 * the end appends) to the JSON value, or delete it when value is NULL.
 */
struct patch {
	const char	*path;
	const char	*value;
};

static const struct {
	struct patch	 p[3];
	const char	*err;		/* expected start of the message */
} bad[] = {
	/* the document */
	{ { { "", "[]" } }, "not a JSON object" },
	{ { { "routr_id", "\"x\"" } }, "routr_id: unknown key" },
	{ { { "router_id", NULL } }, "router_id: missing" },
	{ { { "router_id", "42" } }, "router_id: not a string" },
	{ { { "router_id", "\"a b\"" } }, "router_id: \"a b\": not a name "
	    "(1..32 of A-Z a-z 0-9 _ . -)" },
	{ { { "router_id", "\"\"" } }, "router_id: \"\": not a name" },
	{ { { "router_id", LONG33 } }, "router_id: " LONG33 ": not a name" },
	{ { { "router_id", "\"t/x\"" } }, "router_id: \"t/x\": not a name" },

	/* node */
	{ { { "node", NULL } }, "node: missing" },
	{ { { "node", "[]" } }, "node: not an object" },
	{ { { "node.prio", "1" } }, "node.prio: unknown key" },
	{ { { "node.name", NULL } }, "node.name: missing" },
	{ { { "node.name", "\"r{1}\"" } }, "node.name: \"r{1}\": not a name" },
	{ { { "node.priority", "0" } }, "node.priority: 0: out of range "
	    "(1..254)" },
	{ { { "node.priority", "255" } }, "node.priority: 255: out of range "
	    "(1..254)" },
	{ { { "node.priority", "\"150\"" } }, "node.priority: not an "
	    "integer" },
	{ { { "node.priority", "150.0" } }, "node.priority: not an integer" },
	{ { { "node.priority", "true" } }, "node.priority: not an integer" },

	/* vrrp */
	{ { { "vrrp", "true" } }, "vrrp: not an object" },
	{ { { "vrrp.advert_ms", "5" } }, "vrrp.advert_ms: 5: out of range "
	    "(10..40950)" },
	{ { { "vrrp.advert_ms", "0" } }, "vrrp.advert_ms: 0: out of range" },
	{ { { "vrrp.advert_ms", "-10" } }, "vrrp.advert_ms: -10: out of "
	    "range" },
	{ { { "vrrp.advert_ms", "40960" } }, "vrrp.advert_ms: 40960: out of "
	    "range (10..40950)" },
	{ { { "vrrp.advert_ms", "15" } }, "vrrp.advert_ms: 15: not a multiple "
	    "of 10" },
	{ { { "vrrp.advert_ms", "1005" } }, "vrrp.advert_ms: 1005: not a "
	    "multiple of 10" },
	{ { { "vrrp.preempt", "1" } }, "vrrp.preempt: not a boolean" },
	{ { { "vrrp.unicst", "true" } }, "vrrp.unicst: unknown key" },
	{ { { "vrrp.interface", "\"eth2\"" } }, "vrrp.interface: \"eth2\": "
	    "not the interface of one of the networks (the adverts go over a "
	    "private network both nodes share)" },
	{ { { "vrrp.interface", "\"eth0\"" } }, "vrrp.interface: \"eth0\": "
	    "not the interface of one of the networks" },
	{ { { "vrrp.interface", "\"eth 1\"" } }, "vrrp.interface: \"eth 1\": "
	    "not an interface name" },
	{ { { "vrrp.interface", "\"eth3\"" } }, "node.vrrp_address: "
	    "\"10.1.0.2\": outside networks[1].cidr 10.2.0.0/24, the network "
	    "of vrrp.interface \"eth3\"" },
	{ { { "node.vrrp_address", NULL } }, "node.vrrp_address: missing "
	    "(unicast VRRP adverts go between the nodes' addresses on "
	    "vrrp.interface \"eth1\")" },
	{ { { "node.vrrp_address", "\"10.1.0.1\"" } }, "node.vrrp_address: "
	    "\"10.1.0.1\": is networks[0].gateway, which moves with the "
	    "MASTER" },
	{ { { "node.vrrp_address", "\"10.1.0.255\"" } }, "node.vrrp_address: "
	    "\"10.1.0.255\": not a host address of networks[0].cidr "
	    "10.1.0.0/24" },
	{ { { "node.vrrp_address", "\"10.1.0\"" } }, "node.vrrp_address: "
	    "\"10.1.0\": not an IPv4 address" },
	{ { { "sync.peers[0].vrrp_address", NULL } }, "sync.peers[0]."
	    "vrrp_address: missing (unicast VRRP" },
	{ { { "sync.peers[0].vrrp_address", "\"10.255.0.2\"" } },
	    "sync.peers[0].vrrp_address: \"10.255.0.2\": outside "
	    "networks[0].cidr 10.1.0.0/24" },
	{ { { "sync.peers[0].vrrp_address", "\"10.1.0.2\"" } },
	    "sync.peers[0].vrrp_address: \"10.1.0.2\": is this node's "
	    "node.vrrp_address" },
	{ { { "sync.peers[0].vrrp_address", "\"10.1.0.3\"" },
	    { "sync.peers[1]", "{\"name\":\"r3\",\"address\":\"10.255.0.3\","
	    "\"vrrp_address\":\"10.1.0.3\"}" },
	    { "conntrackd.enabled", "false" } },
	    "sync.peers[1].vrrp_address: \"10.1.0.3\": already used by "
	    "sync.peers[0].vrrp_address" },

	/* sync */
	{ { { "sync", NULL } }, "sync: missing" },
	{ { { "sync.interface", "\"eth 2\"" } }, "sync.interface: \"eth 2\": "
	    "not an interface name (1..15 of A-Z a-z 0-9 _ . -)" },
	{ { { "sync.interface", "\"abcdefghijklmnop\"" } }, "sync.interface: "
	    "\"abcdefghijklmnop\": not an interface name" },
	{ { { "sync.interface", "\"..\"" } }, "sync.interface: \"..\": not an "
	    "interface name" },
	{ { { "sync.interface", "\"\"" } }, "sync.interface: \"\": not an "
	    "interface name" },
	{ { { "sync.address", "\"10.255.0.1\"" } }, "sync.address: "
	    "\"10.255.0.1\": not an IPv4 prefix (A.B.C.D/LEN)" },
	{ { { "sync.address", "\"10.255.0/24\"" } }, "sync.address: "
	    "\"10.255.0/24\": not an IPv4 prefix" },
	{ { { "sync.address", "\"10.255.0.1/024\"" } }, "sync.address: "
	    "\"10.255.0.1/024\": not an IPv4 prefix" },
	{ { { "sync.address", "\"10.255.0.1/+4\"" } }, "sync.address: "
	    "\"10.255.0.1/+4\": not an IPv4 prefix" },
	{ { { "sync.address", "\"10.255.0.1/24x\"" } }, "sync.address: "
	    "\"10.255.0.1/24x\": not an IPv4 prefix" },
	{ { { "sync.address", "\"10.255.0.1/33\"" } }, "sync.address: "
	    "\"10.255.0.1/33\": prefix length out of range (8..31)" },
	{ { { "sync.address", "\"10.255.0.1/32\"" } }, "sync.address: "
	    "\"10.255.0.1/32\": prefix length out of range (8..31)" },
	{ { { "sync.address", "\"10.255.0.0/24\"" } }, "sync.address: "
	    "\"10.255.0.0/24\": not a host address of its subnet" },
	{ { { "sync.address", "\"10.255.0.255/24\"" } }, "sync.address: "
	    "\"10.255.0.255/24\": not a host address of its subnet" },
	{ { { "sync.address", "\"127.0.0.1/8\"" } }, "sync.address: "
	    "\"127.0.0.1/8\": not a unicast range" },
	{ { { "sync.address", "\"10.1.0.9/24\"" } }, "sync.address: "
	    "\"10.1.0.9/24\": overlaps networks[0].cidr \"10.1.0.0/24\"" },
	{ { { "sync.address", "\"10.2.0.9/16\"" } }, "sync.address: "
	    "\"10.2.0.9/16\": overlaps networks[1].cidr \"10.2.0.0/24\"" },
	{ { { "sync.address", "\"203.0.113.9/24\"" },
	    { "sync.peers[0].address", "\"203.0.113.8\"" } },
	    "sync.address: \"203.0.113.9/24\": overlaps public.vip "
	    "\"203.0.113.10/32\"" },
	{ { { "sync.address", "\"198.51.100.9/24\"" },
	    { "sync.peers[0].address", "\"198.51.100.8\"" } },
	    "public.gateway: \"198.51.100.1\": inside the sync subnet of "
	    "sync.address \"198.51.100.9/24\"" },
	{ { { "sync.peers", "{}" } }, "sync.peers: not an array" },
	{ { { "sync.peers", "[]" } }, "sync.peers: none, but unicast VRRP "
	    "(vrrp.unicast) needs at least one" },
	{ { { "sync.peers", NULL } }, "sync.peers: none, but unicast VRRP" },
	{ { { "sync.peers", "[]" }, { "vrrp.unicast", "false" } },
	    "sync.peers: 0, but conntrackd state sync (FTFW over UDP) needs "
	    "exactly one" },
	{ { { "sync.peers[1]", PEER("r3", "10.255.0.3") } }, "sync.peers: 2, "
	    "but conntrackd state sync" },
	{ { { "sync.peers", "[" PEER("a", "10.255.0.2") "," PEER("b",
	    "10.255.0.3") "," PEER("c", "10.255.0.4") "," PEER("d",
	    "10.255.0.5") "," PEER("e", "10.255.0.6") "]" } },
	    "sync.peers: more than 4 entries" },
	{ { { "sync.peers[0]", "\"r2\"" } }, "sync.peers[0]: not an object" },
	{ { { "sync.peers[0].port", "1" } }, "sync.peers[0].port: unknown "
	    "key" },
	{ { { "sync.peers[0].address", "\"10.255.0.256\"" } },
	    "sync.peers[0].address: \"10.255.0.256\": not an IPv4 address" },
	{ { { "sync.peers[0].address", "\"224.0.0.18\"" } },
	    "sync.peers[0].address: \"224.0.0.18\": not a unicast host "
	    "address" },
	{ { { "sync.peers[0].address", "\"10.9.0.2\"" } },
	    "sync.peers[0].address: \"10.9.0.2\": outside the sync subnet "
	    "10.255.0.0/24" },
	{ { { "sync.peers[0].address", "\"10.255.0.1\"" } },
	    "sync.peers[0].address: \"10.255.0.1\": is this node's "
	    "sync.address" },
	{ { { "sync.peers[0].address", "\"10.255.0.255\"" } },
	    "sync.peers[0].address: \"10.255.0.255\": not a host address of "
	    "the sync subnet" },
	{ { { "sync.peers[0].name", "\"r1\"" } }, "sync.peers[0].name: \"r1\": "
	    "is this node's node.name" },
	{ { { "sync.peers[1]", PEER("r2", "10.255.0.3") } },
	    "sync.peers[1].name: \"r2\": already used by sync.peers[0].name" },
	{ { { "sync.peers[1]", PEER("r3", "10.255.0.2") } },
	    "sync.peers[1].address: \"10.255.0.2\": already used by "
	    "sync.peers[0].address" },

	/* public */
	{ { { "public", NULL } }, "public: missing" },
	{ { { "public.interface", "\"eth2\"" } }, "public.interface: \"eth2\": "
	    "already used by sync.interface" },
	{ { { "public.vip", NULL } }, "public.vip: missing" },
	{ { { "public.vip", "\"203.0.113\"" } }, "public.vip: \"203.0.113\": "
	    "not an IPv4 address" },
	{ { { "public.vip", "\"0.1.2.3\"" } }, "public.vip: \"0.1.2.3\": not a "
	    "unicast host address" },
	{ { { "public.vip", "\"255.255.255.255\"" } }, "public.vip: "
	    "\"255.255.255.255\": not a unicast" },
	{ { { "public.vip", "\"10.1.0.9\"" } }, "public.vip: \"10.1.0.9\": "
	    "inside networks[0].cidr \"10.1.0.0/24\"" },
	{ { { "public.vip", "\"10.255.0.9\"" } }, "sync.address: "
	    "\"10.255.0.1/24\": overlaps public.vip \"10.255.0.9/32\"" },
	{ { { "public.vip", "\"10.200.0.10\"" }, { "public.prefix", "8" } },
	    "public.prefix: 8: \"10.200.0.10/8\" overlaps networks[0].cidr "
	    "\"10.1.0.0/24\"" },
	{ { { "public.vip", "\"203.0.113.0\"" }, { "public.prefix", "24" } },
	    "public.vip: \"203.0.113.0\": not a host address of its /24" },
	{ { { "public.vip", "\"203.0.113.255\"" }, { "public.prefix", "24" } },
	    "public.vip: \"203.0.113.255\": not a host address of its /24" },
	{ { { "public.prefix", "33" } }, "public.prefix: 33: out of range "
	    "(8..32)" },
	{ { { "public.prefix", "\"32\"" } }, "public.prefix: not an integer" },
	{ { { "public.gateway", NULL } }, "public.gateway: missing" },
	{ { { "public.gateway", "\"203.0.113.10\"" } }, "public.gateway: "
	    "\"203.0.113.10\": is the VIP" },
	{ { { "public.gateway", "\"10.1.0.254\"" } }, "public.gateway: "
	    "\"10.1.0.254\": inside networks[0].cidr \"10.1.0.0/24\"" },
	{ { { "public.vrid", NULL } }, "public.vrid: missing" },
	{ { { "public.vrid", "0" } }, "public.vrid: 0: out of range (1..255)" },
	{ { { "public.vrid", "256" } }, "public.vrid: 256: out of range "
	    "(1..255)" },
	{ { { "public.vip6", "\"::1\"" } }, "public.vip6: unknown key" },

	/* networks */
	{ { { "networks", NULL } }, "networks: missing" },
	{ { { "networks", "{}" } }, "networks: not an array" },
	{ { { "networks", "[]" } }, "networks: empty (a router needs at least "
	    "one private network)" },
	{ { { "networks[0]", "\"lan0\"" } }, "networks[0]: not an object" },
	{ { { "networks[0].mtu", "1500" } }, "networks[0].mtu: unknown key" },
	{ { { "networks[1].cidr", "\"10.0.1.0/33\"" } }, "networks[1].cidr: "
	    "\"10.0.1.0/33\": prefix length out of range" },
	{ { { "networks[0].cidr", "\"10.1.0.0/31\"" } }, "networks[0].cidr: "
	    "\"10.1.0.0/31\": prefix length out of range (8..30)" },
	{ { { "networks[0].cidr", "\"10.0.0.0/7\"" } }, "networks[0].cidr: "
	    "\"10.0.0.0/7\": prefix length out of range (8..30)" },
	{ { { "networks[0].cidr", "\"10.1.0.1/24\"" } }, "networks[0].cidr: "
	    "\"10.1.0.1/24\": host bits set (the network is 10.1.0.0/24)" },
	{ { { "networks[0].cidr", "\"224.1.0.0/24\"" } }, "networks[0].cidr: "
	    "\"224.1.0.0/24\": not a unicast range" },
	{ { { "networks[0].gateway", "\"10.9.0.1\"" } }, "networks[0].gateway: "
	    "\"10.9.0.1\": outside networks[0].cidr 10.1.0.0/24" },
	{ { { "networks[0].gateway", "\"10.1.0.0\"" } }, "networks[0].gateway: "
	    "\"10.1.0.0\": is the network address of 10.1.0.0/24" },
	{ { { "networks[0].gateway", "\"10.1.0.255\"" } },
	    "networks[0].gateway: \"10.1.0.255\": is the broadcast address of "
	    "10.1.0.0/24" },
	{ { { "networks[1].cidr", "\"10.0.0.0/8\"" } }, "networks[1].cidr: "
	    "\"10.0.0.0/8\": overlaps networks[0].cidr \"10.1.0.0/24\"" },
	{ { { "networks[1].cidr", "\"10.1.0.0/25\"" },
	    { "networks[1].gateway", "\"10.1.0.126\"" } }, "networks[1].cidr: "
	    "\"10.1.0.0/25\": overlaps networks[0].cidr \"10.1.0.0/24\"" },
	{ { { "networks[1].vrid", "51" } }, "networks[1].vrid: 51: already "
	    "used by public.vrid" },
	{ { { "networks[1].vrid", "52" } }, "networks[1].vrid: 52: already "
	    "used by networks[0].vrid" },
	{ { { "networks[1].vrid", "0" } }, "networks[1].vrid: 0: out of "
	    "range (1..255)" },
	{ { { "networks[1].interface", "\"eth1\"" } }, "networks[1].interface: "
	    "\"eth1\": already used by networks[0].interface" },
	{ { { "networks[0].interface", "\"eth0\"" } }, "networks[0].interface: "
	    "\"eth0\": already used by public.interface" },
	{ { { "networks[0].interface", "\"eth2\"" } }, "networks[0].interface: "
	    "\"eth2\": already used by sync.interface" },
	{ { { "networks[1].name", "\"lan0\"" } }, "networks[1].name: \"lan0\": "
	    "already used by networks[0].name" },
	{ { { "networks[0].name", "\"pub\"" } }, "networks[0].name: \"pub\": "
	    "reserved for the public leg" },
	{ { { "networks[0].name", "\"sync\"" } }, "networks[0].name: "
	    "\"sync\": reserved for the sync path (VRRP instance VI_sync)" },
	{ { { "vrrp.sync_path", "\"yes\"" } }, "vrrp.sync_path: not a "
	    "boolean" },
	{ { { "vrrp.sync_vrid", "256" } }, "vrrp.sync_vrid: 256: out of range "
	    "(1..255)" },
	{ { { "sync.peers", "[]" }, { "conntrackd.enabled", "false" },
	    { "vrrp.sync_path", "true" } },
	    "vrrp.sync_path: true, but sync.peers has none" },
	{ { { "networks[0].name", LONG30 } }, "networks[0].name: " LONG30 ": "
	    "longer than 29 bytes" },

	/* port_forwards */
	{ { { "port_forwards", "{}" } }, "port_forwards: not an array" },
	{ { { "port_forwards[0].proto", "\"icmp\"" } }, "port_forwards[0].proto: "
	    "\"icmp\": not \"tcp\" or \"udp\"" },
	{ { { "port_forwards[0].proto", "\"TCP\"" } }, "port_forwards[0].proto: "
	    "\"TCP\": not \"tcp\" or \"udp\"" },
	{ { { "port_forwards[0].proto", NULL } }, "port_forwards[0].proto: "
	    "missing" },
	{ { { "port_forwards[0].public_port", "0" } },
	    "port_forwards[0].public_port: 0: out of range (1..65535)" },
	{ { { "port_forwards[0].public_port", "65536" } },
	    "port_forwards[0].public_port: 65536: out of range (1..65535)" },
	{ { { "port_forwards[0].port", "70000" } }, "port_forwards[0].port: "
	    "70000: out of range (1..65535)" },
	{ { { "port_forwards[0].host", "\"10.9.0.5\"" } },
	    "port_forwards[0].host: \"10.9.0.5\": not inside any of the "
	    "networks" },
	{ { { "port_forwards[0].host", "\"203.0.113.10\"" } },
	    "port_forwards[0].host: \"203.0.113.10\": not inside any" },
	{ { { "port_forwards[0].host", "\"10.1.0.1\"" } },
	    "port_forwards[0].host: \"10.1.0.1\": is networks[0].gateway, the "
	    "router itself" },
	{ { { "port_forwards[0].host", "\"10.1.0.255\"" } },
	    "port_forwards[0].host: \"10.1.0.255\": not a host address of "
	    "networks[0].cidr \"10.1.0.0/24\"" },
	{ { { "port_forwards[1].proto", "\"tcp\"" } },
	    "port_forwards[1].public_port: tcp 2222: already forwarded by "
	    "port_forwards[0]" },
	{ { { "port_forwards[0].to", "22" } }, "port_forwards[0].to: unknown "
	    "key" },

	/* host_channel */
	{ { { "host_channel", "\"/dev/x\"" } }, "host_channel: not an object" },
	{ { { "host_channel.port", "\"dev/vport\"" } }, "host_channel.port: "
	    "\"dev/vport\": not an absolute path" },
	{ { { "host_channel.port", "\"\"" } }, "host_channel.port: \"\": not "
	    "an absolute path" },
	{ { { "host_channel.port", PATH110 } }, "host_channel.port: " },
	{ { { "host_channel.port", "\"/dev/a b\"" } }, "host_channel.port: "
	    "\"/dev/a b\": use only A-Z a-z 0-9 _ . - /" },
	{ { { "host_channel.port", "\"/dev/a\\nb\"" } }, "host_channel.port: "
	    "\"/dev/a\nb\": use only" },
	{ { { "host_channel.enabled", "\"no\"" } }, "host_channel.enabled: not "
	    "a boolean (true or false)" },
	{ { { "host_channel.name", "\"x\"" } }, "host_channel.name: unknown "
	    "key" },

	/* conntrackd */
	{ { { "conntrackd.port", "80" } }, "conntrackd.port: 80: out of range "
	    "(1024..65535)" },
	{ { { "conntrackd.port", "65536" } }, "conntrackd.port: 65536: out of "
	    "range" },
	{ { { "conntrackd.hash_size", "10" } }, "conntrackd.hash_size: 10: out "
	    "of range (16384..16777216)" },
	{ { { "conntrackd.hash_size", "8192" } }, "conntrackd.hash_size: 8192: "
	    "out of range (16384..16777216)" },
	{ { { "conntrackd.max_entries", "100" } }, "conntrackd.max_entries: "
	    "100: out of range (1024..67108864)" },
	{ { { "conntrackd.enable", "true" } }, "conntrackd.enable: unknown "
	    "key" },
	{ { { "conntrackd.enabled", "null" } }, "conntrackd.enabled: not a "
	    "boolean" },
};

/* Set or delete the key at path in root; the test's own JSON must work. */
static void
apply(json_t **root, const struct patch *p)
{
	json_error_t	 jerr;
	json_t		*cur = *root, *val = NULL, *arr;
	char		 path[128], *segs[8], *s, *save = NULL, *br;
	size_t		 idx;
	int		 i, n = 0;

	if (p->value != NULL) {
		val = json_loads(p->value, JSON_DECODE_ANY, &jerr);
		ck_assert_msg(val != NULL, "test value broken: %s", p->value);
	}
	if (p->path[0] == '\0') {
		json_decref(*root);
		*root = val;
		return;
	}
	snprintf(path, sizeof(path), "%s", p->path);
	for (s = strtok_r(path, ".", &save); s != NULL && n < 8;
	    s = strtok_r(NULL, ".", &save))
		segs[n++] = s;
	for (i = 0; i < n; i++) {
		if ((br = strchr(segs[i], '[')) == NULL) {
			if (i == n - 1) {
				if (val == NULL)
					json_object_del(cur, segs[i]);
				else
					json_object_set_new(cur, segs[i], val);
				return;
			}
			cur = json_object_get(cur, segs[i]);
		} else {
			*br = '\0';
			idx = strtoul(br + 1, NULL, 10);
			arr = json_object_get(cur, segs[i]);
			ck_assert_msg(json_is_array(arr), "test path broken: %s",
			    p->path);
			if (i == n - 1) {
				if (val == NULL)
					json_array_remove(arr, idx);
				else if (idx == json_array_size(arr))
					json_array_append_new(arr, val);
				else
					json_array_set_new(arr, idx, val);
				return;
			}
			cur = json_array_get(arr, idx);
		}
		ck_assert_msg(cur != NULL, "test path broken: %s", p->path);
	}
}

static json_t *
load(const char *s)
{
	json_error_t	 jerr;
	json_t		*root;

	root = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	ck_assert_msg(root != NULL, "test JSON broken: %s", jerr.text);
	return root;
}

START_TEST(rejects_bad_routers)
{
	struct router_conf	 conf;
	json_t			*root = load(good);
	char			 err[256] = "";
	size_t			 i;

	for (i = 0; i < 3 && bad[_i].p[i].path != NULL; i++)
		apply(&root, &bad[_i].p[i]);
	ck_assert_int_eq(config_from_json(root, &conf, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strncmp(err, bad[_i].err, strlen(bad[_i].err)) == 0,
	    "case %d: got \"%s\", want \"%s...\"", _i, err, bad[_i].err);
	json_decref(root);
}
END_TEST

/* A message that does not fit is cut, never overrun. */
START_TEST(short_error_buffer)
{
	struct router_conf	 conf;
	json_t			*root = load(good);
	char			 err[8];

	memset(err, 'x', sizeof(err));
	json_object_set_new(json_object_get(root, "node"), "priority",
	    json_integer(0));
	ck_assert_int_eq(config_from_json(root, &conf, err, 6), -1);
	ck_assert_str_eq(err, "node.");
	ck_assert_int_eq(err[6], 'x');
	ck_assert_int_eq(config_from_json(root, &conf, err, 0), -1);
	json_decref(root);
}
END_TEST

static void
parse_ok(const char *s, struct router_conf *conf)
{
	json_t	*root = load(s);
	char	 err[256] = "";

	ck_assert_msg(config_from_json(root, conf, err, sizeof(err)) == 0,
	    "rejected: %s", err);
	json_decref(root);
}

START_TEST(parses_good_router)
{
	struct router_conf	 c;

	parse_ok(good, &c);
	ck_assert_str_eq(c.router_id, "tenant42");
	ck_assert_str_eq(c.node, "r1");
	ck_assert_int_eq(c.priority, 150);
	ck_assert_uint_eq(c.advert_ms, 100);
	ck_assert_int_eq(c.preempt, 0);
	ck_assert_int_eq(c.unicast, 1);
	ck_assert_str_eq(c.sync_if, "eth2");
	ck_assert_uint_eq(ntohl(c.sync_addr.addr.s_addr), 0x0aff0001);
	ck_assert_int_eq(c.sync_addr.plen, 24);
	ck_assert_int_eq(c.npeers, 1);
	ck_assert_str_eq(c.peers[0].name, "r2");
	ck_assert_uint_eq(ntohl(c.peers[0].addr.s_addr), 0x0aff0002);
	ck_assert_str_eq(c.pub_if, "eth0");
	ck_assert_uint_eq(ntohl(c.vip.s_addr), 0xcb00710a);
	ck_assert_int_eq(c.vip_plen, 32);
	ck_assert_uint_eq(ntohl(c.pub_gateway.s_addr), 0xc6336401);
	ck_assert_int_eq(c.pub_vrid, 51);
	ck_assert_int_eq(c.nnetworks, 2);
	ck_assert_str_eq(c.networks[1].name, "lan1");
	ck_assert_str_eq(c.networks[1].interface, "eth3");
	ck_assert_uint_eq(ntohl(c.networks[1].cidr.addr.s_addr), 0x0a020000);
	ck_assert_int_eq(c.networks[1].cidr.plen, 24);
	ck_assert_uint_eq(ntohl(c.networks[1].gateway.s_addr), 0x0a020001);
	ck_assert_int_eq(c.networks[1].vrid, 53);
	ck_assert_int_eq(c.nforwards, 2);
	ck_assert_int_eq(c.forwards[0].proto, IPPROTO_TCP);
	ck_assert_int_eq(c.forwards[0].public_port, 2222);
	ck_assert_int_eq(c.forwards[0].port, 22);
	ck_assert_int_eq(c.forwards[1].proto, IPPROTO_UDP);
	ck_assert_int_eq(c.forwards[1].port, 2222);	/* defaults to public */
	ck_assert_str_eq(c.host_port, "/dev/virtio-ports/org.vrouter.0");
	ck_assert_int_eq(c.ct_enabled, 1);
	ck_assert_int_eq(c.ct_port, 3780);
	ck_assert_uint_eq(c.ct_hash_size, 32768);
	ck_assert_uint_eq(c.ct_max_entries, 262144);
}
END_TEST

START_TEST(defaults)
{
	struct router_conf	 c;

	parse_ok(minimal, &c);
	ck_assert_uint_eq(c.advert_ms, 20);
	ck_assert_int_eq(c.preempt, 0);
	ck_assert_int_eq(c.unicast, 1);
	ck_assert_int_eq(c.vip_plen, 32);
	ck_assert_int_eq(c.sync_addr.plen, 31);	/* a /31 link is fine */
	ck_assert_str_eq(c.vrrp_if, "n0");	/* the first network's */
	ck_assert_int_eq(c.vrrp_net, 0);
	ck_assert_int_eq(c.nforwards, 0);
	ck_assert_str_eq(c.host_port, CONF_HOST_PORT_DEFAULT);
	ck_assert_int_eq(c.ct_enabled, 1);
	ck_assert_int_eq(c.ct_port, 3780);
	ck_assert_uint_eq(c.ct_hash_size, 32768);
	ck_assert_uint_eq(c.ct_max_entries, 262144);
}
END_TEST

START_TEST(optional_parts_off)
{
	struct router_conf	 c;
	json_t			*root = load(good), *v;
	char			 err[256] = "";

	json_object_set_new(json_object_get(root, "sync"), "peers",
	    json_array());
	json_object_set_new(json_object_get(root, "vrrp"), "unicast",
	    json_false());
	/* multicast needs no address of its own: the interface's */
	json_object_del(json_object_get(root, "node"), "vrrp_address");
	json_object_set_new(json_object_get(root, "conntrackd"), "enabled",
	    json_false());
	json_object_set_new(json_object_get(root, "host_channel"), "enabled",
	    json_false());
	json_object_del(root, "port_forwards");
	ck_assert_msg(config_from_json(root, &c, err, sizeof(err)) == 0,
	    "rejected: %s", err);
	ck_assert_int_eq(c.npeers, 0);
	ck_assert_int_eq(c.ct_enabled, 0);
	ck_assert_str_eq(c.vrrp_if, "eth1");
	ck_assert_str_eq(c.host_port, "");
	v = config_view(&c, "/run/vrouter");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(json_string_value(json_object_get(v, "ct_peer")), "");
	ck_assert(json_is_false(json_object_get(v, "ct_enabled")));
	ck_assert(json_is_false(json_object_get(v, "host_enabled")));
	ck_assert(json_is_false(json_object_get(v, "unicast")));
	/* no peer to hear it from: no sync path */
	ck_assert(json_is_false(json_object_get(v, "sync_path")));
	ck_assert(json_is_false(json_object_get(v, "vrrp_has_address")));
	ck_assert_str_eq(json_string_value(json_object_get(v,
	    "vrrp_address")), "");
	ck_assert_int_eq(json_array_size(json_object_get(v, "forwards")), 0);
	json_decref(v);
	json_decref(root);
}
END_TEST

/* The string at a dotted path of the view ("instances[1].name"). */
static const char *
vs(json_t *v, const char *path)
{
	char	 buf[128], *seg, *save = NULL, *br;

	snprintf(buf, sizeof(buf), "%s", path);
	for (seg = strtok_r(buf, ".", &save); seg != NULL && v != NULL;
	    seg = strtok_r(NULL, ".", &save)) {
		if ((br = strchr(seg, '[')) != NULL) {
			*br = '\0';
			v = json_array_get(json_object_get(v, seg),
			    strtoul(br + 1, NULL, 10));
		} else
			v = json_object_get(v, seg);
	}
	ck_assert_msg(v != NULL, "view has no %s", path);
	if (json_is_integer(v)) {
		static char num[32];

		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		return num;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "true" : "false";
	ck_assert_msg(json_is_string(v), "view %s: not a string", path);
	return json_string_value(v);
}

static const struct {
	const char	*path;
	const char	*want;
} view_keys[] = {
	{ "router_id", "tenant42" },
	{ "node", "r1" },
	{ "priority", "150" },
	{ "sync_group", "tenant42" },
	{ "advert_ms", "100" },
	{ "advert_int", "0.1" },
	{ "preempt", "false" },
	{ "unicast", "true" },
	{ "sync_interface", "eth2" },
	{ "sync_address", "10.255.0.1" },
	{ "sync_prefix", "24" },
	{ "sync_cidr", "10.255.0.1/24" },
	{ "sync_network", "10.255.0.0/24" },
	{ "peers[0].name", "r2" },
	{ "peers[0].address", "10.255.0.2" },
	{ "ct_peer", "10.255.0.2" },
	{ "sync_path", "true" },
	{ "sync_instance", "VI_sync" },
	{ "sync_vrid", "51" },
	{ "sync_path_address", "169.254.1.51/32" },
	{ "vrrp_interface", "eth1" },
	{ "vrrp_has_address", "true" },
	{ "vrrp_address", "10.1.0.2" },
	{ "vrrp_cidr", "10.1.0.2/24" },
	{ "peers[0].vrrp_address", "10.1.0.3" },
	{ "public_interface", "eth0" },
	{ "vip", "203.0.113.10" },
	{ "vip_prefix", "32" },
	{ "vip_cidr", "203.0.113.10/32" },
	{ "public_gateway", "198.51.100.1" },
	{ "public_vrid", "51" },
	{ "public_instance", "VI_pub" },
	{ "instances[0].name", "VI_pub" },
	{ "instances[0].vrid", "51" },
	{ "instances[0].interface", "eth0" },
	{ "instances[0].track_leg", "true" },
	{ "instances[1].track_leg", "false" },
	{ "instances[2].track_leg", "true" },
	{ "instances[0].address_cidr", "203.0.113.10/32" },
	{ "instances[0].default_route.gateway", "198.51.100.1" },
	{ "instances[0].default_route.interface", "eth0" },
	{ "instances[0].default_route.src", "203.0.113.10" },
	{ "instances[1].name", "VI_lan0" },
	{ "instances[1].default_route", "false" },
	{ "instances[2].name", "VI_lan1" },
	{ "instances[2].vrid", "53" },
	{ "instances[2].interface", "eth3" },
	{ "instances[2].address_cidr", "10.2.0.1/24" },
	{ "networks[0].name", "lan0" },
	{ "networks[0].interface", "eth1" },
	{ "networks[0].cidr", "10.1.0.0/24" },
	{ "networks[0].network", "10.1.0.0" },
	{ "networks[0].prefix", "24" },
	{ "networks[0].gateway", "10.1.0.1" },
	{ "networks[0].gateway_cidr", "10.1.0.1/24" },
	{ "networks[0].vrid", "52" },
	{ "networks[0].instance", "VI_lan0" },
	{ "forwards[0].proto", "tcp" },
	{ "forwards[0].public_port", "2222" },
	{ "forwards[0].host", "10.1.0.5" },
	{ "forwards[0].port", "22" },
	{ "forwards[0].destination", "10.1.0.5:22" },
	{ "forwards[1].proto", "udp" },
	{ "forwards[1].destination", "10.2.0.7:2222" },
	{ "ct_enabled", "true" },
	{ "ct_port", "3780" },
	{ "ct_hash_size", "32768" },
	{ "ct_max_entries", "262144" },
	{ "ct_ignore[0].address", "127.0.0.0/8" },
	{ "ct_ignore[1].address", "10.255.0.0/24" },
	{ "ct_ignore[2].address", "203.0.113.10" },
	{ "ct_ignore[3].address", "10.1.0.1" },
	{ "ct_ignore[4].address", "10.2.0.1" },
	{ "ct_ignore[5].address", "10.1.0.2" },
	{ "ct_ignore[6].address", "10.1.0.3" },
	{ "host_enabled", "true" },
	{ "host_port", "/dev/virtio-ports/org.vrouter.0" },
	{ "rundir", "/run/vrouter" },
	{ "notify_fifo", "/run/vrouter/keepalived.fifo" },
	{ "keepalived_pid", "/run/vrouter/keepalived.pid" },
	{ "vrrp_pid", "/run/vrouter/keepalived-vrrp.pid" },
	{ "conntrackd_sock", "/run/vrouter/conntrackd.sock" },
	{ "conntrackd_lock", "/run/vrouter/conntrackd.lock" },
	{ "conntrackd_log", "/run/vrouter/conntrackd.log" },
	{ "jumps[0].table", "nat" },
	{ "jumps[0].chain", "PREROUTING" },
	{ "jumps[0].target", "VROUTER-PREROUTING" },
	{ "jumps[0].nat", "true" },
	{ "jumps[0].filter", "false" },
	{ "jumps[1].chain", "POSTROUTING" },
	{ "jumps[2].table", "filter" },
	{ "jumps[2].chain", "INPUT" },
	{ "jumps[2].filter", "true" },
	{ "jumps[2].nat", "false" },
	{ "jumps[3].target", "VROUTER-FORWARD" },
};

START_TEST(view_keys_of_good_router)
{
	struct router_conf	 c;
	json_t			*v;

	parse_ok(good, &c);
	v = config_view(&c, "/run/vrouter");
	ck_assert_ptr_nonnull(v);
	ck_assert_msg(strcmp(vs(v, view_keys[_i].path), view_keys[_i].want) ==
	    0, "%s: got \"%s\", want \"%s\"", view_keys[_i].path,
	    vs(v, view_keys[_i].path), view_keys[_i].want);
	json_decref(v);
}
END_TEST

START_TEST(view_sizes)
{
	struct router_conf	 c;
	json_t			*v;

	parse_ok(good, &c);
	v = config_view(&c, "/run/vrouter");
	ck_assert_int_eq(json_array_size(json_object_get(v, "instances")), 3);
	ck_assert_int_eq(json_array_size(json_object_get(v, "networks")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(v, "peers")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(v, "forwards")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(v, "ct_ignore")), 7);
	ck_assert_int_eq(json_array_size(json_object_get(v, "jumps")), 4);
	json_decref(v);
}
END_TEST

/* keepalived wants centiseconds, written without rounding. */
static const struct {
	unsigned int	 ms;
	const char	*want;
} advert[] = {
	{ 10, "0.01" }, { 20, "0.02" }, { 50, "0.05" }, { 100, "0.1" },
	{ 250, "0.25" }, { 1000, "1" }, { 1050, "1.05" }, { 1500, "1.5" },
	{ 2000, "2" }, { 40950, "40.95" },
};

START_TEST(advert_int_format)
{
	struct router_conf	 c;
	json_t			*v;

	parse_ok(good, &c);
	c.advert_ms = advert[_i].ms;
	v = config_view(&c, "/run/vrouter");
	ck_assert_str_eq(vs(v, "advert_int"), advert[_i].want);
	json_decref(v);
}
END_TEST

START_TEST(rundir_checks)
{
	struct router_conf	 c;
	char			 err[256], dir[128];

	parse_ok(good, &c);
	ck_assert_int_eq(config_rundir_check("/run/vrouter", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(config_rundir_check("run/vrouter", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "rundir \"run/vrouter\": not an absolute path");
	ck_assert_int_eq(config_rundir_check("/run/v router", err,
	    sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "rundir \"/run/v router\": use only", 32) ==
	    0, "got %s", err);
	ck_assert_int_eq(config_rundir_check("/run/{x}", err, sizeof(err)),
	    -1);
	/* 91 + "/conntrackd.sock" (16) = 107 bytes fits, 92 does not */
	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[91] = '\0';
	ck_assert_int_eq(config_rundir_check(dir, err, sizeof(err)), 0);
	dir[91] = 'd';
	dir[92] = '\0';
	ck_assert_int_eq(config_rundir_check(dir, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "would be 108 bytes, a UNIX socket path "
	    "must be under 108") != NULL, "got %s", err);
	errno = 0;
	ck_assert_ptr_null(config_view(&c, dir));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(config_view(&c, "relative"));
}
END_TEST

START_TEST(drop_jump)
{
	struct router_conf	 c;
	json_t			*v;

	parse_ok(good, &c);
	v = config_view(&c, "/run/vrouter");
	ck_assert_int_eq(config_view_drop_jump(v, "INPUT", "VROUTER-INPUT"),
	    0);
	ck_assert_int_eq(json_array_size(json_object_get(v, "jumps")), 3);
	ck_assert_str_eq(vs(v, "jumps[2].chain"), "FORWARD");
	errno = 0;
	ck_assert_int_eq(config_view_drop_jump(v, "INPUT", "VROUTER-INPUT"),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(config_view_drop_jump(v, "INPUT", "VROUTER-FORWARD"),
	    -1);
	json_decref(v);
}
END_TEST

/* Write s to a new temporary file; its name into path. */
static void
tmpfile_with(char *path, size_t len, const char *s)
{
	FILE	*fp;
	int	 fd;

	snprintf(path, len, "/tmp/check_config.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	ck_assert_ptr_nonnull(fp = fdopen(fd, "w"));
	fputs(s, fp);
	fclose(fp);
}

/* good with n networks and f forwards, all distinct. */
static json_t *
sized(int n, int f)
{
	json_t	*root = load(good), *nets, *fwds;
	char	 name[16], cidr[32], gw[32];
	int	 i;

	nets = json_object_get(root, "networks");
	fwds = json_object_get(root, "port_forwards");
	for (i = (int)json_array_size(nets); i < n; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		snprintf(cidr, sizeof(cidr), "172.20.%d.0/24", i);
		snprintf(gw, sizeof(gw), "172.20.%d.1", i);
		json_array_append_new(nets, json_pack("{s:s,s:s,s:s,s:s,s:i}",
		    "name", name, "interface", name, "cidr", cidr,
		    "gateway", gw, "vrid", 60 + i));
	}
	for (i = (int)json_array_size(fwds); i < f; i++)
		json_array_append_new(fwds, json_pack("{s:s,s:i,s:s,s:i}",
		    "proto", "tcp", "public_port", 10000 + i, "host", "10.1.0.5",
		    "port", 22));
	return root;
}

/* The caps router-json.md gives, and a file at both fits in 1 MiB. */
START_TEST(caps)
{
	struct router_conf	*c;
	json_t			*root;
	char			 err[256] = "", path[64], *text;

	ck_assert_ptr_nonnull(c = malloc(sizeof(*c)));
	root = sized(CONF_MAX_NETWORKS, CONF_MAX_FORWARDS);
	ck_assert_msg(config_from_json(root, c, err, sizeof(err)) == 0,
	    "rejected: %s", err);
	ck_assert_int_eq(c->nnetworks, 64);
	ck_assert_int_eq(c->nforwards, 1024);
	ck_assert_ptr_nonnull(text = json_dumps(root, JSON_INDENT(2)));
	ck_assert_uint_lt(strlen(text), 1024 * 1024);
	tmpfile_with(path, sizeof(path), text);
	ck_assert_msg(config_load(path, c, err, sizeof(err)) == 0,
	    "rejected: %s", err);
	unlink(path);
	free(text);
	json_decref(root);

	root = sized(CONF_MAX_NETWORKS + 1, 2);
	ck_assert_int_eq(config_from_json(root, c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "networks: more than 64 entries");
	json_decref(root);
	root = sized(2, CONF_MAX_FORWARDS + 1);
	ck_assert_int_eq(config_from_json(root, c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port_forwards: more than 1024 entries");
	json_decref(root);

	/* Past 1 MiB the file is refused before it is parsed. */
	ck_assert_ptr_nonnull(text = malloc(1024 * 1024 + 2));
	memset(text, ' ', 1024 * 1024 + 1);
	text[0] = '{';
	text[1024 * 1024] = '}';
	text[1024 * 1024 + 1] = '\0';
	tmpfile_with(path, sizeof(path), text);
	ck_assert_int_eq(config_load(path, c, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, ": larger than 1 MiB") != NULL, "got %s",
	    err);
	unlink(path);
	free(text);
	free(c);
}
END_TEST

START_TEST(load_file)
{
	struct router_conf	 c;
	char			 path[64], err[256], want[128];

	tmpfile_with(path, sizeof(path), good);
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.router_id, "tenant42");
	unlink(path);

	/* messages start with the file name */
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err, want);

	tmpfile_with(path, sizeof(path), "{\"router_id\":\"a\",\n"
	    "\"router_id\":\"b\"}");
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2:", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0 &&
	    strstr(err, "duplicate object key") != NULL, "got %s", err);
	unlink(path);

	tmpfile_with(path, sizeof(path), "{\"router_id\": \"a\"} x");
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:1:", path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got %s", err);
	unlink(path);

	tmpfile_with(path, sizeof(path), "{\"router_id\": \"a b\"}");
	ck_assert_int_eq(config_load(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: router_id: \"a b\": not a name",
	    path);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "got %s", err);
	unlink(path);

	ck_assert_int_eq(config_load("/tmp", &c, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "/tmp: not a regular file");
}
END_TEST

Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc;

	tc = tcase_create("bad input");
	tcase_add_loop_test(tc, rejects_bad_routers, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, short_error_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, parses_good_router);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, optional_parts_off);
	tcase_add_test(tc, load_file);
	tcase_add_test(tc, caps);
	suite_add_tcase(s, tc);

	tc = tcase_create("view");
	tcase_add_loop_test(tc, view_keys_of_good_router, 0,
	    sizeof(view_keys) / sizeof(view_keys[0]));
	tcase_add_test(tc, view_sizes);
	tcase_add_loop_test(tc, advert_int_format, 0,
	    sizeof(advert) / sizeof(advert[0]));
	tcase_add_test(tc, rundir_checks);
	tcase_add_test(tc, drop_jump);
	suite_add_tcase(s, tc);
	return s;
}
