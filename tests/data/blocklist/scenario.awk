# scenario.awk — a synthetic incident with known truth for `sockscope
# blocklist`: a cron log of `netstat -ntu` dumps (net-tools 2.10 layout), one
# every 5 s from 2026-11-25T12:00:00Z, 40 snapshots (i = 0..39). The server
# is 10.0.0.1 and fd00:53::1. See README.md.
#   always     legit: 192.0.2.10..59 hold 1 + h % 3 ESTABLISHED to :443;
#              2001:db8:1::10..29 hold 2 each; 192.0.2.200 (an office NAT)
#              holds 12; 127.0.0.1 (a local health checker) 30 to :8080;
#              10.0.0.7 (a private backend) 40 to :443
#   i 10..19   SYN flood from two subnets: 198.51.100.1..250 and
#              203.0.113.1..120, 2 SYN_RECV each, to :80
#   i 15..34   connection flood: 198.18.0.5 and 198.18.0.6 hold 50 each,
#              198.18.7.9 holds 40, 2001:db8:bad::7 holds 50 (i 20..30), :80
#   i 25..34   spoofed SYN flood: 1000 new one-off sources per snapshot,
#              each in SYN_RECV for 3 snapshots, random (Park-Miller) over
#              100.64.0.0/10 and, one in 32, 198.18.0.0/15, to :80
function line(proto, local, peer, state) {
	printf "%-5s      0      0 %-23s %-23s %s\n", proto, local, peer, state
}
function spoofed(k,    r) {
	r = src[k]
	if (r % 32 == 0)
		return sprintf("198.%d.%d.%d", 18 + int(r / 32) % 2, int(r / 64) % 256,
			int(r / 16384) % 254 + 1)
	return sprintf("100.%d.%d.%d", 64 + int(r / 32) % 64, int(r / 2048) % 256,
		int(r / 524288) % 254 + 1)
}
BEGIN {
	seed = 20261125
	for (k = 0; k < 12000; k++) {
		seed = (seed * 16807) % 2147483647
		src[k] = seed
	}
	for (i = 0; i < 40; i++) {
		t = 43200 + i * 5
		printf "Wed Nov 25 %02d:%02d:%02d UTC 2026\n", int(t / 3600), int(t / 60) % 60, t % 60
		print "Active Internet connections (w/o servers)"
		print "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
		for (h = 10; h < 60; h++)
			for (j = 0; j < 1 + h % 3; j++)
				line("tcp", "10.0.0.1:443", "192.0.2." h ":" 40000 + j, "ESTABLISHED")
		for (h = 10; h < 30; h++)
			for (j = 0; j < 2; j++)
				line("tcp6", "fd00:53::1:443", "2001:db8:1::" h ":" 41000 + j, "ESTABLISHED")
		for (j = 0; j < 12; j++)
			line("tcp", "10.0.0.1:443", "192.0.2.200:" 42000 + j, "ESTABLISHED")
		for (j = 0; j < 30; j++)
			line("tcp", "127.0.0.1:8080", "127.0.0.1:" 43000 + j, "ESTABLISHED")
		for (j = 0; j < 40; j++)
			line("tcp", "10.0.0.1:443", "10.0.0.7:" 44000 + j, "ESTABLISHED")
		if (i >= 10 && i <= 19) {
			for (h = 1; h <= 250; h++)
				for (j = 0; j < 2; j++)
					line("tcp", "10.0.0.1:80", "198.51.100." h ":" 1024 + i * 2 + j, "SYN_RECV")
			for (h = 1; h <= 120; h++)
				for (j = 0; j < 2; j++)
					line("tcp", "10.0.0.1:80", "203.0.113." h ":" 1024 + i * 2 + j, "SYN_RECV")
		}
		if (i >= 15 && i <= 34) {
			for (j = 0; j < 50; j++) {
				line("tcp", "10.0.0.1:80", "198.18.0.5:" 50000 + j, "ESTABLISHED")
				line("tcp", "10.0.0.1:80", "198.18.0.6:" 50000 + j, "ESTABLISHED")
			}
			for (j = 0; j < 40; j++)
				line("tcp", "10.0.0.1:80", "198.18.7.9:" 50000 + j, "ESTABLISHED")
		}
		if (i >= 20 && i <= 30)
			for (j = 0; j < 50; j++)
				line("tcp6", "fd00:53::1:80", "2001:db8:bad::7:" 50000 + j, "ESTABLISHED")
		if (i >= 25 && i <= 34)
			for (b = i - 2; b <= i; b++)
				if (b >= 25 && b <= 32)
					for (k = (b - 25) * 1000; k < (b - 24) * 1000; k++)
						line("tcp", "10.0.0.1:80", spoofed(k) ":" 2000 + k % 60000, "SYN_RECV")
	}
}
