/*
 * Gratuitous ARP on the hypervisor's uplink, so that the upstream router
 * learns at once that the address now lives behind this hypervisor (which
 * proxy-ARPs for the addresses routed to its taps).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>
#include <unistd.h>

#include "hostd.h"

struct arp_ipv4 {
	struct arphdr	 hdr;
	uint8_t		 sha[ETH_ALEN];
	uint8_t		 spa[4];
	uint8_t		 tha[ETH_ALEN];
	uint8_t		 tpa[4];
} __attribute__((packed));

/*
 * One packet socket for the agent's lifetime: closing a packet socket
 * waits for a kernel grace period (~16 ms measured), which would stall
 * the event loop on every announcement.  The caller owns the fd.
 */
int
garp_open(void)
{
	return socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
}

/* Send count ARP requests "who has ADDR? tell ADDR" from ifname's MAC. */
int
garp_send(int fd, const char *ifname, uint32_t addr, int count)
{
	struct sockaddr_ll	 sll;
	struct arp_ipv4		 arp;
	struct ifreq		 ifr;
	uint8_t			 mac[ETH_ALEN];
	int			 i;

	if (count <= 0)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(ifr.ifr_name, ifname);
	/* ifr is a union: take the MAC before asking for the index. */
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == -1)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) == -1)
		return -1;

	memset(&arp, 0, sizeof(arp));
	arp.hdr.ar_hrd = htons(ARPHRD_ETHER);
	arp.hdr.ar_pro = htons(ETH_P_IP);
	arp.hdr.ar_hln = ETH_ALEN;
	arp.hdr.ar_pln = 4;
	arp.hdr.ar_op = htons(ARPOP_REQUEST);
	memcpy(arp.sha, mac, ETH_ALEN);
	memcpy(arp.spa, &addr, 4);
	memcpy(arp.tpa, &addr, 4);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = ifr.ifr_ifindex;
	sll.sll_halen = ETH_ALEN;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	for (i = 0; i < count; i++)
		if (sendto(fd, &arp, sizeof(arp), 0, (struct sockaddr *)&sll,
		    sizeof(sll)) == -1)
			return -1;
	return 0;
}
