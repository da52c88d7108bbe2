# bench/lib.sh — helpers shared by bench/import.sh and bench/reports.sh: number
# formatting, table rows, hyperfine, the netstat -ntu generator, results.md sections.
# shellcheck shell=sh
#
# POSIX sh (dash). Source it after tests/integration/lib.sh (fail, sst_tmpdir),
# then set SST_TEST, RUNS (hyperfine --runs), HF_WARMUP (hyperfine --warmup)
# and OUT (where the JSON and results.md go), and call bench_tmpdir before hf,
# row or results_section.

# bench_skip WHY: a bench is not a test; a machine that cannot run it says
# why and exits 0.
bench_skip() {
	printf 'SKIP: %s: %s\n' "$SST_TEST" "$*"
	exit 0
}

# bench_tmpdir: T, a private dir removed at exit, on a tmpfs when there is
# one (unless TMPDIR is set), for both sides of a comparison alike: the
# benches measure parsing, SQLite and reports, not the disk. Also creates
# OUT and the empty table ROWS. Call it directly, not as $(bench_tmpdir):
# the exit trap must belong to the script's shell.
bench_tmpdir() {
	if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
		TMPDIR=/dev/shm
		export TMPDIR
	fi
	sst_tmpdir || fail "mktemp"
	T=$SST_TMP
	mkdir -p "$OUT"
	ROWS=$T/rows
	: > "$ROWS"
}

mean_s() { sed -n 's/^ *"mean": *\([-0-9.eE+]*\),*$/\1/p' "$1" | sed -n "${2}p"; }
sd_s() { sed -n 's/^ *"stddev": *\([-0-9.eE+]*\),*$/\1/p' "$1" | sed -n "${2}p"; }
hf_m() { mean_s "$hf_json" "$1"; }
hf_s() { sd_s "$hf_json" "$1"; }
hf_cpu() {
	awk -v i="$1" '/^ *"user":/ { gsub(/[^-0-9.eE+]/, "", $2); u[++nu] = $2 }
		/^ *"system":/ { gsub(/[^-0-9.eE+]/, "", $2); s[++ns] = $2 }
		END { print u[i] + s[i] }' "$hf_json"
}
ms() { awk -v s="$1" 'BEGIN { printf "%.0f", s * 1000 }'; }
# ms_pm MEAN SD: "mean ± sd" in ms
ms_pm() { printf '%s ± %s' "$(ms "$1")" "$(ms "$2")"; }
per_s() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }'; }
mega() { awk -v n="$1" 'BEGIN { printf "%.2fM", n / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 >= b + 0) }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "n/a" && a + 0 < b + 0) }'; }
yesno() { if "$@"; then echo yes; else echo no; fi; }

# row MEASUREMENT SOCKSCOPE PEER RATIO GOAL MET: one line of the table,
# tab-separated in ROWS.
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$ROWS"; }

# hf NAME HYPERFINE-ARGS...: one hyperfine run of up to four commands, its
# JSON kept in OUT as NAME.json; HF_Mi/HF_Si are the i-th command's mean and
# standard deviation in seconds (empty past the last command). Commands that
# rebuild a database want a --prepare each, so that one side's preparation
# does not delete the other's database.
hf() {
	hf_json=$T/$1.json
	shift
	echo
	echo "== $(basename "$hf_json" .json)"
	hyperfine --style basic --warmup "$HF_WARMUP" --runs "$RUNS" \
		--export-json "$hf_json" "$@" || fail "hyperfine $hf_json failed"
	# shellcheck disable=SC2034  # the HF_* are read by the scripts
	{
		HF_M1=$(mean_s "$hf_json" 1)
		HF_S1=$(sd_s "$hf_json" 1)
		HF_M2=$(mean_s "$hf_json" 2)
		HF_S2=$(sd_s "$hf_json" 2)
		HF_M3=$(mean_s "$hf_json" 3)
		HF_S3=$(sd_s "$hf_json" 3)
		HF_M4=$(mean_s "$hf_json" 4)
		HF_S4=$(sd_s "$hf_json" 4)
	}
	# any command's: hf_m I, hf_s I, hf_cpu I (mean user + system seconds)
	[ -n "$HF_M1" ] || fail "cannot read the means from $hf_json"
	cp "$hf_json" "$OUT/"
}

# netstat_ntu N [DUMPS]: N lines of `netstat -ntu` (net-tools 2.10, not
# wide) of a server under a SYN flood: SYN_RECV from 198.18.0.0/15, clients
# from 198.51.100.0/24 and 203.0.113.0/24, IPv6 clients from 2001:db8::/32
# (addresses short enough not to be cut at 23 columns), connected UDP.
# Seeded: every run writes the same file. Without DUMPS, one dump (its
# headers even when N is 0). With DUMPS, a cron log: DUMPS dumps, each after
# a `date -u` line 10 s after the previous one and with its own headers; the
# flood (40 % SYN_RECV instead of 2 %) lasts from the first quarter to the
# third and moves across the /24s from dump to dump.
netstat_ntu() {
	awk -v n="$1" -v dumps="${2:-0}" 'BEGIN {
	srand(4)
	h1 = "Active Internet connections (w/o servers)"
	h2 = "Proto Recv-Q Send-Q Local Address           Foreign Address         State      "
	per = dumps ? int((n + dumps - 1) / dumps) : n
	psyn = 0.40
	d = 0
	if (!dumps) {
		print h1
		print h2
	}
	for (i = 0; i < n; i++) {
		if (dumps && i % per == 0) {
			d = int(i / per)
			t = 36000 + 10 * d
			printf "Wed Nov 25 %02d:%02d:%02d UTC 2026\n", int(t / 3600),
			       int(t / 60) % 60, t % 60
			psyn = d >= dumps / 4 && d < 3 * dumps / 4 ? 0.40 : 0.02
			print h1
			print h2
		}
		r = rand()
		rq = 0; sq = 0
		if (r < psyn) {
			p = "tcp"; st = "SYN_RECV"; l = "192.0.2.2:80"; k = (i + d * 2048) % 131072
			f = sprintf("198.%d.%d.%d:%d", 18 + int(k / 65536), int(k / 256) % 256,
				    k % 256, 1024 + (i * 7) % 64511)
		} else if (r < 0.80) {
			p = "tcp"; s = rand()
			st = s < 0.75 ? "ESTABLISHED" : s < 0.9 ? "TIME_WAIT" : s < 0.95 ? "CLOSE_WAIT" : "FIN_WAIT2"
			if (s < 0.05) { rq = int(rand() * 4096); sq = int(rand() * 65536) }
			l = s < 0.5 ? "192.0.2.2:443" : "192.0.2.2:80"
			f = sprintf("%s.%d:%d", i % 2 ? "203.0.113" : "198.51.100",
				    1 + int(rand() * 254), 1024 + int(rand() * 64511))
		} else if (r < 0.95) {
			p = "tcp6"; st = rand() < 0.8 ? "ESTABLISHED" : "TIME_WAIT"
			l = "2001:db8::2:443"
			f = sprintf("2001:db8:%x::%x:%d", 1 + int(rand() * 4095),
				    1 + int(rand() * 4095), 1024 + int(rand() * 64511))
		} else if (r < 0.98) {
			p = "udp"; st = "ESTABLISHED"
			l = sprintf("192.0.2.2:%d", 1024 + int(rand() * 64511))
			f = sprintf("198.51.100.%d:53", 1 + int(rand() * 4))
		} else {
			p = "udp6"; st = "ESTABLISHED"
			l = sprintf("2001:db8::2:%d", 1024 + int(rand() * 64511))
			f = "2001:db8:53::1:53"
		}
		printf "%-4s  %6d %6d %-23s %-23s %-11s\n", p, rq, sq, l, f, st
	}
}'
}

# results_section NAME TITLE BODY-FILE: OUT/results.md with NAME's section
# (between <!-- bench/NAME: begin --> and <!-- bench/NAME: end -->, e.g.
# NAME import.sh) replaced by "## TITLE" and BODY-FILE, at the end; the
# other scripts' sections stay as they are.
results_section() {
	rs_res=$OUT/results.md
	rs_b="<!-- bench/$1: begin -->"
	rs_e="<!-- bench/$1: end -->"
	if [ -f "$rs_res" ]; then
		# without an earlier run's section and without trailing blank lines
		awk -v b="$rs_b" -v e="$rs_e" '$0 == b { skip = 1 }
			!skip && $0 == "" { blank++ }
			!skip && $0 != "" { for (; blank > 0; blank--) print ""; print }
			$0 == e { skip = 0 }' "$rs_res" > "$T/results.md"
	else
		: > "$T/results.md"
	fi
	if [ -s "$T/results.md" ]; then
		echo >> "$T/results.md"
	fi
	{
		echo "$rs_b"
		echo
		echo "## $2"
		echo
		cat "$3"
		echo
		echo "$rs_e"
	} >> "$T/results.md"
	cp "$T/results.md" "$rs_res"
	echo "results appended to bench/out/results.md"
}
