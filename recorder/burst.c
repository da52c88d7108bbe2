/* burst — burst-mode trigger logic (see burst.h). */
#include "burst.h"

#include <inttypes.h>
#include <stdio.h>

/* Rate per second of a cumulative counter; negative when unknown or reset. */
static double rate(int64_t prev, int64_t cur, usec_t dt)
{
	if (prev < 0 || cur < 0 || cur < prev || dt <= 0)
		return -1;
	return (double)(cur - prev) * (double)USEC_PER_SEC / (double)dt;
}

bool burst_update(struct burst *b, const struct burst_cfg *cfg, const struct burst_obs *o,
		  char *reason, size_t rsz)
{
	double rc = -1, ro = -1;
	char why[160] = "";

	if (b->have_prev) {
		rc = rate(b->prev_cookies, o->cookies, o->time - b->prev_time);
		ro = rate(b->prev_overflows, o->overflows, o->time - b->prev_time);
	}
	b->have_prev = true;
	b->prev_time = o->time;
	b->prev_cookies = o->cookies;
	b->prev_overflows = o->overflows;

	if (cfg->syn_recv && o->syn_recv >= cfg->syn_recv)
		snprintf(why, sizeof(why), "syn_recv %" PRIu64 " >= %" PRIu64, o->syn_recv,
			 cfg->syn_recv);
	else if (cfg->rate > 0 && rc >= cfg->rate)
		snprintf(why, sizeof(why), "SyncookiesSent %.0f/s >= %.0f/s", rc, cfg->rate);
	else if (cfg->rate > 0 && ro >= cfg->rate)
		snprintf(why, sizeof(why), "ListenOverflows %.0f/s >= %.0f/s", ro, cfg->rate);

	if (why[0]) {
		b->active = true;
		b->quiet = 0;
		snprintf(reason, rsz, "burst: %s", why);
		return true;
	}
	if (b->active) {
		b->quiet++;
		if (b->quiet < cfg->calm) {
			snprintf(reason, rsz, "burst: calming %u/%u", b->quiet, cfg->calm);
			return true;
		}
		b->active = false;
		b->quiet = 0;
	}
	if (rsz)
		reason[0] = '\0';
	return false;
}
