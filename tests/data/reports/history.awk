# history.awk — a synthetic recording with planted events, as a cron log of
# `netstat -ntu` dumps (net-tools 2.10 layout) every 10 s from
# 2026-11-25T10:00:00Z (see README.md; tests/integration/report_spikes.sh).
#   dumps 0..59, 10:00:00 .. 10:09:50, except 48..53 (10:08:00 .. 10:08:50):
#     a gap in the recording, 6 snapshots missed
#   always: 20 ESTABLISHED clients 198.51.100.1..20 on 192.0.2.2:443, and
#     2 + i % 3 SYN_RECV from 198.51.100.100.. on :80 (a noisy baseline of 2..4)
#   dumps 30..37 (10:05:00 .. 10:06:10): + 500 SYN_RECV from 203.0.113.1..250
#     on :80: the SYN_RECV spike, peak 504 at 10:05:20 (i = 32: 2 + 2)
BEGIN {
	for (i = 0; i < 60; i++) {
		t = 36000 + i * 10
		if (i >= 48 && i <= 53)
			continue
		printf "Wed Nov 25 %02d:%02d:%02d UTC 2026\n", int(t / 3600), int(t / 60) % 60, t % 60
		print "Active Internet connections (w/o servers)"
		print "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
		for (j = 0; j < 20; j++)
			printf "tcp        0      0 %-23s %-23s ESTABLISHED\n", "192.0.2.2:443",
				sprintf("198.51.100.%d:%d", j + 1, 40000 + j)
		for (j = 0; j < 2 + i % 3; j++)
			printf "tcp        0      0 %-23s %-23s SYN_RECV   \n", "192.0.2.2:80",
				sprintf("198.51.100.%d:%d", 100 + j, 50000 + j)
		if (i >= 30 && i <= 37)
			for (j = 0; j < 500; j++)
				printf "tcp        0      0 %-23s %-23s SYN_RECV   \n", "192.0.2.2:80",
					sprintf("203.0.113.%d:%d", j % 250 + 1, 1024 + j)
	}
}
